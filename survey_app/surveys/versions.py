"""Surveys built from the `questionnaires` library: templates, XLSForm versions, downloads.

A questionnaire version is stored once and never changed: a new upload is a new row, and each
response keeps the id of the version it answered. Every check runs before anything is written,
so a bad workbook or a clash leaves the database as it was.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import msgspec
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import (
    Indicator as IndicatorDefinition,
)
from questionnaires import (
    Questionnaire,
    TemplateError,
    XLSFormError,
    check_indicator,
    list_templates,
    load_template,
    outline,
    read_xlsform,
    to_xform,
    write_xlsform,
)
from survey_app.errors import ConflictError, InvalidInputError, NotFoundError
from survey_app.i18n import N_
from survey_app.models import Indicator, QuestionnaireVersion, Response, Survey, Wave
from survey_app.surveys.parsed import questionnaire_of
from survey_app.surveys.schemas import QuestionnaireVersionInfo, TemplateInfo
from survey_app.surveys.services import latest_questionnaire, survey_by_slug

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
RESERVED_SLUGS = frozenset({"new", "templates"})
TITLE_LENGTH = 200
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XFORM_MEDIA_TYPE = "application/xml"


@dataclass(frozen=True, slots=True)
class NewSurvey:
    """What a new survey starts from: its first questionnaire version and its indicators."""

    slug: str
    title: str
    description: str
    wave_name: str
    questionnaire: Questionnaire
    indicators: Sequence[IndicatorDefinition] = ()


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    media_type: str
    content: bytes


def templates() -> list[TemplateInfo]:
    """The shipped templates with their titles, descriptions and indicator codes."""
    found = []
    for name in list_templates():
        template = load_template(name)
        found.append(
            TemplateInfo(
                name=name,
                title=dict(template.title),
                description=dict(template.description),
                indicators=[indicator.id for indicator in template.indicators],
            )
        )
    return found


def from_template(name: str, *, slug: str, title: str, wave_name: str) -> NewSurvey:
    """A new survey from the shipped template `name`, with the template's indicators."""
    try:
        template = load_template(name)
    except TemplateError:
        raise InvalidInputError(
            N_("there is no such questionnaire template"),
            details=[{"field": "template", "message": name}],
        ) from None
    return NewSurvey(
        slug=slug,
        title=title.strip() or template.title.get("zh", name),
        description=template.description.get("zh", ""),
        wave_name=wave_name,
        questionnaire=template.questionnaire,
        indicators=template.indicators,
    )


def from_xlsform(content: bytes, *, slug: str, title: str, wave_name: str) -> NewSurvey:
    """A new survey whose first version is the uploaded XLSForm (no indicators yet)."""
    questionnaire = read_workbook(content)
    return NewSurvey(
        slug=slug,
        title=title.strip() or questionnaire.localize(questionnaire.title, "zh") or slug,
        description="",
        wave_name=wave_name,
        questionnaire=questionnaire,
    )


def read_workbook(content: bytes) -> Questionnaire:
    """The questionnaire in an `.xlsx` upload, or `InvalidInputError` naming sheet, row, column."""
    if not content:
        raise InvalidInputError(
            N_("choose an XLSForm file (.xlsx) to upload"),
            details=[{"field": "file", "message": "empty upload"}],
        )
    try:
        return read_xlsform(content)
    except XLSFormError as error:
        raise InvalidInputError(
            N_("the XLSForm has problems; nothing was stored"),
            details=[
                {
                    "sheet": problem.sheet,
                    "row": problem.row,
                    "column": problem.column,
                    "message": problem.message,
                }
                for problem in error.problems
            ],
        ) from None


