"""Indicator definitions are checked against their questionnaire; the 0/1 derivation is exact."""

from __future__ import annotations

import math

import msgspec
import pytest

from questionnaires import (
    Indicator,
    IndicatorError,
    check_indicator,
    derive_indicator,
    describe_indicator,
    load_template,
    validate_indicator,
)

FORM = load_template("satisfaction").questionnaire


def _indicator(**changes: object) -> Indicator:
    base = Indicator(
        id="satisfaction_rate",
        label={"zh": "满意率", "en": "Satisfaction"},
        question="satisfaction",
        numerator=("very_satisfied", "satisfied"),
        denominator=("very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"),
        threshold=0.85,
        domains=("district", "age_group"),
    )
    return msgspec.structs.replace(base, **changes)


def test_a_sound_indicator_passes_and_round_trips_through_json() -> None:
    indicator = _indicator()
    assert validate_indicator(indicator, FORM) is indicator
    assert msgspec.json.decode(msgspec.json.encode(indicator), type=Indicator) == indicator


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"question": "nope"}, "question 'nope' does not exist"),
        ({"question": "age"}, "question 'age' is integer, not select_one"),
        (
            {"numerator": ("delighted",), "denominator": ("delighted", "neutral")},
            "numerator codes ['delighted'] are not options",
        ),
        (
            {"denominator": ("very_satisfied", "satisfied", "meh")},
            "denominator codes ['meh'] are not options",
        ),
        ({"numerator": ()}, "the numerator has no codes"),
        (
            {"denominator": ("neutral",)},
            "numerator codes ['very_satisfied', 'satisfied'] are not in",
        ),
        ({"numerator": ("satisfied", "satisfied")}, "the numerator lists a code twice"),
        ({"threshold": 0.0}, "threshold 0.0 is not between 0 and 1"),
        ({"threshold": 90.0}, "threshold 90.0 is not between 0 and 1"),
        ({"threshold": math.nan}, "threshold nan is not between 0 and 1"),
        ({"domains": ("aware_channels",)}, "domain 'aware_channels' is not a select_one"),
    ],
)
def test_each_misfit_is_reported(changes: dict[str, object], problem: str) -> None:
    problems = check_indicator(_indicator(**changes), FORM)
    assert problems
    assert problems[0].startswith(problem)
    with pytest.raises(IndicatorError, match="indicator 'satisfaction_rate'"):
        validate_indicator(_indicator(**changes), FORM)


def test_direction_must_be_one_of_the_two_comparisons() -> None:
    assert check_indicator(_indicator(direction="<="), FORM) == []
    with pytest.raises(msgspec.ValidationError):
        msgspec.json.decode(
            msgspec.json.encode(_indicator()).replace(b'">="', b'">"'), type=Indicator
        )


def test_dont_know_excluded_or_kept_changes_only_the_denominator() -> None:
    answers = [
        {"satisfaction": code}
        for code in ("very_satisfied", "satisfied", "neutral", "unsure", "very_dissatisfied")
    ]
    answers.append({})
    excluded = derive_indicator(_indicator(), answers).values
    kept = derive_indicator(
        _indicator(denominator=(*_indicator().denominator, "unsure")), answers
    ).values
    assert excluded[:3] == [1.0, 1.0, 0.0]
    assert math.isnan(excluded[3])
    assert excluded[4] == 0.0
    assert math.isnan(excluded[5])
    assert kept[:5] == [1.0, 1.0, 0.0, 0.0, 0.0]
    assert math.isnan(kept[5])


def test_numeric_codes_and_domains() -> None:
    indicator = Indicator(
        id="yes",
        label={"zh": "是"},
        question="q",
        numerator=("1",),
        denominator=("1", "0"),
        threshold=0.5,
        domains=("district",),
    )
    variable = derive_indicator(
        indicator,
        [{"q": 1, "district": "d1"}, {"q": 0.0}, {"q": "2", "district": " "}, {"q": True}],
    )
    assert variable.values[:2] == [1.0, 0.0]
    assert all(math.isnan(v) for v in variable.values[2:])
    assert variable.domains == {"district": ["d1", None, None, None]}


def test_the_definition_is_written_out_for_reports() -> None:
    demo = load_template("civilized_city_resident")
    indicators = {i.id: i for i in demo.indicators}
    form = demo.questionnaire
    assert describe_indicator(indicators["security_rate"], form) == (
        "群众安全感：回答“安全”“比较安全”的人数占回答“安全”“比较安全”“不太安全”“不安全”人数的比例"
        "（不计入未作答）；目标 ≥ 85%。"
    )
    assert describe_indicator(indicators["education_satisfaction_rate"], form, "en").endswith(
        "(not counted: 'Cannot say' and no answer); target ≥ 85%."
    )
    lower = _indicator(direction="<=", threshold=0.125)
    assert describe_indicator(lower, FORM, "en").endswith("target ≤ 12.5%.")
    with pytest.raises(IndicatorError):
        describe_indicator(_indicator(question="nope"), FORM)
