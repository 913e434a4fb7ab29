"""Planning in the app: the settings as typed, and the table the library's numbers give."""

from __future__ import annotations

import math

import pytest

from sampling.planning import sample_size_details, sample_size_proportion
from survey_app.design.planning import compute_plan, parse_settings
from survey_app.design.schemas import PlanSettings, Stratum
from survey_app.errors import InvalidInputError

STRATA = [
    Stratum(unit_id=1, code="D01", name="东城区", population=160_730, communities=20),
    Stratum(unit_id=2, code="D02", name="西城区", population=127_336, communities=15),
    Stratum(unit_id=3, code="D03", name="南湖区", population=152_459, communities=15),
    Stratum(unit_id=4, code="D04", name="门头沟", population=12_000, communities=4),
]


def test_empty_form_gives_the_documented_defaults() -> None:
    assert parse_settings({}) == PlanSettings()
    assert PlanSettings().p == 0.9


def test_percent_fields_are_read_as_percent() -> None:
    settings = parse_settings(
        {"p": "85", "moe": "2.5%", "confidence": "90", "response_rate": "70", "icc": "0"}
    )
    assert (settings.p, settings.moe, settings.confidence_level) == (0.85, 0.025, 0.9)
    assert (settings.response_rate, settings.icc) == (0.7, 0.0)


def test_each_bad_setting_is_named() -> None:
    with pytest.raises(InvalidInputError) as raised:
        parse_settings(
            {
                "moe": "abc",
                "p": "120",
                "per_community": "0",
                "scope": "city",
                "icc": "1",
                "deff": "0.5",
                "response_rate": "0",
            }
        )
    found = {detail["field"]: detail["message"] for detail in raised.value.details}
    assert found == {
        "p": "must lie between 0 and 100 (percent)",
        "moe": "not a number: abc",
        "icc": "must be at least 0 and below 1",
        "deff": "must be from 1 to 100",
        "per_community": "must be from 1 to 1000",
        "response_rate": "must be above 0 and at most 100 (percent)",
        "scope": "must be one of district, overall",
    }


def test_three_points_at_ninety_percent_is_385_per_large_district_without_clustering() -> None:
    settings = parse_settings({"effect": "deff", "deff": "1", "per_community": "1"})
    strata = [Stratum(unit_id=1, code="D", name="大区", population=10**7, communities=1000)]
    row = compute_plan(strata, settings).rows[0]
    assert row.interviews == 385 == sample_size_proportion(0.9, 0.03, population=10**7)
    assert row.contacts == math.ceil(385 / 0.8)


def test_per_district_plan_reaches_each_districts_precision() -> None:
    settings = parse_settings({"effect": "deff", "deff": "1.5", "per_community": "50"})
    result = compute_plan(STRATA, settings)
    for stratum, row in zip(STRATA, result.rows, strict=True):
        needed = sample_size_details(0.9, 0.03, deff=1.5, population=stratum.population).n_deff
        assert row.interviews >= needed
        assert row.interviews == row.communities * row.per_community
        assert 2 <= row.communities <= stratum.communities
        assert row.contacts == math.ceil(row.interviews / 0.8)
    assert result.rows[0].communities == 12
    small = result.rows[3]
    assert small.takes_all
    assert small.per_community > 50


def test_icc_plan_carries_the_effective_size() -> None:
    result = compute_plan(STRATA[:3], parse_settings({"icc": "0.02", "per_community": "25"}))
    for stratum, row in zip(STRATA[:3], result.rows, strict=True):
        n_eff = sample_size_details(0.9, 0.03, population=stratum.population).n_fpc
        assert row.deff == pytest.approx(1 + (row.per_community - 1) * 0.02)
        assert row.interviews / row.deff >= n_eff


def test_an_unreachable_precision_names_the_district_and_the_icc() -> None:
    with pytest.raises(InvalidInputError) as raised:
        compute_plan(STRATA, parse_settings({"icc": "0.2"}))
    (detail,) = raised.value.details
    assert detail["field"] == "icc"
    assert detail["message"].startswith("东城区 has 20 communities; at ICC 0.2")


@pytest.mark.parametrize("allocation", ["proportional", "equal", "power"])
def test_overall_plan_allocates_the_communities_within_bounds(allocation: str) -> None:
    settings = parse_settings(
        {"scope": "overall", "allocation": allocation, "effect": "deff", "per_community": "20"}
    )
    result = compute_plan(STRATA, settings)
    needed = sample_size_details(0.9, 0.03, deff=1.5, population=sum(s.population for s in STRATA))
    assert result.communities == math.ceil(needed.n_deff / 20)
    for stratum, row in zip(STRATA, result.rows, strict=True):
        assert 2 <= row.communities <= stratum.communities
        assert row.per_community == 20
    if allocation == "equal":
        shares = [row.communities for row in result.rows[:3]]
        assert max(shares) - min(shares) <= 1