def _check_new_survey(new: NewSurvey) -> None:
    problems = []
    if not SLUG_PATTERN.match(new.slug) or new.slug in RESERVED_SLUGS:
        problems.append(
            {
                "field": "slug",
                "message": "lower-case letters, digits and hyphens, 1 to 64 characters",
            }
        )
    if len(new.title) > TITLE_LENGTH:
        problems.append({"field": "title", "message": f"at most {TITLE_LENGTH} characters"})
    if len(new.wave_name) > TITLE_LENGTH:
        problems.append({"field": "wave_name", "message": f"at most {TITLE_LENGTH} characters"})
    if problems:
        raise InvalidInputError(N_("please correct the survey's settings"), details=problems)


async def create_survey(db: AsyncSession, new: NewSurvey) -> Survey:
    """Store the survey, its first wave (closed until opened), first version and indicators."""
    _check_new_survey(new)
    if await db.scalar(select(Survey.id).where(Survey.slug == new.slug)) is not None:
        raise _slug_taken(new.slug)
    survey = Survey(slug=new.slug, title=new.title, description=new.description)
    db.add(survey)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise _slug_taken(new.slug) from None
    db.add(
        Wave(
            survey_id=survey.id,
            number=1,
            name=new.wave_name.strip() or new.title,
            opens_on=None,
            closes_on=None,
            is_open=False,
        )
    )
    db.add(_version_row(survey, new.questionnaire))
    db.add_all(indicator_row(survey, indicator) for indicator in new.indicators)
    await db.commit()
    return survey


def _slug_taken(slug: str) -> ConflictError:
    return ConflictError(
        N_("a survey with this short name already exists"),
        details=[{"field": "slug", "message": slug}],
    )


def _version_row(survey: Survey, questionnaire: Questionnaire) -> QuestionnaireVersion:
    return QuestionnaireVersion(
        survey_id=survey.id,
        version=questionnaire.version,
        definition=msgspec.to_builtins(questionnaire),
    )


def indicator_row(survey: Survey, indicator: IndicatorDefinition) -> Indicator:
    return Indicator(
        survey_id=survey.id,
        code=indicator.id,
        label=dict(indicator.label),
        question=indicator.question,
        numerator_codes=list(indicator.numerator),
        denominator_codes=list(indicator.denominator),
        threshold=indicator.threshold,
        direction=indicator.direction,
        domains=list(indicator.domains),
    )


def indicator_definition(row: Indicator) -> IndicatorDefinition:
    return IndicatorDefinition(
        id=row.code,
        label=dict(row.label),
        question=row.question,
        numerator=tuple(row.numerator_codes),
        denominator=tuple(row.denominator_codes),
        threshold=row.threshold,
        direction=">=" if row.direction == ">=" else "<=",
        domains=tuple(row.domains),
    )


async def add_version(db: AsyncSession, slug: str, content: bytes) -> QuestionnaireVersionInfo:
    """Store an uploaded XLSForm as the survey's next version, if it fits the survey.

    The form id must stay the one the survey's devices know, the version must be new, and every
    indicator must still fit the new version; otherwise nothing is stored.
    """
    survey = await survey_by_slug(db, slug)
    questionnaire = read_workbook(content)
    current = questionnaire_of(await latest_questionnaire(db, survey))
    if questionnaire.id != current.id:
        raise InvalidInputError(
            N_("the form id must stay the survey's form id"),
            details=[
                {
                    "sheet": "settings",
                    "column": "form_id",
                    "message": f"is {questionnaire.id!r}, the survey's form id is {current.id!r}",
                }
            ],
        )
    return await store_version(db, survey, questionnaire)


