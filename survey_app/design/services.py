"""Sample-design rules: plan and save a design, draw its communities, assign enumerators."""

from __future__ import annotations

from collections.abc import Mapping

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.design import frames
from survey_app.design.planning import (
    compute_plan,
    contacts_needed,
    parse_settings,
)
from survey_app.design.schemas import (
    AssignmentRow,
    DesignSummary,
    DesignView,
    PlanResult,
    PlanRow,
    SelectedRow,
)
from survey_app.errors import ConflictError, NotFoundError
from survey_app.i18n import N_
from survey_app.models import (
    Allocation,
    Assignment,
    FrameUnit,
    SampleDesign,
    SelectedUnit,
    Survey,
    User,
    Wave,
)

NEW_WAVE = "new"


class PlanRequest(msgspec.Struct, frozen=True):
    """What to plan for: a survey, a wave of it (or a new one) and a frame."""

    survey: str
    frame_id: int
    wave: str = NEW_WAVE


async def survey_by_reference(db: AsyncSession, reference: str) -> Survey:
    """A survey by its short name (slug) or id."""
    condition = (
        Survey.id == int(reference) if reference.isdigit() else Survey.slug == reference.strip()
    )
    survey = await db.scalar(select(Survey).where(condition))
    if survey is None:
        raise NotFoundError(
            N_("there is no such survey"),
            details=[{"field": "survey", "message": reference}],
        )
    return survey


async def preview_plan(
    db: AsyncSession, request: PlanRequest, raw: Mapping[str, str]
) -> PlanResult:
    await survey_by_reference(db, request.survey)
    return compute_plan(await frames.strata(db, request.frame_id), parse_settings(raw))


async def save_plan(db: AsyncSession, request: PlanRequest, raw: Mapping[str, str]) -> int:
    """Store the design and its allocation for the wave; returns the design's id."""
    survey = await survey_by_reference(db, request.survey)
    result = compute_plan(await frames.strata(db, request.frame_id), parse_settings(raw))
    wave = await _wave_for(db, survey, request.wave)
    if survey.frame_id is None:
        survey.frame_id = request.frame_id
    design = SampleDesign(
        wave_id=wave.id,
        settings={
            **msgspec.to_builtins(result.settings),
            "frame_id": request.frame_id,
            "design_effects": {row.code: row.deff for row in result.rows},
        },
        is_drawn=False,
    )
    db.add(design)
    await db.flush()
    db.add_all(
        Allocation(
            design_id=design.id,
            stratum_unit_id=row.unit_id,
            clusters=row.communities,
            interviews=row.interviews,
        )
        for row in result.rows
    )
    await db.commit()
    return design.id


async def _wave_for(db: AsyncSession, survey: Survey, choice: str) -> Wave:
    if choice.strip() in ("", NEW_WAVE):
        number = (
            await db.scalar(select(func.max(Wave.number)).where(Wave.survey_id == survey.id)) or 0
        ) + 1
        wave = Wave(
            survey_id=survey.id,
            number=number,
            name=f"第{number}轮",
            opens_on=None,
            closes_on=None,
            is_open=False,
        )
        db.add(wave)
        await db.flush()
        return wave
    existing = await db.scalar(
        select(Wave).where(
            Wave.survey_id == survey.id,
            Wave.number == int(choice) if choice.isdigit() else Wave.name == choice,
        )
    )
    if existing is None:
        raise NotFoundError(
            N_("the survey has no such wave"), details=[{"field": "wave", "message": choice}]
        )
    drawn = await db.scalar(
        select(func.count()).where(SampleDesign.wave_id == existing.id, SampleDesign.is_drawn)
    )
    if drawn:
        raise ConflictError(
            N_("this wave already has a drawn sample; plan a new wave"),
            details=[{"field": "wave", "message": existing.name}],
        )
    return existing


async def load_design(db: AsyncSession, design_id: int) -> tuple[SampleDesign, Wave, Survey]:
    row = (
        (
            await db.execute(
                select(SampleDesign, Wave, Survey)
                .join(Wave, Wave.id == SampleDesign.wave_id)
                .join(Survey, Survey.id == Wave.survey_id)
                .where(SampleDesign.id == design_id)
            )
        )
        .tuples()
        .first()
    )
    if row is None:
        raise NotFoundError(N_("there is no such sample design"))
    design, wave, survey = row
    if "frame_id" not in design.settings:
        raise ConflictError(N_("this design was not made here; it cannot be drawn or shown"))
    return design, wave, survey


