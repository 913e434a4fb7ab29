"""Age × sex quota cells that add up to each community's target."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.planning import quotas, quotas_by_community

CENSUS = {
    ("18-29", "男"): 100,
    ("18-29", "女"): 120,
    ("30-59", "男"): 300,
    ("30-59", "女"): 310,
    ("60+", "男"): 90,
    ("60+", "女"): 110,
}


def test_quotas_follow_the_census_and_add_up() -> None:
    q = quotas(37, CENSUS)
    # 37 · count / 1030 = 3.59, 4.31, 10.78, 11.14, 3.23, 3.95 → floors add to 34; the three
    # largest remainders (.95, .78, .59) get one more.
    assert dict(q) == {
        ("18-29", "男"): 4,
        ("18-29", "女"): 4,
        ("30-59", "男"): 11,
        ("30-59", "女"): 11,
        ("60+", "男"): 3,
        ("60+", "女"): 4,
    }
    assert sum(q.values()) == 37
    assert q.targets[("30-59", "女")] == pytest.approx(37 * 310 / 1030, rel=1e-12)


def test_ties_go_to_the_first_listed_cell() -> None:
    q = quotas(3, {("18-29", "男"): 1, ("18-29", "女"): 1})
    assert dict(q) == {("18-29", "男"): 2, ("18-29", "女"): 1}


def test_empty_cells_get_no_quota() -> None:
    q = quotas(10, {("18-29", "男"): 0, ("18-29", "女"): 5, ("60+", "女"): 5})
    assert q[("18-29", "男")] == 0
    assert sum(q.values()) == 10


def test_each_community_gets_its_own_cells() -> None:
    plans = quotas_by_community({"甲": 20, "乙": 15}, {"甲": CENSUS, "乙": CENSUS, "丙": CENSUS})
    assert {key: sum(q.values()) for key, q in plans.items()} == {"甲": 20, "乙": 15}


@pytest.mark.parametrize(
    ("target", "census", "name"),
    [
        (-1, CENSUS, "target"),
        (5, {}, "census"),
        (5, {("a", "b"): -1}, "census"),
        (5, {("a", "b"): 0}, "census"),
    ],
)
def test_errors_name_the_argument(
    target: int, census: dict[tuple[str, str], float], name: str
) -> None:
    with pytest.raises(ValueError, match=name):
        quotas(target, census)


def test_a_community_without_census_cells_is_refused() -> None:
    with pytest.raises(ValueError, match="census"):
        quotas_by_community({"甲": 20}, {})


@given(
    st.integers(0, 500),
    st.lists(st.integers(0, 10_000), min_size=1, max_size=16).filter(any),
)
def test_quotas_add_up_and_stay_within_one_of_the_share(target: int, counts: list[int]) -> None:
    census = {(f"age{i}", "男" if i % 2 else "女"): c for i, c in enumerate(counts)}
    q = quotas(target, census)
    assert sum(q.values()) == target
    for cell, quota in q.items():
        assert abs(quota - q.targets[cell]) < 1
        assert quota >= 0
    again = quotas(target, census)
    assert again == q
    assert again.targets == q.targets
