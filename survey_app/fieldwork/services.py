"""Fieldwork rules and queries."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from survey_app.fieldwork.schemas import AssignmentView
from survey_app.models import Assignment, FrameUnit, Response

COMPLETE_DISPOSITIONS = ("1.1", "1.2")


async def assignments_for(db: AsyncSession, enumerator_id: int) -> list[AssignmentView]:
    """The enumerator's own assignments with completed interviews counted."""
    community = aliased(FrameUnit)
    street = aliased(FrameUnit)
    completed = (
        select(func.count())
        .where(
            Response.unit_id == Assignment.unit_id,
            Response.wave_id == Assignment.wave_id,
            Response.enumerator_id == Assignment.enumerator_id,
            Response.disposition.in_(COMPLETE_DISPOSITIONS),
        )
        .scalar_subquery()
    )
    rows = await db.execute(
        select(Assignment, community.name, street.name, completed)
        .join(community, community.id == Assignment.unit_id)
        .join(street, street.id == community.parent_id)
        .where(Assignment.enumerator_id == enumerator_id)
        .order_by(street.name, community.name)
    )
    return [
        AssignmentView(
            id=assignment.id,
            community=community_name,
            street=street_name,
            target=assignment.target_count,
            completed=done,
            quota_cells={str(k): int(v) for k, v in assignment.quota_cells.items()},
        )
        for assignment, community_name, street_name, done in rows.all()
    ]
