"""Survey rules and queries: what is open, how far fieldwork has come."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from survey_app.errors import NotFoundError
from survey_app.models import (
    COMPLETE_DISPOSITIONS,
    Assignment,
    FrameUnit,
    QuestionnaireVersion,
    Response,
    ResponseMode,
    Survey,
    Wave,
)
from survey_app.surveys.schemas import DistrictProgress, SurveySummary


async def list_open_surveys(db: AsyncSession) -> list[Survey]:
    rows = await db.scalars(
        select(Survey).join(Wave, Wave.survey_id == Survey.id).where(Wave.is_open).distinct()
    )
    return list(rows)


async def current_wave(db: AsyncSession, survey: Survey) -> Wave:
    wave = await db.scalar(
        select(Wave).where(Wave.survey_id == survey.id).order_by(Wave.number.desc()).limit(1)
    )
    if wave is None:
        raise NotFoundError(f"survey {survey.slug!r} has no wave yet")
    return wave


async def survey_by_slug(db: AsyncSession, slug: str) -> Survey:
    survey = await db.scalar(select(Survey).where(Survey.slug == slug))
    if survey is None:
        raise NotFoundError(f"there is no survey {slug!r}")
    return survey


async def latest_questionnaire(db: AsyncSession, survey: Survey) -> QuestionnaireVersion:
    version = await db.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.survey_id == survey.id)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )
    if version is None:
        raise NotFoundError(f"survey {survey.slug!r} has no questionnaire yet")
    return version


async def survey_summaries(db: AsyncSession) -> list[SurveySummary]:
    summaries = []
    for survey in await db.scalars(select(Survey).order_by(Survey.id)):
        wave = await current_wave(db, survey)
        mode_rows = await db.execute(
            select(Response.mode, func.count())
            .where(Response.wave_id == wave.id)
            .group_by(Response.mode)
        )
        counts: dict[ResponseMode, int] = dict(mode_rows.tuples().all())
        completes = await db.scalar(
            select(func.count()).where(
                Response.wave_id == wave.id,
                Response.mode == ResponseMode.CAPI,
                Response.disposition.in_(COMPLETE_DISPOSITIONS),
            )
        )
        target = await db.scalar(
            select(func.coalesce(func.sum(Assignment.target_count), 0)).where(
                Assignment.wave_id == wave.id
            )
        )
        summaries.append(
            SurveySummary(
                id=survey.id,
                slug=survey.slug,
                title=survey.title,
                wave_name=wave.name,
                web_responses=counts.get(ResponseMode.WEB, 0),
                capi_responses=counts.get(ResponseMode.CAPI, 0),
                completes=completes or 0,
                target=target or 0,
            )
        )
    return summaries


async def district_progress(db: AsyncSession, wave: Wave) -> list[DistrictProgress]:
    """Enumerator completes against assignment targets, by district."""
    community = aliased(FrameUnit)
    street = aliased(FrameUnit)
    district = aliased(FrameUnit)
    is_complete = case((Response.disposition.in_(COMPLETE_DISPOSITIONS), 1), else_=0)
    completes = dict(
        (
            await db.execute(
                select(district.code, func.sum(is_complete))
                .select_from(Response)
                .join(community, community.id == Response.unit_id)
                .join(street, street.id == community.parent_id)
                .join(district, district.id == street.parent_id)
                .where(Response.wave_id == wave.id, Response.mode == ResponseMode.CAPI)
                .group_by(district.code)
            )
        ).all()
    )
    targets = (
        await db.execute(
            select(district.code, district.name, func.sum(Assignment.target_count))
            .select_from(Assignment)
            .join(community, community.id == Assignment.unit_id)
            .join(street, street.id == community.parent_id)
            .join(district, district.id == street.parent_id)
            .where(Assignment.wave_id == wave.id)
            .group_by(district.code, district.name)
            .order_by(district.code)
        )
    ).all()
    return [
        DistrictProgress(code=code, name=name, completes=int(completes.get(code, 0)), target=int(t))
        for code, name, t in targets
    ]
