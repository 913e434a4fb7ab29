"""AAPOR final dispositions an enumerator records for a visit, and how a form's end maps to one.

Codes follow the AAPOR Standard Definitions (2023), in-person household surveys: 1.1 complete,
2.11 refusal, 2.20 non-contact (nobody at home), 2.33 language barrier, 4.70 no eligible
respondent, 4.80 quota filled. A complete (1.1) must pass the questionnaire's validation; the
other codes keep whatever screening answers were given.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from questionnaires.expressions import evaluate_boolean, parse, references
from questionnaires.model import CONSENT_DECLINE, CONSENT_QUESTION, Questionnaire
from survey_app.i18n import N_

COMPLETE = "1.1"
REFUSED = "2.11"
NOT_AT_HOME = "2.20"
LANGUAGE_BARRIER = "2.33"
INELIGIBLE = "4.70"
QUOTA_FILLED = "4.80"


@dataclass(frozen=True, slots=True)
class Disposition:
    code: str
    label: str
    recorded_without_interview: bool
    """Offered on the community card when no interview takes place."""


DISPOSITIONS = (
    Disposition(COMPLETE, N_("Complete interview"), recorded_without_interview=False),
    Disposition(REFUSED, N_("Refused"), recorded_without_interview=True),
    Disposition(NOT_AT_HOME, N_("Not at home"), recorded_without_interview=True),
    Disposition(LANGUAGE_BARRIER, N_("Language barrier"), recorded_without_interview=True),
    Disposition(INELIGIBLE, N_("Ineligible"), recorded_without_interview=True),
    Disposition(QUOTA_FILLED, N_("Quota cell full"), recorded_without_interview=False),
)
CODES = frozenset(d.code for d in DISPOSITIONS)
DISPOSITION_LABELS = {d.code: d.label for d in DISPOSITIONS}

OUTCOME_RULES = (
    (f"${{{CONSENT_QUESTION}}} = '{CONSENT_DECLINE}'", REFUSED),
    ("${eligible} = 'no'", INELIGIBLE),
)
"""How a form that ended early ends: the first rule that holds gives the disposition.
A rule applies to a questionnaire that has every question it names."""


def outcome_rules(questionnaire: Questionnaire) -> list[tuple[str, str]]:
    """The rules that apply to `questionnaire` (the page evaluates the same ones)."""
    names = {question.name for question in questionnaire.questions()}
    return [
        (expression, code)
        for expression, code in OUTCOME_RULES
        if {reference.name for reference in references(parse(expression))} <= names
    ]


def finished_form_disposition(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> str:
    """The disposition of a form filled to its end: a refusal, ineligible, or a complete."""
    for expression, code in outcome_rules(questionnaire):
        if evaluate_boolean(expression, answers):
            return code
    return COMPLETE
