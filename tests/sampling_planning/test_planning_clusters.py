"""Communities × interviews per community from an intra-cluster correlation."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sampling.planning import cluster_plan, cluster_plan_by_stratum, sample_size_details


def test_design_effect_and_cluster_count() -> None:
    n0 = sample_size_details(p=0.9, moe=0.03).n0  # 384.15
    plan = cluster_plan(n0, 0.05, per_cluster=15)
    assert plan.deff == pytest.approx(1 + 14 * 0.05, rel=1e-12)  # Kish: 1 + (m − 1)ρ = 1.7
    assert plan.clusters == math.ceil(n0 * 1.7 / 15) == 44
    assert plan.n == 44 * 15
    assert plan.n_effective >= n0


def test_cost_model_gives_the_optimal_take() -> None:
    # m_opt = √((c₁/c₂)(1 − ρ)/ρ) = √(20 · 0.95/0.05) = √380 = 19.49 → 19.
    plan = cluster_plan(400, 0.05, cost_per_cluster=400, cost_per_interview=20)
    assert plan.optimal_per_cluster == pytest.approx(math.sqrt(380), rel=1e-12)
    assert plan.per_cluster == 19


def test_too_few_communities_raise_the_take() -> None:
    plan = cluster_plan(200, 0.05, per_cluster=10, clusters_available=12)
    assert plan.clusters == 12
    assert plan.n_effective >= 200
    smaller = plan.per_cluster - 1
    assert 12 * smaller / (1 + (smaller - 1) * 0.05) < 200


def test_a_floor_of_two_communities_per_district() -> None:
    assert cluster_plan(5, 0.1, per_cluster=20).clusters == 2


def test_by_district() -> None:
    plans = cluster_plan_by_stratum(
        {"东城": 380, "西城": 200}, 0.05, {"东城": 60, "西城": 12}, per_cluster=10
    )
    assert plans["东城"].clusters == math.ceil(380 * 1.45 / 10)
    assert plans["西城"].clusters == 12


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n_effective": 0, "icc": 0.05, "per_cluster": 10}, "n_effective"),
        ({"n_effective": 100, "icc": 1.0, "per_cluster": 10}, "icc"),
        ({"n_effective": 100, "icc": 0.05}, "per_cluster"),
        ({"n_effective": 100, "icc": 0.05, "per_cluster": 0}, "per_cluster"),
        ({"n_effective": 100, "icc": 0.0, "cost_per_cluster": 1, "cost_per_interview": 1}, "icc"),
        (
            {"n_effective": 100, "icc": 0.05, "cost_per_cluster": -1, "cost_per_interview": 1},
            "cost_per_cluster",
        ),
        (
            {"n_effective": 400, "icc": 0.1, "per_cluster": 10, "clusters_available": 30},
            "clusters_available",
        ),
    ],
)
def test_errors_name_the_argument(kwargs: dict[str, float], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        cluster_plan(**kwargs)  # type: ignore[arg-type]


@given(
    st.floats(10, 3000),
    st.floats(0.0, 0.3),
    st.integers(1, 60),
    st.none() | st.integers(2, 400),
)
def test_plans_reach_the_effective_size(
    needed: float, icc: float, take: int, available: int | None
) -> None:
    if available is not None and available <= needed * icc:
        with pytest.raises(ValueError, match="clusters_available"):
            cluster_plan(needed, icc, per_cluster=take, clusters_available=available)
        return
    plan = cluster_plan(needed, icc, per_cluster=take, clusters_available=available)
    assert plan.n_effective >= needed * (1 - 1e-9)
    assert plan.n == plan.clusters * plan.per_cluster
    assert plan.deff == pytest.approx(1 + (plan.per_cluster - 1) * icc, rel=1e-12)
    if available is not None:
        assert plan.clusters <= max(available, 0)
