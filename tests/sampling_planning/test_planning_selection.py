"""Selection with a seed: SRS, systematic and PPS systematic with certainty units."""

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.planning import (
    SelectionMethod,
    allocate,
    pps_inclusion_probabilities,
    replacement_order,
    select,
    select_stratified,
)

COMMUNITIES = np.array([100, 5000, 20, 30, 40, 60, 800, 10, 10, 10], dtype=float)


def test_certainty_units_are_taken_out_iteratively() -> None:
    # X = 6080, interval 1520: 5000 is certain; rest 1080/3 = 360: 800 is certain;
    # rest 280/2 = 140: no size reaches it, so π_i = x_i/140 for the others.
    pi, certain = pps_inclusion_probabilities(COMMUNITIES, 4)
    assert certain.tolist() == [False, True, False, False, False, False, True, False, False, False]
    expected = np.where(certain, 1.0, COMMUNITIES / 140.0)
    np.testing.assert_allclose(pi, expected, rtol=1e-12)
    assert pi.sum() == pytest.approx(4.0, rel=1e-12)


def test_pps_sample_keeps_probabilities_and_certainty() -> None:
    s = select(COMMUNITIES, 4, method="pps_systematic", rng=np.random.default_rng(2026))
    assert s.indices.size == 4
    assert {1, 6} <= set(s.indices.tolist())
    np.testing.assert_allclose(s.selected_probabilities, s.inclusion_probabilities[s.indices])
    np.testing.assert_allclose(s.weights, 1.0 / s.selected_probabilities)
    assert s.certainty[s.indices].sum() == 2


def test_pps_selection_frequencies_match_the_inclusion_probabilities() -> None:
    sizes = np.array([5, 1, 8, 2, 9, 3, 3, 12, 4, 6], dtype=float)
    rng = np.random.default_rng(7)
    draws = 4000
    hits = np.zeros(sizes.size)
    for _ in range(draws):
        hits[select(sizes, 3, method="pps_systematic", rng=rng).indices] += 1
    pi, _ = pps_inclusion_probabilities(sizes, 3)
    tolerance = 4 * np.sqrt(pi * (1 - pi) / draws) + 1e-3
    assert np.all(np.abs(hits / draws - pi) <= tolerance)


def test_systematic_takes_every_kth_unit_from_a_random_start() -> None:
    s = select(10, 3, method="systematic", rng=np.random.default_rng(1))
    steps = np.diff(s.indices)
    assert set(steps.tolist()) <= {3, 4}
    np.testing.assert_allclose(s.inclusion_probabilities, 0.3)
    every_fifth = select(100, 20, method="systematic", rng=np.random.default_rng(3))
    assert set(np.diff(every_fifth.indices).tolist()) == {5}


def test_srs_gives_equal_probabilities() -> None:
    s = select(50, 10, rng=np.random.default_rng(4))
    assert s.method == "srs"
    assert len(set(s.indices.tolist())) == 10
    np.testing.assert_allclose(s.inclusion_probabilities, 0.2)
    assert not s.certainty.any()


def test_sizes_are_ignored_by_equal_probability_methods() -> None:
    s = select(COMMUNITIES, 5, method="systematic", rng=np.random.default_rng(5))
    np.testing.assert_allclose(s.inclusion_probabilities, 0.5)


def test_zero_sizes_are_never_drawn() -> None:
    sizes = np.array([0, 10, 0, 20, 30], dtype=float)
    for seed in range(20):
        s = select(sizes, 2, method="pps_systematic", rng=np.random.default_rng(seed))
        assert not set(s.indices.tolist()) & {0, 2}


def test_result_arrays_are_read_only_and_the_input_untouched() -> None:
    sizes = COMMUNITIES.copy()
    s = select(sizes, 3, method="pps_systematic", rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="read-only"):
        s.inclusion_probabilities[0] = 0.5
    sizes[0] = 1.0
    assert s.sizes[0] == 100.0


def test_reserve_list_is_ordered_reproducible_and_outside_the_sample() -> None:
    s = select(COMMUNITIES, 3, method="pps_systematic", rng=np.random.default_rng(11))
    first = replacement_order(s, rng=np.random.default_rng(12))
    again = replacement_order(s, rng=np.random.default_rng(12))
    np.testing.assert_array_equal(first, again)
    assert not set(first.tolist()) & set(s.indices.tolist())
    assert sorted(first.tolist() + s.indices.tolist()) == list(range(COMMUNITIES.size))
    assert (
        replacement_order(s, rng=np.random.default_rng(12), count=2).tolist() == first[:2].tolist()
    )


def test_reserve_list_draws_large_communities_first_more_often() -> None:
    sizes = np.array([3000, 1000, 1, 1, 1, 1], dtype=float)
    s = select(sizes, 1, method="pps_systematic", rng=np.random.default_rng(0))
    assert s.indices.tolist() == [0]
    heads = [replacement_order(s, rng=np.random.default_rng(k), count=1)[0] for k in range(50)]
    assert heads.count(1) > 40


