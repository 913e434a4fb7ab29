"""Allocation to strata: textbook targets, integer totals, minimums and caps, clear errors."""

import dataclasses
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.planning import AllocationMethod, allocate

# Scheaffer, Mendenhall, Ott & Gerow, *Elementary Survey Sampling* (7th ed., 2012), ch. 5:
# the advertising firm's television-viewing survey, households in town A, town B and the rural
# area, N = 155, 62, 93, prior standard deviations σ ≈ 5, 15, 10 hours, cost per observation
# c = $9, $9, $16. The book's optimum (cost) allocation fractions are
# N_h σ_h/√c_h / Σ = 0.32, 0.39, 0.29 — exactly 310/961, 372/961, 279/961.
TV_SIZES = {"town A": 155, "town B": 62, "rural": 93}
TV_SD = {"town A": 5.0, "town B": 15.0, "rural": 10.0}
TV_COSTS = {"town A": 9.0, "town B": 9.0, "rural": 16.0}


def test_textbook_allocation_for_a_field_sized_sample() -> None:
    # 58 · (310, 372, 279)/961 = 18.71, 22.45, 16.84 → 18, 22, 16 + the two largest remainders.
    a = allocate(58, TV_SIZES, method="optimal", sd=TV_SD, costs=TV_COSTS)
    assert a.targets == pytest.approx(
        {"town A": 58 * 310 / 961, "town B": 58 * 372 / 961, "rural": 58 * 279 / 961},
        rel=1e-12,
    )
    assert dict(a) == {"town A": 19, "town B": 22, "rural": 17}
    fractions = {key: round(target / 58, 2) for key, target in a.targets.items()}
    assert fractions == {"town A": 0.32, "town B": 0.39, "rural": 0.29}


def test_textbook_neyman_allocation_ignores_costs() -> None:
    # N_h σ_h = 775, 930, 930 (same example, equal costs): 62 · (155, 186, 186)/527.
    a = allocate(62, TV_SIZES, method="neyman", sd=TV_SD)
    assert a.targets == pytest.approx(
        {"town A": 62 * 155 / 527, "town B": 62 * 186 / 527, "rural": 62 * 186 / 527}, rel=1e-12
    )
    assert dict(a) == {"town A": 18, "town B": 22, "rural": 22}


def test_neyman_for_proportions_uses_the_bernoulli_spread() -> None:
    sizes = {"a": 1000, "b": 1000}
    a = allocate(100, sizes, method="neyman", p={"a": 0.5, "b": 0.9})
    # S = 0.5 and 0.3 → 62.5 : 37.5
    assert a.targets == pytest.approx({"a": 62.5, "b": 37.5}, rel=1e-12)
    assert sum(a.values()) == 100


def test_call_from_the_statistics_contract() -> None:
    sizes = {"东城": 305000, "西城": 410000, "朝阳": 1500000}
    p = {"东城": 0.9, "西城": 0.85, "朝阳": 0.95}
    a = allocate(1155, sizes=sizes, method="neyman", p=p, minimum=2)
    assert sum(a.values()) == 1155
    assert list(a) == list(sizes)
    assert a["朝阳"] == max(a.values())


def test_proportional_and_equal() -> None:
    sizes = {"a": 500, "b": 300, "c": 200}
    assert dict(allocate(60, sizes, method="proportional")) == {"a": 30, "b": 18, "c": 12}
    assert dict(allocate(60, sizes, method="equal")) == {"a": 20, "b": 20, "c": 20}


def test_power_allocation_spans_equal_precision_to_neyman() -> None:
    sizes = {"a": 90000, "b": 9000, "c": 900}
    p = {"a": 0.9, "b": 0.5, "c": 0.8}
    neyman = allocate(300, sizes, method="neyman", p=p)
    assert dict(allocate(300, sizes, method="power", p=p, power=1.0)) == dict(neyman)
    # q = 0: n_h ∝ S_h = 0.3, 0.5, 0.4, so every stratum gets the same standard error.
    flat = allocate(300, sizes, method="power", p=p, power=0.0)
    assert flat.targets == pytest.approx({"a": 75.0, "b": 125.0, "c": 100.0}, rel=1e-12)
    # Equal planned p: q = 0.5 gives n_h ∝ √N_h (Bankier 1988's compromise).
    root = allocate(111, {"a": 10000, "b": 100, "c": 1}, method="power", power=0.5, minimum=0)
    assert root.targets == pytest.approx({"a": 100.0, "b": 10.0, "c": 1.0}, rel=1e-12)


def test_minimum_is_enforced_and_the_rest_reallocated() -> None:
    sizes = {"big": 1_000_000, "small": 100}
    a = allocate(100, sizes, method="proportional", minimum=2)
    assert dict(a) == {"big": 98, "small": 2}
    assert a.at_minimum == frozenset({"small"})


def test_caps_at_the_stratum_size_and_given_caps() -> None:
    sizes = {"a": 5, "b": 1000, "c": 1000}
    a = allocate(300, sizes, method="equal")
    assert dict(a) == {"a": 5, "b": 148, "c": 147}  # the 147.5 tie goes to the first listed
    assert "a" in a.at_cap
    capped = allocate(300, sizes, method="equal", caps={"a": 3, "b": 100, "c": 1000})
    assert dict(capped) == {"a": 3, "b": 100, "c": 197}


