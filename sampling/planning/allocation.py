"""Allocation of a sample of n units to strata, in integers that add up to n.

Each method gives a weight w_h per stratum; the continuous targets are n_h = λ·w_h, clipped to
the box [minimum, cap_h] with λ chosen so that they add up to n (for Neyman and cost-optimal
allocation this is the optimum under the bounds, the usual fix of taking an over-allocated
stratum whole and reallocating the rest; Cochran 1977, ch. 5), and the targets are rounded by
largest remainders so that the integers add up to n and stay inside the box.

| method         | weight w_h                     | source                               |
| -------------- | ------------------------------ | ------------------------------------ |
| "proportional" | N_h                            | Cochran 1977, ch. 5                  |
| "equal"        | 1                              |                                      |
| "neyman"       | N_h·S_h                        | Neyman 1934; Cochran 1977, ch. 5     |
| "optimal"      | N_h·S_h / √c_h                 | Cochran 1977, ch. 5 (c_h per unit)   |
| "power"        | N_h^q·S_h                      | Bankier 1988                         |

S_h = √(P_h(1 − P_h)) for a planned proportion P_h (``p``), or a standard deviation given
directly (``sd``); without either, S_h = 1 for "optimal" and "power". R: ``PracTools::strAlloc``
gives the same unrounded Neyman and cost-optimal targets.

Bankier (1988, "Power allocations: determining sample sizes for subnational areas", *The
American Statistician* 42(3), 174–177) minimises Σ_h (X_h^q · CV_h)², giving n_h ∝ X_h^q·S_h/Ȳ_h.
Minyi judges proportions against an absolute threshold, so it applies the criterion to standard
errors, Σ_h (N_h^q · SE_h)² (Bankier's rule with X_h = N_h and a common Ȳ), giving n_h ∝ N_h^q·S_h:
q = 1 is Neyman allocation, q = 0 gives every stratum the same standard error, and 0 < q < 1
trades national against district precision.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from sampling.planning import _checks
from sampling.planning._rounding import largest_remainder

AllocationMethod = Literal["proportional", "equal", "neyman", "optimal", "power"]
METHODS: tuple[AllocationMethod, ...] = ("proportional", "equal", "neyman", "optimal", "power")


@dataclass(frozen=True, slots=True, eq=False)
class Allocation(Mapping[str, int]):
    """Integer sample sizes by stratum; reads (and compares) as a mapping stratum → n_h.

    ``targets`` are the unrounded n_h (after the minimum and the caps), ``caps`` the largest
    n_h allowed (N_h, or a smaller cap given), ``at_minimum`` / ``at_cap`` the strata whose
    bound binds.
    """

    method: AllocationMethod
    n: int
    counts: Mapping[str, int]
    targets: Mapping[str, float]
    minimum: int
    caps: Mapping[str, int]
    at_minimum: frozenset[str]
    at_cap: frozenset[str]

    def __getitem__(self, stratum: str) -> int:
        return self.counts[stratum]

    def __iter__(self) -> Iterator[str]:
        return iter(self.counts)

    def __len__(self) -> int:
        return len(self.counts)


def allocate(
    n: int,
    sizes: Mapping[str, float],
    method: AllocationMethod = "proportional",
    *,
    p: float | Mapping[str, float] | None = None,
    sd: float | Mapping[str, float] | None = None,
    costs: float | Mapping[str, float] | None = None,
    minimum: int = 2,
    caps: Mapping[str, int] | None = None,
    power: float = 0.5,
) -> Allocation:
    """Allocate ``n`` units to the strata of ``sizes`` (stratum → N_h).

    ``p`` (planned proportions P_h) or ``sd`` (S_h) feed "neyman", "optimal" and "power";
    ``costs`` (cost per interview c_h) is required by "optimal"; ``power`` is Bankier's q.
    Every stratum gets at least ``minimum`` units (default 2, so no stratum is left with a
    lonely unit; a stratum with fewer units than that is taken whole) and at most
    min(N_h, caps[h]). Raises ``ValueError`` naming the argument when the request is
    impossible (n below minimum × strata, n above the units available) or malformed.
    """
    strata, N = _sizes(sizes)
    total = _checks.count("n", n, minimum=1)
    least = _checks.count("minimum", minimum, minimum=0)
    upper = np.floor(N)
    if caps is not None:
        cap_values = np.array(list(_checks.per_stratum("caps", caps, strata).values()))
        if np.any(cap_values < 0) or np.any(cap_values != np.floor(cap_values)):
            msg = f"caps must be non-negative integers, got {dict(caps)!r}"
            raise ValueError(msg)
        upper = np.minimum(upper, cap_values)
    lower = np.minimum(float(least), upper)
    if total < lower.sum():
        msg = (
            f"n = {total} is below the minimum of {least} per stratum over {len(strata)} strata "
            f"(needs n >= {int(lower.sum())})"
        )
        raise ValueError(msg)
    if total > upper.sum():
        name = "n" if caps is None else "n (with caps)"
        msg = f"{name} = {total} exceeds the {int(upper.sum())} units the strata can give"
        raise ValueError(msg)
    weights = _weights(method, strata, N, p=p, sd=sd, costs=costs, power=power)
    targets = _bounded_targets(weights, lower, upper, float(total))
    counts = largest_remainder(targets, total, upper)
    return Allocation(
        method=method,
        n=total,
        counts=dict(zip(strata, (int(c) for c in counts), strict=True)),
        targets=dict(zip(strata, (float(t) for t in targets), strict=True)),
        minimum=least,
        caps=dict(zip(strata, (int(u) for u in upper), strict=True)),
        at_minimum=frozenset(s for s, c, lo in zip(strata, counts, lower, strict=True) if c <= lo),
        at_cap=frozenset(s for s, c, up in zip(strata, counts, upper, strict=True) if c >= up),
    )


def _sizes(sizes: Mapping[str, float]) -> tuple[tuple[str, ...], npt.NDArray[np.float64]]:
    if not isinstance(sizes, Mapping) or len(sizes) == 0:
        msg = "sizes must be a non-empty mapping stratum -> population size N_h"
        raise ValueError(msg)
    strata = tuple(sizes)
    N = np.array([_checks.positive(f"sizes[{key!r}]", sizes[key]) for key in strata])
    return strata, N


def _weights(
    method: AllocationMethod,
    strata: tuple[str, ...],
    N: npt.NDArray[np.float64],
    *,
    p: float | Mapping[str, float] | None,
    sd: float | Mapping[str, float] | None,
    costs: float | Mapping[str, float] | None,
    power: float,
) -> npt.NDArray[np.float64]:
    if method not in METHODS:
        msg = f"method must be one of {', '.join(METHODS)}; got {method!r}"
        raise ValueError(msg)
    if p is not None and sd is not None:
        msg = "give either p (planned proportions) or sd (standard deviations), not both"
        raise ValueError(msg)
    if method == "proportional":
        return N
    if method == "equal":
        return np.ones_like(N)
    if method == "neyman" and p is None and sd is None:
        msg = "method='neyman' needs p (planned proportions) or sd (standard deviations)"
        raise ValueError(msg)
    S = _spreads(strata, p=p, sd=sd)
    if method == "neyman":
        return N * S
    if method == "optimal":
        if costs is None:
            msg = "method='optimal' needs costs (cost per interview in each stratum)"
            raise ValueError(msg)
        c = _checks.per_stratum("costs", costs, strata)
        cost = np.array([_checks.positive(f"costs[{key!r}]", c[key]) for key in strata])
        return np.asarray(N * S / np.sqrt(cost), dtype=np.float64)
    q = float(power)
    if not 0.0 <= q <= 1.0:
        msg = f"power must lie in [0, 1], got {power!r}"
        raise ValueError(msg)
    return np.asarray(N**q * S, dtype=np.float64)


def _spreads(
    strata: tuple[str, ...],
    *,
    p: float | Mapping[str, float] | None,
    sd: float | Mapping[str, float] | None,
) -> npt.NDArray[np.float64]:
    if p is not None:
        planned = _checks.per_stratum("p", p, strata)
        P = np.array([_checks.probability(f"p[{key!r}]", planned[key]) for key in strata])
        return np.sqrt(P * (1.0 - P))
    if sd is not None:
        given = _checks.per_stratum("sd", sd, strata)
        return np.array([_checks.positive(f"sd[{key!r}]", given[key]) for key in strata])
    return np.ones(len(strata))


def _bounded_targets(
    weights: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    n: float,
) -> npt.NDArray[np.float64]:
    """Solve Σ clip(λ·w_h, lower_h, upper_h) = n for λ and return the clipped targets.

    The sum is piecewise linear and non-decreasing in λ with kinks at lower_h/w_h and
    upper_h/w_h, so λ is found exactly by locating the segment and interpolating in it.
    """
    kinks = np.unique(np.concatenate([lower / weights, upper / weights]))
    totals = np.clip(np.outer(kinks, weights), lower, upper).sum(axis=1)
    k = int(np.searchsorted(totals, n))
    if k == 0:
        return lower.copy()
    if k == len(kinks):
        return upper.copy()
    lam = float(
        kinks[k - 1] + (n - totals[k - 1]) * (kinks[k] - kinks[k - 1]) / (totals[k] - totals[k - 1])
    )
    return np.asarray(np.clip(lam * weights, lower, upper), dtype=np.float64)