def test_stratified_draw_follows_the_allocation() -> None:
    districts = np.array(["东城"] * 6 + ["西城"] * 4)
    allocation = allocate(
        5, {"东城": COMMUNITIES[:6].sum(), "西城": COMMUNITIES[6:].sum()}, minimum=2
    )
    allocation_counts = {"东城": 3, "西城": 2}
    s = select_stratified(
        districts,
        allocation_counts,
        "pps_systematic",
        sizes=COMMUNITIES,
        rng=np.random.default_rng(9),
    )
    assert s.n == 5
    for district, n_h in allocation_counts.items():
        inside = districts == district
        assert np.isin(s.indices, np.flatnonzero(inside)).sum() == n_h
        assert s.inclusion_probabilities[inside].sum() == pytest.approx(n_h, rel=1e-12)
    again = select_stratified(
        districts,
        allocation_counts,
        "pps_systematic",
        sizes=COMMUNITIES,
        rng=np.random.default_rng(9),
    )
    np.testing.assert_array_equal(s.indices, again.indices)
    equal = select_stratified(
        districts, allocation, sizes=COMMUNITIES, rng=np.random.default_rng(9)
    )
    assert equal.n == 5
    np.testing.assert_array_equal(equal.sizes, np.ones(10))


def test_stratified_errors_name_the_stratum() -> None:
    districts = ["a", "a", "b"]
    with pytest.raises(ValueError, match=r"allocation\['b'\]"):
        select_stratified(districts, {"a": 1, "b": 2}, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="allocation"):
        select_stratified(districts, {"a": 1}, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match="sizes"):
        select_stratified(
            districts, {"a": 1, "b": 1}, "pps_systematic", rng=np.random.default_rng(0)
        )


def test_reserve_list_can_stay_inside_the_district() -> None:
    districts = np.array(["东城"] * 6 + ["西城"] * 4)
    s = select_stratified(
        districts,
        {"东城": 2, "西城": 1},
        "pps_systematic",
        sizes=COMMUNITIES,
        rng=np.random.default_rng(3),
    )
    reserve = replacement_order(s, rng=np.random.default_rng(4), among=districts == "西城")
    assert set(reserve.tolist()) <= set(range(6, 10)) - set(s.indices.tolist())
    assert reserve.size == 3
    with pytest.raises(ValueError, match="among"):
        replacement_order(s, rng=np.random.default_rng(4), among=[1, 0])


@pytest.mark.parametrize(
    ("args", "kwargs", "name"),
    [
        ((10, 11), {}, "n"),
        ((10, 0), {}, "n"),
        ((10, 3), {"method": "cube"}, "method"),
        ((10, 3), {"method": "pps_systematic"}, "sizes_or_n_units"),
        (([1.0, -2.0, 3.0], 1), {"method": "pps_systematic"}, "sizes_or_n_units"),
        (([[1.0, 2.0]], 1), {}, "sizes_or_n_units"),
        (([0.0, 0.0, 5.0], 2), {"method": "pps_systematic"}, "n"),
    ],
)
def test_errors_name_the_argument(args: tuple[Any, ...], kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        select(*args, rng=np.random.default_rng(0), **kwargs)


def test_rng_must_be_a_generator() -> None:
    with pytest.raises(TypeError, match="rng"):
        select(10, 3, rng=np.random.RandomState(0))  # type: ignore[arg-type]


methods = st.sampled_from(["srs", "systematic", "pps_systematic"])
frames = st.lists(st.integers(0, 10_000), min_size=1, max_size=60).filter(any)


@given(frames, st.data(), st.integers(0, 2**32 - 1), methods)
def test_inclusion_probabilities_sum_to_n_and_stay_at_most_one(
    sizes: list[int], data: st.DataObject, seed: int, method: SelectionMethod
) -> None:
    drawable = sum(x > 0 for x in sizes) if method == "pps_systematic" else len(sizes)
    n = data.draw(st.integers(1, drawable))
    s = select(np.array(sizes, dtype=float), n, method=method, rng=np.random.default_rng(seed))
    assert s.inclusion_probabilities.sum() == pytest.approx(n, rel=1e-9)
    assert np.all(s.inclusion_probabilities <= 1.0 + 1e-12)
    assert np.all(s.inclusion_probabilities >= 0.0)
    assert s.indices.size == n
    assert np.all(np.diff(s.indices) > 0)
    assert np.all(s.inclusion_probabilities[s.indices] > 0)
    assert set(np.flatnonzero(s.certainty).tolist()) <= set(s.indices.tolist())


@given(frames, st.data(), st.integers(0, 2**32 - 1), methods)
def test_the_same_seed_gives_the_same_sample(
    sizes: list[int], data: st.DataObject, seed: int, method: SelectionMethod
) -> None:
    drawable = sum(x > 0 for x in sizes) if method == "pps_systematic" else len(sizes)
    n = data.draw(st.integers(1, drawable))
    frame = np.array(sizes, dtype=float)
    first = select(frame, n, method=method, rng=np.random.default_rng(seed))
    second = select(frame, n, method=method, rng=np.random.default_rng(seed))
    np.testing.assert_array_equal(first.indices, second.indices)
    np.testing.assert_array_equal(
        replacement_order(first, rng=np.random.default_rng(seed)),
        replacement_order(second, rng=np.random.default_rng(seed)),
    )
