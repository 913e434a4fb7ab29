"""Two-stage cluster samples: communities per district × interviews per community.

With m interviews in each sampled community and intra-cluster correlation ρ, the design
effect is deff = 1 + (m − 1)ρ (Kish 1965, ch. 5), so k communities of m interviews carry the
information of n_eff = k·m / (1 + (m − 1)ρ) simple-random interviews. With a cost c₁ per
community (travel, permissions) and c₂ per interview, the cost-optimal take per community is
m_opt = √((c₁/c₂)·(1 − ρ)/ρ) (Hansen, Hurwitz & Madow 1953; Lohr 2019, ch. 5).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from sampling.planning import _checks

# Keeps a product that equals an integer in exact arithmetic from rounding up past it.
_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class ClusterPlan:
    """``clusters`` communities × ``per_cluster`` interviews = ``n``; ``deff`` = 1 + (m − 1)ρ.

    ``n_effective`` is what the plan achieves, n/deff (≥ the requested effective size);
    ``optimal_per_cluster`` is the unrounded m_opt when the cost model chose m.
    """

    clusters: int
    per_cluster: int
    n: int
    deff: float
    n_effective: float
    icc: float
    optimal_per_cluster: float | None


def cluster_plan(
    n_effective: float,
    icc: float,
    *,
    per_cluster: int | None = None,
    cost_per_cluster: float | None = None,
    cost_per_interview: float | None = None,
    clusters_available: int | None = None,
    minimum_clusters: int = 2,
) -> ClusterPlan:
    """Communities and interviews per community that reach ``n_effective`` at ICC ``icc``.

    ``n_effective`` is the simple-random size the estimate needs (e.g. ``n_fpc`` of
    :func:`sampling.planning.sample_size_details` with deff = 1). The take per community is
    ``per_cluster`` when given, else m_opt from the two costs, rounded to the nearest integer
    (at least 1). Then n = n_effective·deff and k = ⌈n/m⌉, at least ``minimum_clusters`` (two
    PSUs per stratum keep the variance estimable). When k exceeds ``clusters_available`` every
    community is taken and m is raised to the smallest m with k·m/(1 + (m − 1)ρ) ≥ n_effective,
    m = ⌈n_eff(1 − ρ)/(k − n_eff·ρ)⌉; impossible when k ≤ n_eff·ρ (raises ``ValueError``).
    """
    needed = _checks.positive("n_effective", n_effective)
    rho = float(icc)
    if not 0.0 <= rho < 1.0:
        msg = f"icc must lie in [0, 1), got {icc!r}"
        raise ValueError(msg)
    least = _checks.count("minimum_clusters", minimum_clusters, minimum=1)
    available = (
        None
        if clusters_available is None
        else _checks.count("clusters_available", clusters_available, minimum=1)
    )
    take, optimum = _take(rho, per_cluster, cost_per_cluster, cost_per_interview)
    clusters = max(math.ceil(needed * (1.0 + (take - 1) * rho) / take - _SLACK), least)
    if available is not None and clusters > available:
        clusters = available
        if clusters <= needed * rho:
            msg = (
                f"clusters_available = {available} cannot reach n_effective = {needed:g} "
                f"at icc = {rho:g}: k communities give at most k/icc = {available / rho:g}"
            )
            raise ValueError(msg)
        take = max(take, math.ceil(needed * (1.0 - rho) / (clusters - needed * rho) - _SLACK))
    deff = 1.0 + (take - 1) * rho
    n = clusters * take
    return ClusterPlan(
        clusters=clusters,
        per_cluster=take,
        n=n,
        deff=deff,
        n_effective=n / deff,
        icc=rho,
        optimal_per_cluster=optimum,
    )


def cluster_plan_by_stratum(
    n_effective: float | Mapping[str, float],
    icc: float,
    clusters_available: Mapping[str, int],
    *,
    per_cluster: int | None = None,
    cost_per_cluster: float | None = None,
    cost_per_interview: float | None = None,
    minimum_clusters: int = 2,
) -> dict[str, ClusterPlan]:
    """:func:`cluster_plan` for each stratum (district → communities in its frame)."""
    if not isinstance(clusters_available, Mapping) or len(clusters_available) == 0:
        msg = "clusters_available must be a non-empty mapping stratum -> number of communities"
        raise ValueError(msg)
    strata = tuple(clusters_available)
    needed = _checks.per_stratum("n_effective", n_effective, strata)
    return {
        key: cluster_plan(
            needed[key],
            icc,
            per_cluster=per_cluster,
            cost_per_cluster=cost_per_cluster,
            cost_per_interview=cost_per_interview,
            clusters_available=clusters_available[key],
            minimum_clusters=minimum_clusters,
        )
        for key in strata
    }


def _take(
    rho: float,
    per_cluster: int | None,
    cost_per_cluster: float | None,
    cost_per_interview: float | None,
) -> tuple[int, float | None]:
    if per_cluster is not None:
        return _checks.count("per_cluster", per_cluster, minimum=1), None
    if cost_per_cluster is None or cost_per_interview is None:
        msg = "give per_cluster, or both cost_per_cluster and cost_per_interview"
        raise ValueError(msg)
    c1 = _checks.positive("cost_per_cluster", cost_per_cluster)
    c2 = _checks.positive("cost_per_interview", cost_per_interview)
    if rho == 0.0:
        msg = "icc must be > 0 for the cost model (at icc = 0, m_opt is unbounded)"
        raise ValueError(msg)
    optimum = math.sqrt(c1 / c2 * (1.0 - rho) / rho)
    return max(1, round(optimum)), optimum