async def list_designs(db: AsyncSession) -> list[DesignSummary]:
    rows = (
        await db.execute(
            select(SampleDesign, Wave, Survey)
            .join(Wave, Wave.id == SampleDesign.wave_id)
            .join(Survey, Survey.id == Wave.survey_id)
            .order_by(SampleDesign.id.desc())
        )
    ).tuples()
    summaries = []
    for design, wave, survey in rows.all():
        frame_id = design.settings.get("frame_id")
        interviews = await db.scalar(
            select(func.coalesce(func.sum(Allocation.interviews), 0)).where(
                Allocation.design_id == design.id
            )
        )
        assigned = await db.scalar(
            select(func.count()).select_from(Assignment).where(Assignment.wave_id == wave.id)
        )
        summaries.append(
            DesignSummary(
                id=design.id,
                survey_title=survey.title,
                wave_name=wave.name,
                frame_name=(await frames.get_frame(db, frame_id)).name if frame_id else "",
                interviews=int(interviews or 0),
                is_drawn=design.is_drawn,
                assignments=int(assigned or 0),
            )
        )
    return summaries


async def design_view(db: AsyncSession, design_id: int) -> DesignView:
    design, wave, survey = await load_design(db, design_id)
    frame_id = int(design.settings["frame_id"])
    frame = await frames.get_frame(db, frame_id)
    strata = {stratum.unit_id: stratum for stratum in await frames.strata(db, frame_id)}
    effects = design.settings.get("design_effects", {})
    rate = float(design.settings["response_rate"])
    allocations = await db.scalars(
        select(Allocation).where(Allocation.design_id == design.id).order_by(Allocation.id)
    )
    plan = []
    for allocation in allocations.all():
        stratum = strata[allocation.stratum_unit_id]
        plan.append(
            PlanRow(
                unit_id=stratum.unit_id,
                code=stratum.code,
                name=stratum.name,
                population=stratum.population,
                communities_available=stratum.communities,
                communities=allocation.clusters,
                per_community=allocation.interviews // max(allocation.clusters, 1),
                interviews=allocation.interviews,
                contacts=contacts_needed(allocation.interviews, rate),
                deff=float(effects.get(stratum.code, 1.0)),
            )
        )
    return DesignView(
        id=design.id,
        survey_title=survey.title,
        wave_id=wave.id,
        wave_name=wave.name,
        frame_name=frame.name,
        settings=design.settings,
        plan=plan,
        is_drawn=design.is_drawn,
        selected=await _selected(db, design.id),
        assignments=await _assignments(db, wave.id),
    )


async def _selected(db: AsyncSession, design_id: int) -> list[SelectedRow]:
    rows = await db.execute(
        select(SelectedUnit, FrameUnit)
        .join(FrameUnit, FrameUnit.id == SelectedUnit.unit_id)
        .where(SelectedUnit.design_id == design_id)
    )
    parents = await _parents(db)
    selected = []
    for chosen, unit in rows.tuples().all():
        street = parents[unit.parent_id or 0]
        district = parents[street.parent_id or 0]
        row = SelectedRow(
            district=district.name,
            street=street.name,
            code=unit.code,
            name=unit.name,
            population=unit.population,
            inclusion_probability=chosen.inclusion_probability,
            order=chosen.selection_order,
            is_certainty=chosen.is_certainty,
            is_reserve=chosen.is_reserve,
        )
        selected.append(((district.code, row.is_reserve, row.order), row))
    selected.sort(key=lambda item: item[0])
    return [row for _, row in selected]


async def _parents(db: AsyncSession) -> dict[int, FrameUnit]:
    units = await db.scalars(select(FrameUnit).where(FrameUnit.level != "community"))
    return {unit.id: unit for unit in units.all()}


async def _assignments(db: AsyncSession, wave_id: int) -> list[AssignmentRow]:
    rows = await db.execute(
        select(Assignment, FrameUnit, User)
        .join(FrameUnit, FrameUnit.id == Assignment.unit_id)
        .join(User, User.id == Assignment.enumerator_id)
        .where(Assignment.wave_id == wave_id)
    )
    parents = await _parents(db)
    found = []
    for assignment, unit, user in rows.tuples().all():
        street = parents[unit.parent_id or 0]
        district = parents[street.parent_id or 0]
        row = AssignmentRow(
            enumerator=user.username,
            enumerator_name=user.display_name,
            district=district.name,
            street=street.name,
            code=unit.code,
            name=unit.name,
            target=assignment.target_count,
            quota_cells={str(k): int(v) for k, v in assignment.quota_cells.items()},
        )
        found.append(((user.username, district.code, street.code, unit.code), row))
    found.sort(key=lambda item: item[0])
    return [row for _, row in found]
