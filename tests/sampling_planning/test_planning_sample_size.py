"""Sample size for a proportion: n₀, then FPC, then deff, then response rate, rounded up once."""

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.planning import (
    interval_half_width,
    sample_size_by_stratum,
    sample_size_details,
    sample_size_proportion,
    z_value,
)
from sampling.planning.sample_size import Criterion, SizingMethod

# R: qnorm(0.975)^2 * 0.9 * 0.1 / 0.03^2
N0_90_03 = 384.14588206941244


def test_n0_for_ninety_percent_at_three_points_is_385_before_corrections() -> None:
    plan = sample_size_details(p=0.9, moe=0.03, confidence_level=0.95)
    assert plan.n0 == pytest.approx(N0_90_03, rel=1e-12)
    assert plan.n0 == pytest.approx(1.96**2 * 0.9 * 0.1 / 0.03**2, rel=1e-3)
    assert plan.n == 385
    assert sample_size_proportion(p=0.9, moe=0.03) == 385


def test_call_from_the_statistics_contract() -> None:
    n = sample_size_proportion(
        p=0.9, moe=0.03, confidence_level=0.95, deff=1.5, population=None, response_rate=1.0
    )
    assert n == math.ceil(1.5 * N0_90_03)  # 577


def test_corrections_apply_in_the_documented_order() -> None:
    plan = sample_size_details(
        p=0.9, moe=0.03, deff=1.5, population=2000, response_rate=0.8, confidence_level=0.95
    )
    n_fpc = N0_90_03 / (1 + (N0_90_03 - 1) / 2000)  # 1. finite-population correction
    assert plan.n_fpc == pytest.approx(n_fpc, rel=1e-12)
    assert plan.n_deff == pytest.approx(1.5 * n_fpc, rel=1e-12)  # 2. design effect
    assert plan.n_gross == pytest.approx(1.5 * n_fpc / 0.8, rel=1e-12)  # 3. response rate
    assert plan.n == math.ceil(1.5 * n_fpc / 0.8) == 605  # 4. round up once
    deff_before_fpc = 1.5 * N0_90_03 / (1 + (1.5 * N0_90_03 - 1) / 2000) / 0.8
    assert plan.n != math.ceil(deff_before_fpc)


def test_rounding_happens_once_at_the_end() -> None:
    # Rounding n₀ up first (385 · 1.5 = 577.5 → 578) would overshoot by one.
    assert sample_size_proportion(p=0.9, moe=0.03, deff=1.5) == 577


def test_z_follows_the_confidence_level() -> None:
    assert z_value(0.95) == pytest.approx(1.959963984540054, rel=1e-12)
    assert z_value(0.90) == pytest.approx(1.6448536269514722, rel=1e-12)
    assert sample_size_details(p=0.5, moe=0.05, confidence_level=0.90).n0 == pytest.approx(
        1.6448536269514722**2 * 0.25 / 0.0025, rel=1e-12
    )


def _wilson_n0_closed_form(p: float, w: float, z: float) -> float:
    """Larger root of w²(n + z²)² = z²(p(1 − p)n + z²/4), the Wilson half-width equation."""
    a = w * w
    b = 2 * w * w * z * z - z * z * p * (1 - p)
    c = w * w * z**4 - z**4 / 4
    return (-b + math.sqrt(b * b - 4 * a * c)) / (2 * a)


@given(p=st.floats(0.05, 0.95), moe=st.floats(0.005, 0.1), level=st.sampled_from([0.9, 0.95]))
def test_wilson_size_matches_the_closed_form(p: float, moe: float, level: float) -> None:
    plan = sample_size_details(p=p, moe=moe, confidence_level=level, method="wilson")
    assert plan.n0 == pytest.approx(_wilson_n0_closed_form(p, moe, z_value(level)), rel=1e-8)


@given(
    p=st.floats(0.2, 0.95),
    moe=st.floats(0.005, 0.1),
    method=st.sampled_from(["wald", "wilson", "logit"]),
    criterion=st.sampled_from(["half_width", "lower_distance"]),
)
def test_interval_at_n0_has_the_target_precision(
    p: float, moe: float, method: SizingMethod, criterion: Criterion
) -> None:
    plan = sample_size_details(p=p, moe=moe, method=method, criterion=criterion)
    reached = interval_half_width(p, plan.n0, method=method, criterion=criterion)
    assert reached == pytest.approx(moe, rel=1e-7)
    assert interval_half_width(p, plan.n, method=method, criterion=criterion) <= moe * (1 + 1e-9)


def test_lower_bound_distance_near_ninety_percent_needs_more_than_the_half_width() -> None:
    # Wilson and logit intervals at p̂ = 0.9 lean towards 0.5, so the lower bound is further off.
    methods: tuple[SizingMethod, ...] = ("wilson", "logit")
    for method in methods:
        half = sample_size_details(p=0.9, moe=0.03, method=method)
        lower = sample_size_details(p=0.9, moe=0.03, method=method, criterion="lower_distance")
        assert lower.n > half.n > 385


def test_design_effect_enters_through_the_effective_size() -> None:
    plain = sample_size_details(p=0.9, moe=0.03, method="logit")
    clustered = sample_size_details(p=0.9, moe=0.03, method="logit", deff=2.0)
    assert clustered.n0 == plain.n0
    assert clustered.n_deff == pytest.approx(2 * plain.n0, rel=1e-12)


@given(
    p=st.floats(0.05, 0.95),
    population=st.integers(1, 10**6),
    deff=st.floats(1.0, 4.0),
    rate=st.floats(0.2, 1.0),
)
def test_size_grows_with_each_correction_and_never_exceeds_the_gross(
    p: float, population: int, deff: float, rate: float
) -> None:
    plan = sample_size_details(p=p, moe=0.03, deff=deff, population=population, response_rate=rate)
    assert plan.n_fpc <= plan.n0
    assert plan.n_fpc <= population * (1 + 1e-12)
    assert plan.n_gross >= plan.n_deff >= plan.n_fpc
    assert plan.n - 1 < plan.n_gross <= plan.n + 1e-9


def test_each_stratum_is_sized_on_its_own() -> None:
    sizes = {"东城": 305000, "西城": 1200, "小区": 150}
    plan = sample_size_by_stratum(sizes, p=0.9, moe=0.03, deff={"东城": 1.5, "西城": 1, "小区": 1})
    assert plan["东城"] == sample_size_proportion(p=0.9, moe=0.03, deff=1.5, population=305000)
    assert plan["西城"] == sample_size_proportion(p=0.9, moe=0.03, population=1200)
    assert plan["小区"] <= 150
    assert plan.n == sum(plan.values())
    assert list(plan) == list(sizes)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"p": 0.0}, "p"),
        ({"p": 1.2}, "p"),
        ({"moe": 0.0}, "moe"),
        ({"confidence_level": 1.5}, "confidence_level"),
        ({"deff": 0.5}, "deff"),
        ({"response_rate": 0.0}, "response_rate"),
        ({"response_rate": 1.1}, "response_rate"),
        ({"population": 0}, "population"),
        ({"method": "exact"}, "method"),
        ({"criterion": "width"}, "criterion"),
        ({"method": "wilson", "moe": 0.6}, "moe"),
    ],
)
def test_errors_name_the_argument(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        sample_size_proportion(**kwargs)


def test_stratum_mapping_must_cover_the_strata() -> None:
    with pytest.raises(ValueError, match="deff"):
        sample_size_by_stratum({"a": 100, "b": 200}, deff={"a": 1.5})
