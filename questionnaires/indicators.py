"""Indicators: a rate defined on one select_one question, and its 0/1 analysis variable.

A response counts in the denominator when its answer is one of ``denominator``; it scores 1 when
the answer is also one of ``numerator``, else 0. Any other answer (e.g. 说不清 when the definition
excludes it) or no answer gives NaN, so the statistics library treats it as outside the domain
of the rate. The threshold is a setting of the survey (e.g. 0.90 for volunteer-service
recognition); ``direction`` says whether the rate must reach it (``>=``) or stay under it
(``<=``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Literal, TypeAlias

import msgspec

from questionnaires.errors import IndicatorError
from questionnaires.model import Questionnaire
from questionnaires.text import Text

Direction: TypeAlias = Literal[">=", "<="]
_DOMAIN_TYPES = frozenset({"select_one", "calculate", "text", "integer"})


class Indicator(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A rate: share of ``denominator`` answers to ``question`` that are in ``numerator``."""

    id: str
    label: Text
    question: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    threshold: float
    direction: Direction = ">="
    domains: tuple[str, ...] = ()
    """Questions to break the rate down by (district, street, community, age group, sex)."""


class IndicatorVariable(msgspec.Struct, frozen=True):
    """The 0/1 analysis variable of one indicator over a list of responses, in their order.

    ``values`` holds 1.0, 0.0 or NaN (outside the denominator or unanswered); ``domains`` maps
    each domain question to the responses' answers (``None`` when unanswered).
    """

    indicator: str
    values: list[float]
    domains: dict[str, list[str | None]]


def check_indicator(indicator: Indicator, questionnaire: Questionnaire) -> list[str]:
    """Every way ``indicator`` does not fit ``questionnaire``; empty when it fits."""
    problems: list[str] = []
    question = questionnaire.question(indicator.question)
    if question is None:
        problems.append(f"question {indicator.question!r} does not exist")
    elif question.type != "select_one":
        problems.append(f"question {indicator.question!r} is {question.type}, not select_one")
    else:
        choice_list = questionnaire.choice_list(question.list_name)
        codes = set(choice_list.codes()) if choice_list else set()
        for part in ("numerator", "denominator"):
            unknown = [c for c in getattr(indicator, part) if c not in codes]
            if unknown:
                problems.append(f"{part} codes {unknown} are not options of {indicator.question!r}")
    if not indicator.numerator:
        problems.append("the numerator has no codes")
    outside = [code for code in indicator.numerator if code not in indicator.denominator]
    if outside:
        problems.append(f"numerator codes {outside} are not in the denominator")
    for part in ("numerator", "denominator"):
        codes_list = getattr(indicator, part)
        if len(set(codes_list)) != len(codes_list):
            problems.append(f"the {part} lists a code twice")
    if not (0 < indicator.threshold < 1) or math.isnan(indicator.threshold):
        problems.append(f"threshold {indicator.threshold} is not between 0 and 1")
    for domain in indicator.domains:
        found = questionnaire.question(domain)
        if found is None or found.type not in _DOMAIN_TYPES:
            problems.append(
                f"domain {domain!r} is not a select_one, calculate, text or integer question"
            )
    return problems


def validate_indicator(indicator: Indicator, questionnaire: Questionnaire) -> Indicator:
    """Return ``indicator`` unchanged, or raise :class:`IndicatorError` with every problem."""
    problems = check_indicator(indicator, questionnaire)
    if problems:
        raise IndicatorError(indicator.id, problems)
    return indicator


def _code(answer: object) -> str | None:
    if answer is None or isinstance(answer, bool):
        return None
    if isinstance(answer, int | float):
        return str(int(answer)) if float(answer).is_integer() else str(answer)
    if isinstance(answer, str):
        return answer.strip() or None
    return None


def derive_indicator(
    indicator: Indicator, responses: Sequence[Mapping[str, object]]
) -> IndicatorVariable:
    """The indicator's 0/1/NaN variable and domain columns for ``responses`` (cleaned answers).

    >>> rate = Indicator(id="aware", label={"zh": "知晓率"}, question="aware",
    ...                  numerator=("know",), denominator=("know", "dont_know"), threshold=0.9)
    >>> derive_indicator(rate, [{"aware": "know"}, {"aware": "dont_know"}, {}]).values
    [1.0, 0.0, nan]
    """
    numerator, denominator = set(indicator.numerator), set(indicator.denominator)
    values: list[float] = []
    for response in responses:
        code = _code(response.get(indicator.question))
        if code in numerator:
            values.append(1.0)
        elif code in denominator:
            values.append(0.0)
        else:
            values.append(math.nan)
    domains = {
        domain: [_code(response.get(domain)) for response in responses]
        for domain in indicator.domains
    }
    return IndicatorVariable(indicator.id, values, domains)


def describe_indicator(
    indicator: Indicator, questionnaire: Questionnaire, language: str = "zh"
) -> str:
    """The definition of the rate in words, as printed in every report (``zh``, else ``en``).

    For example: 群众安全感：回答“安全”“比较安全”的人数占回答“安全”“比较安全”“不太安全”“不安全”
    人数的比例（不计入未作答）；目标 ≥ 85%。 Raises :class:`IndicatorError` when the indicator
    does not fit the questionnaire.
    """
    validate_indicator(indicator, questionnaire)
    question = questionnaire.question(indicator.question)
    assert question is not None
    choice_list = questionnaire.choice_list(question.list_name)
    assert choice_list is not None
    labels = {c.name: questionnaire.localize(c.label, language) for c in choice_list.choices}
    excluded = [code for code in choice_list.codes() if code not in indicator.denominator]
    sign = "≥" if indicator.direction == ">=" else "≤"
    target = f"{indicator.threshold * 100:g}%"
    label = questionnaire.localize(indicator.label, language)
    if language == "en":
        quote = ", ".join(f"'{labels[c]}'" for c in indicator.numerator)
        among = ", ".join(f"'{labels[c]}'" for c in indicator.denominator)
        skipped = "".join(f"'{labels[c]}' and " for c in excluded)
        return (
            f"{label}: share of {quote} among answers {among} "
            f"(not counted: {skipped}no answer); target {sign} {target}."
        )
    quote = "".join(f"“{labels[c]}”" for c in indicator.numerator)
    among = "".join(f"“{labels[c]}”" for c in indicator.denominator)
    skipped = "".join(f"“{labels[c]}”、" for c in excluded)
    return (
        f"{label}：回答{quote}的人数占回答{among}人数的比例"
        f"（不计入{skipped}未作答）；目标 {sign} {target}。"
    )
