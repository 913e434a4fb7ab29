"""Fieldwork rules and queries: an enumerator's assignments and how full their quotas are."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from survey_app.fieldwork.schemas import AssignmentView, Place, QuotaCell
from survey_app.models import COMPLETE_DISPOSITIONS, Assignment, FrameUnit, Response

QUOTA_FIELDS = ("age_group", "sex")
"""The answers whose values, joined by "|", name an assignment's quota cell."""


def quota_key(answers: Mapping[str, Any]) -> str | None:
    """The quota cell of a complete interview, or None while a field is unanswered."""
    values = [answers.get(field) for field in QUOTA_FIELDS]
    if any(value in (None, "") for value in values):
        return None
    return "|".join(str(value) for value in values)


async def assignments_for(db: AsyncSession, enumerator_id: int) -> list[AssignmentView]:
    """The enumerator's own assignments with completes counted overall and per quota cell."""
    community = aliased(FrameUnit)
    street = aliased(FrameUnit)
    district = aliased(FrameUnit)
    rows = (
        await db.execute(
            select(Assignment, community, street, district)
            .join(community, community.id == Assignment.unit_id)
            .join(street, street.id == community.parent_id)
            .join(district, district.id == street.parent_id)
            .where(Assignment.enumerator_id == enumerator_id)
            .order_by(street.code, community.code, Assignment.wave_id)
        )
    ).all()
    completes = await db.execute(
        select(Response.wave_id, Response.unit_id, Response.answers).where(
            Response.enumerator_id == enumerator_id,
            Response.disposition.in_(COMPLETE_DISPOSITIONS),
        )
    )
    total: Counter[tuple[int, int | None]] = Counter()
    cells: Counter[tuple[int, int | None, str]] = Counter()
    for wave_id, unit_id, answers in completes.tuples():
        total[wave_id, unit_id] += 1
        key = quota_key(answers)
        if key is not None:
            cells[wave_id, unit_id, key] += 1
    return [
        AssignmentView(
            id=assignment.id,
            wave_id=assignment.wave_id,
            unit_id=assignment.unit_id,
            community=Place(c.code, c.name),
            street=Place(s.code, s.name),
            district=Place(d.code, d.name),
            target=assignment.target_count,
            completed=total[assignment.wave_id, assignment.unit_id],
            quota=[
                QuotaCell(
                    key=str(key),
                    target=int(target),
                    filled=cells[assignment.wave_id, assignment.unit_id, str(key)],
                )
                for key, target in assignment.quota_cells.items()
            ],
        )
        for assignment, c, s, d in rows
    ]