def test_a_stratum_smaller_than_the_minimum_is_taken_whole() -> None:
    a = allocate(20, {"tiny": 1, "rest": 500}, method="proportional", minimum=2)
    assert dict(a) == {"tiny": 1, "rest": 19}


def test_result_is_a_frozen_mapping() -> None:
    a = allocate(10, {"a": 50, "b": 50})
    assert a == {"a": 5, "b": 5}
    assert len(a) == 2
    assert a["a"] == 5
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.n = 11  # type: ignore[misc]


@pytest.mark.parametrize(
    ("n", "kwargs", "name"),
    [
        (3, {"minimum": 2}, "n"),
        (2000, {}, "n"),
        (0, {}, "n"),
        (10, {"method": "cube"}, "method"),
        (10, {"method": "neyman"}, "p"),
        (10, {"method": "neyman", "p": {"a": 0.9, "b": 1.2}}, "p"),
        (10, {"method": "neyman", "p": {"a": 0.9}}, "p"),
        (10, {"method": "neyman", "sd": {"a": 1, "b": -1}}, "sd"),
        (10, {"method": "optimal", "p": 0.9}, "costs"),
        (10, {"method": "optimal", "p": 0.9, "costs": {"a": 1, "b": 0}}, "costs"),
        (10, {"method": "power", "power": 2}, "power"),
        (10, {"minimum": -1}, "minimum"),
        (10, {"caps": {"a": 1.5, "b": 3}}, "caps"),
        (10, {"caps": {"a": 2, "b": 3}}, "caps"),
        (10, {"p": 0.9, "sd": 1.0}, "sd"),
    ],
)
def test_errors_name_the_argument(n: int, kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        allocate(n, {"a": 500, "b": 500}, **kwargs)


def test_sizes_must_be_positive() -> None:
    with pytest.raises(ValueError, match="sizes"):
        allocate(10, {"a": 500, "b": -1})
    with pytest.raises(ValueError, match="sizes"):
        allocate(10, {})


@st.composite
def problems(draw: st.DrawFn) -> dict[str, Any]:
    strata = [f"s{i}" for i in range(draw(st.integers(1, 12)))]
    sizes = {s: draw(st.integers(1, 10**6)) for s in strata}
    minimum = draw(st.integers(0, 5))
    caps = draw(st.none() | st.fixed_dictionaries({s: st.integers(0, 10**6) for s in strata}))
    upper = {s: min(sizes[s], caps[s]) if caps else sizes[s] for s in strata}
    lower = sum(min(minimum, upper[s]) for s in strata)
    total = sum(upper.values())
    if total < max(lower, 1):
        caps = None
        upper = sizes
        lower = sum(min(minimum, sizes[s]) for s in strata)
        total = sum(sizes.values())
    n = draw(st.integers(max(lower, 1), min(total, 10**5)))
    method: AllocationMethod = draw(
        st.sampled_from(["proportional", "equal", "neyman", "optimal", "power"])
    )
    return {
        "n": n,
        "sizes": sizes,
        "method": method,
        "p": {s: draw(st.floats(0.01, 0.99)) for s in strata},
        "costs": {s: draw(st.floats(0.5, 50.0)) for s in strata},
        "minimum": minimum,
        "caps": caps,
        "power": draw(st.floats(0.0, 1.0)),
    }


@given(problems())
def test_allocations_add_up_and_respect_minimums_and_caps(problem: dict[str, Any]) -> None:
    a = allocate(**problem)
    sizes, caps, minimum = problem["sizes"], problem["caps"], problem["minimum"]
    assert sum(a.values()) == problem["n"]
    assert list(a) == list(sizes)
    for stratum, count in a.items():
        cap = min(sizes[stratum], caps[stratum]) if caps else sizes[stratum]
        assert min(minimum, cap) <= count <= cap
        assert abs(count - a.targets[stratum]) < 1
    assert sum(a.targets.values()) == pytest.approx(problem["n"], rel=1e-9)


def _weight(problem: dict[str, Any], stratum: str) -> float:
    N = problem["sizes"][stratum]
    S = math.sqrt(problem["p"][stratum] * (1 - problem["p"][stratum]))
    weights: dict[str, float] = {
        "proportional": N,
        "equal": 1.0,
        "neyman": N * S,
        "optimal": N * S / math.sqrt(problem["costs"][stratum]),
        "power": N ** problem["power"] * S,
    }
    return weights[problem["method"]]


@given(problems())
def test_free_strata_keep_the_method_s_proportions(problem: dict[str, Any]) -> None:
    a = allocate(**problem)
    free = [s for s in a if a.caps[s] > a.targets[s] > min(a.minimum, a.caps[s])]
    for stratum in free[1:]:
        assert a.targets[stratum] / _weight(problem, stratum) == pytest.approx(
            a.targets[free[0]] / _weight(problem, free[0]), rel=1e-9
        )


@given(problems())
def test_allocation_is_deterministic(problem: dict[str, Any]) -> None:
    first, second = allocate(**problem), allocate(**problem)
    assert first == second
    assert first.targets == second.targets
