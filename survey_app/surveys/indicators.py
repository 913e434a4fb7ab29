"""A survey's indicators: settings (threshold, direction, label) and new rates on a question.

Every change is checked with `questionnaires.check_indicator` against the survey's current
questionnaire version before it is stored; thresholds and directions are settings of the
survey, never constants in code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires import Direction, Questionnaire, check_indicator, describe_indicator
from questionnaires import Indicator as IndicatorDefinition
from survey_app.errors import ConflictError, InvalidInputError, NotFoundError
from survey_app.i18n import N_
from survey_app.models import Indicator, Survey
from survey_app.surveys.parsed import questionnaire_of
from survey_app.surveys.schemas import IndicatorCreate, IndicatorInfo, IndicatorUpdate
from survey_app.surveys.services import latest_questionnaire, survey_by_slug
from survey_app.surveys.versions import indicator_definition, indicator_row

CODE_PATTERN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
DOMAIN_TYPES = ("select_one", "calculate")


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    code: str
    label: str


@dataclass(frozen=True, slots=True)
class QuestionOption:
    """A question an indicator can be defined on, or broken down by, in one language."""

    name: str
    label: str
    choices: tuple[ChoiceOption, ...]


def info(row: Indicator, questionnaire: Questionnaire, language: str) -> IndicatorInfo:
    definition = indicator_definition(row)
    return IndicatorInfo(
        code=row.code,
        label=dict(row.label),
        question=row.question,
        numerator=list(row.numerator_codes),
        denominator=list(row.denominator_codes),
        threshold=row.threshold,
        direction=row.direction,
        domains=list(row.domains),
        definition=(
            describe_indicator(definition, questionnaire, language)
            if not check_indicator(definition, questionnaire)
            else ""
        ),
    )


async def indicators(
    db: AsyncSession, survey: Survey, questionnaire: Questionnaire, language: str
) -> list[IndicatorInfo]:
    rows = await db.scalars(
        select(Indicator).where(Indicator.survey_id == survey.id).order_by(Indicator.id)
    )
    return [info(row, questionnaire, language) for row in rows]


def _checked(definition: IndicatorDefinition, questionnaire: Questionnaire) -> None:
    problems = [
        {"field": "indicator", "message": problem}
        for problem in [*_setting_problems(definition), *check_indicator(definition, questionnaire)]
    ]
    if problems:
        raise InvalidInputError(
            N_("the indicator does not fit the questionnaire; nothing was changed"),
            details=problems,
        )


def _setting_problems(definition: IndicatorDefinition) -> list[str]:
    problems = []
    if not definition.label.get("zh", "").strip():
        problems.append("the label needs Chinese words")
    if not CODE_PATTERN.match(definition.id):
        problems.append("the code is letters, digits and underscores, starting with a letter")
    return problems


async def _current(db: AsyncSession, slug: str) -> tuple[Survey, Questionnaire]:
    survey = await survey_by_slug(db, slug)
    return survey, questionnaire_of(await latest_questionnaire(db, survey))


async def update_indicator(
    db: AsyncSession, slug: str, code: str, update: IndicatorUpdate, language: str
) -> IndicatorInfo:
    """Change an indicator's threshold, direction or label, if it then fits the questionnaire."""
    survey, questionnaire = await _current(db, slug)
    row = await db.scalar(
        select(Indicator).where(Indicator.survey_id == survey.id, Indicator.code == code)
    )
    if row is None:
        raise NotFoundError(N_("this survey has no such indicator"))
    changed = msgspec.structs.replace(
        indicator_definition(row),
        threshold=row.threshold if update.threshold is None else update.threshold,
        direction=_direction(row.direction if update.direction is None else update.direction),
        label=dict(row.label) if update.label is None else _clean_label(update.label),
    )
    _checked(changed, questionnaire)
    row.threshold = changed.threshold
    row.direction = changed.direction
    row.label = dict(changed.label)
    await db.commit()
    return info(row, questionnaire, language)


async def add_indicator(
    db: AsyncSession, slug: str, create: IndicatorCreate, language: str
) -> IndicatorInfo:
    """Define a new rate on a select_one question of the current questionnaire."""
    survey, questionnaire = await _current(db, slug)
    definition = IndicatorDefinition(
        id=create.code.strip(),
        label=_clean_label(create.label),
        question=create.question,
        numerator=tuple(create.numerator),
        denominator=tuple(create.denominator),
        threshold=create.threshold,
        direction=_direction(create.direction),
        domains=tuple(create.domains),
    )
    _checked(definition, questionnaire)
    taken = await db.scalar(
        select(Indicator.id).where(
            Indicator.survey_id == survey.id, Indicator.code == definition.id
        )
    )
    if taken is not None:
        raise _code_taken(definition.id)
    row = indicator_row(survey, definition)
    db.add(row)
    try:
        await db.commit()
    except IntegrityError:
        await db.rollback()
        raise _code_taken(definition.id) from None
    return info(row, questionnaire, language)


def _direction(value: str) -> Direction:
    if value == ">=":
        return ">="
    if value == "<=":
        return "<="
    raise InvalidInputError(
        N_("the direction must be >= or <="), details=[{"field": "direction", "message": value}]
    )


def _code_taken(code: str) -> ConflictError:
    return ConflictError(
        N_("this survey already has an indicator with this code"),
        details=[{"field": "code", "message": code}],
    )


def _clean_label(label: dict[str, str]) -> dict[str, str]:
    return {language: text.strip() for language, text in label.items() if text.strip()}


def question_options(
    questionnaire: Questionnaire, language: str, types: tuple[str, ...] = ("select_one",)
) -> list[QuestionOption]:
    """The questions of `types` with their labels and options, in form order."""
    options = []
    for question in questionnaire.questions():
        if question.type not in types:
            continue
        choice_list = questionnaire.choice_list(question.list_name)
        choices = tuple(
            ChoiceOption(choice.name, questionnaire.localize(choice.label, language))
            for choice in (choice_list.choices if choice_list else ())
        )
        label = questionnaire.localize(question.label, language) or question.name
        options.append(QuestionOption(question.name, label, choices))
    return options


async def indicator_form(
    db: AsyncSession, slug: str, question: str, language: str
) -> tuple[Survey, list[QuestionOption], QuestionOption | None, list[QuestionOption]]:
    """What the new-indicator page shows: the questions to choose from, the chosen one's options
    and the questions to break the rate down by."""
    survey, questionnaire = await _current(db, slug)
    candidates = question_options(questionnaire, language)
    chosen = next((option for option in candidates if option.name == question), None)
    domains = question_options(questionnaire, language, DOMAIN_TYPES)
    return survey, candidates, chosen, [d for d in domains if d.name != question]