async def store_version(
    db: AsyncSession, survey: Survey, questionnaire: Questionnaire
) -> QuestionnaireVersionInfo:
    """Store `questionnaire` as the survey's next version if its version is new and every
    indicator of the survey fits it; otherwise raise and store nothing."""
    taken = await db.scalar(
        select(QuestionnaireVersion.id).where(
            QuestionnaireVersion.survey_id == survey.id,
            QuestionnaireVersion.version == questionnaire.version,
        )
    )
    if taken is not None:
        raise _version_taken(questionnaire.version)
    problems = [
        {"field": f"indicator {row.code}", "message": problem}
        for row in await db.scalars(select(Indicator).where(Indicator.survey_id == survey.id))
        for problem in check_indicator(indicator_definition(row), questionnaire)
    ]
    if problems:
        raise InvalidInputError(
            N_("the survey's indicators do not fit this version; nothing was stored"),
            details=problems,
        )
    row = _version_row(survey, questionnaire)
    db.add(row)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise _version_taken(questionnaire.version) from None
    return _version_info(row, questionnaire, 0)


def _version_taken(version: str) -> ConflictError:
    return ConflictError(
        N_("this questionnaire version is already stored; raise the version in the settings sheet"),
        details=[{"sheet": "settings", "column": "version", "message": version}],
    )


def _version_info(
    row: QuestionnaireVersion, questionnaire: Questionnaire, responses: int
) -> QuestionnaireVersionInfo:
    return QuestionnaireVersionInfo(
        id=row.id,
        version=row.version,
        form_id=questionnaire.id,
        title=questionnaire.localize(questionnaire.title, "zh"),
        created_at=row.created_at,
        responses=responses,
    )


async def versions(db: AsyncSession, survey: Survey) -> list[QuestionnaireVersionInfo]:
    """Every stored version, newest first, with the number of responses that answered it."""
    counts: dict[int, int] = dict(
        (
            await db.execute(
                select(Response.questionnaire_version_id, func.count())
                .join(QuestionnaireVersion)
                .where(QuestionnaireVersion.survey_id == survey.id)
                .group_by(Response.questionnaire_version_id)
            )
        )
        .tuples()
        .all()
    )
    rows = await db.scalars(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.survey_id == survey.id)
        .order_by(QuestionnaireVersion.id.desc())
    )
    return [_version_info(row, questionnaire_of(row), counts.get(row.id, 0)) for row in rows]


async def version_by_id(db: AsyncSession, slug: str, version_id: int) -> QuestionnaireVersion:
    survey = await survey_by_slug(db, slug)
    row = await db.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.survey_id == survey.id, QuestionnaireVersion.id == version_id
        )
    )
    if row is None:
        raise NotFoundError(N_("this survey has no such questionnaire version"))
    return row


async def export(
    db: AsyncSession, slug: str, export_format: str, version_id: int | None = None
) -> Download:
    """The current version (or `version_id`) as an XLSForm workbook or an ODK XForm."""
    if export_format not in ("xlsform", "xform"):
        raise InvalidInputError(
            N_("the download format must be xlsform or xform"),
            details=[{"field": "format", "message": export_format}],
        )
    if version_id is None:
        row = await latest_questionnaire(db, await survey_by_slug(db, slug))
    else:
        row = await version_by_id(db, slug, version_id)
    questionnaire = questionnaire_of(row)
    stem = f"{questionnaire.id}-{questionnaire.version}"
    if export_format == "xlsform":
        return Download(f"{stem}.xlsx", XLSX_MEDIA_TYPE, write_xlsform(questionnaire))
    return Download(f"{stem}.xml", XFORM_MEDIA_TYPE, to_xform(questionnaire).encode())


@dataclass(frozen=True, slots=True)
class Preview:
    """One version as a reviewer reads it: the questionnaire and its outline in zh and en."""

    info: QuestionnaireVersionInfo
    questionnaire: Questionnaire
    outlines: dict[str, str]


async def preview(db: AsyncSession, slug: str, version_id: int) -> Preview:
    row = await version_by_id(db, slug, version_id)
    questionnaire = questionnaire_of(row)
    responses = await db.scalar(
        select(func.count()).where(Response.questionnaire_version_id == row.id)
    )
    return Preview(
        info=_version_info(row, questionnaire, responses or 0),
        questionnaire=questionnaire,
        outlines={language: outline(questionnaire, language) for language in ("zh", "en")},
    )
