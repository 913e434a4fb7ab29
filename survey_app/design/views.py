"""What each sample-design page shows, assembled in one call per request."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.design import assigning, drawing, frames, services
from survey_app.design.schemas import (
    DesignSummary,
    DesignView,
    EnumeratorChoice,
    FrameProblem,
    FrameSummary,
    PlanResult,
    PlanSettings,
)
from survey_app.errors import InvalidInputError, MinyiError
from survey_app.i18n import N_
from survey_app.models import SampleDesign, Survey, Wave

SEED_RANGE = 1_000_000


FIELD_LABELS = {
    "p": N_("Planned proportion (%)"),
    "moe": N_("Margin of error (± percentage points)"),
    "confidence": N_("Confidence level (%)"),
    "effect": N_("Design effect from"),
    "icc": N_("Intra-community correlation (ICC)"),
    "deff": N_("Design effect (deff)"),
    "per_community": N_("Interviews per community"),
    "response_rate": N_("Expected response rate (%)"),
    "scope": N_("Judge precision"),
    "allocation": N_("Allocation to districts"),
    "minimum": N_("Least communities per district"),
    "survey": N_("Survey"),
    "wave": N_("Wave"),
    "frame_id": N_("Frame"),
    "name": N_("Frame name"),
    "seed": N_("Random seed"),
    "method": N_("Selection method"),
    "reserves": N_("Reserve communities per district"),
    "enumerators": N_("Enumerators"),
}


def describe(detail: dict[str, Any], gettext: Callable[[str], str]) -> str:
    """One problem as a sentence in the page's language, naming the row or field at fault."""
    if "row" in detail:
        return FrameProblem.from_detail(detail).render(gettext)
    name = str(detail.get("field", ""))
    label = gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name
    if "template" in detail:
        text = gettext(str(detail["template"])).format(**detail.get("params", {}))
    else:
        text = str(detail.get("message", ""))
    return gettext(N_("{field}: {problem}")).format(field=label, problem=text) if label else text


class WaveChoice(msgspec.Struct, frozen=True):
    number: int
    name: str
    is_drawn: bool


class SurveyChoice(msgspec.Struct, frozen=True):
    slug: str
    title: str
    waves: list[WaveChoice]


class Problems(msgspec.Struct, frozen=True):
    """An error to show on the page it came from: its message and row- or field-level details."""

    message: str = ""
    details: list[dict[str, Any]] = []
    status_code: int = 200

    @classmethod
    def of(cls, error: MinyiError) -> Problems:
        return cls(message=error.message, details=error.details, status_code=error.status_code)

    def __bool__(self) -> bool:
        return bool(self.message)

    def for_field(self, name: str) -> list[dict[str, Any]]:
        return [detail for detail in self.details if detail.get("field") == name]


class IndexPage(msgspec.Struct, frozen=True):
    frames: list[FrameSummary]
    designs: list[DesignSummary]
    problems: Problems = Problems()


class PlanPage(msgspec.Struct, frozen=True):
    surveys: list[SurveyChoice]
    frames: list[FrameSummary]
    values: dict[str, str]
    result: PlanResult | None = None
    problems: Problems = Problems()
    saved_design: int | None = None


class DesignPage(msgspec.Struct, frozen=True):
    view: DesignView
    enumerators: list[EnumeratorChoice]
    seed: int
    problems: Problems = Problems()


async def index_page(db: AsyncSession, problems: Problems | None = None) -> IndexPage:
    return IndexPage(
        frames=await frames.list_frames(db),
        designs=await services.list_designs(db),
        problems=problems or Problems(),
    )


async def upload_frame(db: AsyncSession, content: bytes | None, name: str) -> int | IndexPage:
    """The new frame's id, or the index page with every problem of the file."""
    try:
        if not content:
            raise InvalidInputError(N_("choose a frame CSV file to upload"))
        return (await frames.import_frame(db, content, name)).id
    except MinyiError as error:
        await db.rollback()
        return await index_page(db, Problems.of(error))


def _defaults() -> dict[str, str]:
    plan = PlanSettings()
    return {
        "p": f"{plan.p * 100:g}",
        "moe": f"{plan.moe * 100:g}",
        "confidence": f"{plan.confidence_level * 100:g}",
        "effect": plan.effect,
        "icc": f"{plan.icc:g}",
        "deff": f"{plan.deff:g}",
        "per_community": str(plan.per_community),
        "response_rate": f"{plan.response_rate * 100:g}",
        "scope": plan.scope,
        "allocation": plan.allocation,
        "minimum": str(plan.minimum),
        "wave": services.NEW_WAVE,
    }


async def _surveys(db: AsyncSession) -> list[SurveyChoice]:
    choices = []
    for survey in (await db.scalars(select(Survey).order_by(Survey.id))).all():
        waves = (
            await db.scalars(select(Wave).where(Wave.survey_id == survey.id).order_by(Wave.number))
        ).all()
        drawn = set(
            (
                await db.scalars(
                    select(SampleDesign.wave_id).where(
                        SampleDesign.wave_id.in_([w.id for w in waves]), SampleDesign.is_drawn
                    )
                )
            ).all()
        )
        choices.append(
            SurveyChoice(
                slug=survey.slug,
                title=survey.title,
                waves=[WaveChoice(w.number, w.name, w.id in drawn) for w in waves],
            )
        )
    return choices


async def plan_page(db: AsyncSession, form: dict[str, str], action: str = "") -> PlanPage:
    """The plan form; with `action` "preview" its table, with "save" the stored design's id."""
    surveys = await _surveys(db)
    frame_list = await frames.list_frames(db)
    values = _defaults()
    if surveys:
        values["survey"] = surveys[0].slug
    if frame_list:
        values["frame_id"] = str(frame_list[0].id)
    values |= {key: value for key, value in form.items() if isinstance(value, str)}
    page = PlanPage(surveys=surveys, frames=frame_list, values=values)
    if action not in ("preview", "save"):
        return page
    try:
        if not values.get("frame_id", "").isdigit():
            raise InvalidInputError(N_("import a frame first"))
        request = services.PlanRequest(
            survey=values.get("survey", ""),
            frame_id=int(values["frame_id"]),
            wave=values.get("wave", services.NEW_WAVE),
        )
        if action == "save":
            design_id = await services.save_plan(db, request, values)
            return msgspec.structs.replace(page, saved_design=design_id)
        result = await services.preview_plan(db, request, values)
    except MinyiError as error:
        await db.rollback()
        return msgspec.structs.replace(page, problems=Problems.of(error))
    return msgspec.structs.replace(page, result=result)


async def design_page(
    db: AsyncSession, design_id: int, problems: Problems | None = None
) -> DesignPage:
    return DesignPage(
        view=await services.design_view(db, design_id),
        enumerators=await assigning.enumerators(db),
        seed=secrets.randbelow(SEED_RANGE),
        problems=problems or Problems(),
    )


async def draw_from_form(db: AsyncSession, design_id: int, form: dict[str, str]) -> DesignPage:
    try:
        await drawing.draw(db, design_id, form)
    except MinyiError as error:
        await db.rollback()
        return await design_page(db, design_id, Problems.of(error))
    return await design_page(db, design_id)


async def assign_from_form(db: AsyncSession, design_id: int, usernames: list[str]) -> DesignPage:
    try:
        await assigning.assign(db, design_id, usernames)
    except MinyiError as error:
        await db.rollback()
        return await design_page(db, design_id, Problems.of(error))
    return await design_page(db, design_id)
