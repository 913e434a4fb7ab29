"""Drawing a saved design's communities with a seed, and each district's reserves."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sampling.planning import SelectionMethod, replacement_order, select_stratified
from survey_app.design import frames
from survey_app.design.planning import field_problem
from survey_app.design.schemas import DesignView
from survey_app.design.services import design_view, load_design
from survey_app.errors import ConflictError, InvalidInputError
from survey_app.i18n import N_
from survey_app.models import Allocation, FrameUnit, SelectedUnit

SELECTIONS: tuple[SelectionMethod, ...] = ("pps_systematic", "systematic", "srs")
MAX_SEED = 2**63 - 1
MAX_RESERVES = 50


def _whole(raw: Mapping[str, str], name: str, default: int, high: int) -> tuple[int, list[Any]]:
    text = raw.get(name, "").strip()
    if not text:
        return default, []
    if not text.isdigit() or int(text) > high:
        return default, [
            field_problem(name, N_("must be a whole number from 0 to {high}"), high=high)
        ]
    return int(text), []


async def draw(db: AsyncSession, design_id: int, raw: Mapping[str, str]) -> DesignView:
    """Draw the communities of every district with a seed, and an ordered reserve list each.

    PPS systematic on community population by default (systematic and SRS as options), in
    frame order (district, street, community code) so systematic draws spread over streets;
    `sampling.planning.select_stratified` keeps each community's inclusion probability, and
    `replacement_order` gives each district's reserves for refusals.
    """
    design, _, _ = await load_design(db, design_id)
    if design.is_drawn:
        raise ConflictError(N_("this design has been drawn already"))
    seed, problems = _whole(raw, "seed", 0, MAX_SEED)
    reserves, more = _whole(raw, "reserves", 2, MAX_RESERVES)
    asked = raw.get("method", "").strip() or "pps_systematic"
    method = next((known for known in SELECTIONS if known == asked), None)
    if method is None:
        more.append(
            field_problem("method", N_("must be one of {allowed}"), allowed=", ".join(SELECTIONS))
        )
    if not raw.get("seed", "").strip():
        problems.append(field_problem("seed", N_("missing")))
    if problems or more or method is None:
        raise InvalidInputError(N_("please correct the draw's settings"), details=problems + more)
    units = await frames.communities(db, int(design.settings["frame_id"]))
    allocation = dict(
        (
            await db.execute(
                select(FrameUnit.code, Allocation.clusters)
                .join(FrameUnit, FrameUnit.id == Allocation.stratum_unit_id)
                .where(Allocation.design_id == design.id)
                .order_by(FrameUnit.code)
            )
        )
        .tuples()
        .all()
    )
    labels = np.array([district.code for district, _, _ in units])
    rng = np.random.default_rng(seed)
    selection = select_stratified(
        labels,
        allocation,
        method,
        sizes=[c.population for _, _, c in units] if method == "pps_systematic" else None,
        rng=rng,
    )
    for stratum in allocation:
        inside = labels == stratum
        chosen = [i for i in selection.indices.tolist() if inside[i]]
        left = int(inside.sum()) - len(chosen)
        order = replacement_order(selection, rng=rng, count=min(reserves, left), among=inside)
        db.add_all(
            SelectedUnit(
                design_id=design.id,
                unit_id=units[index][2].id,
                inclusion_probability=float(selection.inclusion_probabilities[index]),
                selection_order=position,
                is_certainty=bool(selection.certainty[index]),
                is_reserve=False,
            )
            for position, index in enumerate(chosen, start=1)
        )
        db.add_all(
            SelectedUnit(
                design_id=design.id,
                unit_id=units[index][2].id,
                inclusion_probability=float(selection.inclusion_probabilities[index]),
                selection_order=position,
                is_certainty=False,
                is_reserve=True,
            )
            for position, index in enumerate(order.tolist(), start=1)
        )
    design.is_drawn = True
    design.settings = {**design.settings, "seed": seed, "selection": method, "reserves": reserves}
    await db.commit()
    return await design_view(db, design_id)
