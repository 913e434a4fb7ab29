"""The surveys the survey group has built, with their versions and indicators."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import Questionnaire
from survey_app.errors import ConflictError
from survey_app.i18n import N_
from survey_app.models import Frame, Indicator, QuestionnaireVersion, Wave
from survey_app.models import Survey as SurveyRow
from survey_app.surveys.indicators import indicators
from survey_app.surveys.parsed import questionnaire_of
from survey_app.surveys.places import frames
from survey_app.surveys.schemas import Survey, SurveyDetail
from survey_app.surveys.services import current_wave, latest_questionnaire, survey_by_slug
from survey_app.surveys.versions import NewSurvey, create_survey, versions


@dataclass(frozen=True, slots=True)
class SurveyPage:
    """What the survey's page shows: the detail, its wave and the current questionnaire."""

    detail: SurveyDetail
    wave: Wave
    questionnaire: Questionnaire
    frame_id: int | None
    frames: list[Frame]


async def _summary(db: AsyncSession, row: SurveyRow) -> Survey:
    wave = await db.scalar(
        select(Wave).where(Wave.survey_id == row.id).order_by(Wave.number.desc()).limit(1)
    )
    latest = await db.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.survey_id == row.id)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )
    version_count = await db.scalar(
        select(func.count()).where(QuestionnaireVersion.survey_id == row.id)
    )
    indicator_count = await db.scalar(select(func.count()).where(Indicator.survey_id == row.id))
    return Survey(
        slug=row.slug,
        title=row.title,
        description=row.description,
        wave_name=wave.name if wave else "",
        form_id=str(latest.definition.get("id", "")) if latest else "",
        current_version=latest.version if latest else "",
        versions=version_count or 0,
        indicators=indicator_count or 0,
    )


async def survey_list(db: AsyncSession) -> list[Survey]:
    """Every survey, oldest first."""
    return [
        await _summary(db, row)
        for row in await db.scalars(select(SurveyRow).order_by(SurveyRow.id))
    ]


async def create(db: AsyncSession, new: NewSurvey) -> Survey:
    """Store a new survey (see `versions.create_survey`) and return it as the list shows it."""
    return await _summary(db, await create_survey(db, new))


async def survey_page(db: AsyncSession, slug: str, language: str) -> SurveyPage:
    """The survey with its versions (newest first) and indicators described in `language`."""
    row = await survey_by_slug(db, slug)
    questionnaire = questionnaire_of(await latest_questionnaire(db, row))
    detail = SurveyDetail(
        survey=await _summary(db, row),
        versions=await versions(db, row),
        indicators=await indicators(db, row, questionnaire, language),
    )
    return SurveyPage(
        detail=detail,
        wave=await current_wave(db, row),
        questionnaire=questionnaire,
        frame_id=row.frame_id,
        frames=await frames(db),
    )


async def set_wave_open(db: AsyncSession, slug: str, *, is_open: bool) -> Wave:
    """Open the current wave to answers (web link, tablets) or close it."""
    wave = await current_wave(db, await survey_by_slug(db, slug))
    if wave.is_open == is_open:
        raise ConflictError(
            N_("the wave is already open") if is_open else N_("the wave is already closed")
        )
    wave.is_open = is_open
    await db.commit()
    return wave
