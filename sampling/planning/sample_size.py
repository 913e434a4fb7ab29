"""Sample size for estimating a proportion to a given precision.

The steps, in this order (Cochran 1977, §4.4; Lohr 2019, §2.7; Kish 1965 for the design effect):

1. n₀ = z²·p(1 − p)/e², the simple-random-sample size in an infinite population, z the
   standard normal quantile at (1 + confidence_level)/2 (method "wald"); for "wilson" and
   "logit", n₀ is the smallest (real) effective size whose interval at p̂ = p has half-width
   (or distance from p to the lower bound) e — see :func:`interval_half_width`;
2. finite-population correction n₁ = n₀ / (1 + (n₀ − 1)/N);
3. design effect n₂ = deff · n₁;
4. expected response rate n₃ = n₂ / response_rate;
5. round up once, at the end: n = ⌈n₃⌉.

Check: p = 0.9, e = 0.03, 95 % → n₀ = 1.959964²·0.09/0.0009 = 384.15 → 385.
R: ``ceiling(qnorm(0.975)^2 * 0.9 * 0.1 / 0.03^2)`` gives 385.
"""

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from scipy import optimize, special, stats

from sampling.planning import _checks

SizingMethod = Literal["wald", "wilson", "logit"]
Criterion = Literal["half_width", "lower_distance"]
SIZING_METHODS: tuple[SizingMethod, ...] = ("wald", "wilson", "logit")
CRITERIA: tuple[Criterion, ...] = ("half_width", "lower_distance")

# A computed n₃ a hair above an integer it equals in exact arithmetic must not round up past it.
_SLACK = 1e-9


@dataclass(frozen=True, slots=True)
class SampleSize:
    """Every step of a sample-size calculation; ``n`` is the number to field."""

    n: int
    n0: float
    n_fpc: float
    n_deff: float
    n_gross: float
    p: float
    moe: float
    confidence_level: float
    z: float
    deff: float
    population: float | None
    response_rate: float
    method: SizingMethod
    criterion: Criterion


def z_value(confidence_level: float) -> float:
    """Two-sided standard normal quantile z = Φ⁻¹((1 + confidence_level)/2)."""
    level = _checks.probability("confidence_level", confidence_level)
    return float(stats.norm.ppf(0.5 + level / 2.0))


def interval_half_width(
    p: float,
    n_effective: float,
    *,
    method: SizingMethod = "wald",
    criterion: Criterion = "half_width",
    confidence_level: float = 0.95,
) -> float:
    """Expected precision of a proportion's interval when p̂ = p with effective size n.

    "wald": z·√(p(1 − p)/n). "wilson" (Wilson 1927): centre (p + z²/2n)/(1 + z²/n), half-width
    z/(1 + z²/n)·√(p(1 − p)/n + z²/4n²). "logit": logit(p) ± z/√(n·p(1 − p)) mapped back with the
    inverse logit, as R's ``svyciprop(method = "logit")`` does with the design's effective n.
    ``criterion="half_width"`` returns (upper − lower)/2, ``"lower_distance"`` returns p − lower,
    the distance that decides a "≥ threshold" verdict.
    """
    z = z_value(confidence_level)
    share = _checks.probability("p", p)
    n = _checks.positive("n_effective", n_effective)
    if method == "wald":
        half = z * math.sqrt(share * (1.0 - share) / n)
        low, high = share - half, share + half
    elif method == "wilson":
        centre = (share + z * z / (2.0 * n)) / (1.0 + z * z / n)
        half = z / (1.0 + z * z / n) * math.sqrt(share * (1.0 - share) / n + z * z / (4.0 * n * n))
        low, high = centre - half, centre + half
    elif method == "logit":
        shift = z / math.sqrt(n * share * (1.0 - share))
        low = float(special.expit(special.logit(share) - shift))
        high = float(special.expit(special.logit(share) + shift))
    else:
        msg = f"method must be one of {', '.join(SIZING_METHODS)}; got {method!r}"
        raise ValueError(msg)
    if criterion == "half_width":
        return (high - low) / 2.0
    if criterion == "lower_distance":
        return share - low
    msg = f"criterion must be one of {', '.join(CRITERIA)}; got {criterion!r}"
    raise ValueError(msg)


def sample_size_details(
    p: float = 0.9,
    moe: float = 0.03,
    *,
    confidence_level: float = 0.95,
    deff: float = 1.0,
    population: float | None = None,
    response_rate: float = 1.0,
    method: SizingMethod = "wald",
    criterion: Criterion = "half_width",
) -> SampleSize:
    """Sample size for a proportion with each step kept (see the module docstring for order).

    ``moe`` is the target half-width e (or lower-bound distance with
    ``criterion="lower_distance"``); ``deff`` ≥ 1 the planned design effect (Kish 1965), applied
    through the effective size n_eff = n/deff; ``population`` N (None = infinite);
    ``response_rate`` in (0, 1] the share of drawn units expected to respond. In a small
    population, deff and the response rate can push n above N: the precision is then out of
    reach by sampling and the stratum should be taken whole (``allocate`` caps at N_h).
    """
    share = _checks.probability("p", p)
    target = _checks.probability("moe", moe)
    z = z_value(confidence_level)
    effect = _checks.at_least_one("deff", deff)
    rate = _checks.fraction("response_rate", response_rate)
    size = None if population is None else _checks.at_least_one("population", population)
    n0 = _effective_size(share, target, confidence_level, method, criterion)
    n_fpc = n0 if size is None else n0 / (1.0 + (n0 - 1.0) / size)
    n_deff = n_fpc * effect
    n_gross = n_deff / rate
    return SampleSize(
        n=math.ceil(n_gross - _SLACK),
        n0=n0,
        n_fpc=n_fpc,
        n_deff=n_deff,
        n_gross=n_gross,
        p=share,
        moe=target,
        confidence_level=float(confidence_level),
        z=z,
        deff=effect,
        population=size,
        response_rate=rate,
        method=method,
        criterion=criterion,
    )


def sample_size_proportion(
    p: float = 0.9,
    moe: float = 0.03,
    *,
    confidence_level: float = 0.95,
    deff: float = 1.0,
    population: float | None = None,
    response_rate: float = 1.0,
    method: SizingMethod = "wald",
    criterion: Criterion = "half_width",
) -> int:
    """Number of units to draw: ⌈n₀ / (1 + (n₀ − 1)/N) · deff / response_rate⌉.

    Same arguments as :func:`sample_size_details`, which also returns every step.
    """
    return sample_size_details(
        p,
        moe,
        confidence_level=confidence_level,
        deff=deff,
        population=population,
        response_rate=response_rate,
        method=method,
        criterion=criterion,
    ).n


@dataclass(frozen=True, slots=True, eq=False)
class StratumSampleSizes(Mapping[str, int]):
    """Per-stratum sample sizes when each stratum must be judged on its own.

    Reads (and compares) as a mapping stratum → n_h; ``details`` keeps each stratum's steps,
    ``n`` the total.
    """

    details: Mapping[str, SampleSize]
    n: int

    def __getitem__(self, stratum: str) -> int:
        return self.details[stratum].n

    def __iter__(self) -> Iterator[str]:
        return iter(self.details)

    def __len__(self) -> int:
        return len(self.details)


def sample_size_by_stratum(
    populations: Mapping[str, float],
    p: float | Mapping[str, float] = 0.9,
    moe: float = 0.03,
    *,
    confidence_level: float = 0.95,
    deff: float | Mapping[str, float] = 1.0,
    response_rate: float | Mapping[str, float] = 1.0,
    method: SizingMethod = "wald",
    criterion: Criterion = "half_width",
) -> StratumSampleSizes:
    """Size every stratum as its own population (stratum → N_h), for a verdict per stratum.

    Each stratum gets the full calculation of :func:`sample_size_details` with its own N_h
    (and its own p, deff or response rate when those are mappings); the total is their sum.
    Use this when every stratum is a reporting domain with its own verdict; to split one
    overall n instead, use :func:`sampling.planning.allocate`.
    """
    if not isinstance(populations, Mapping) or len(populations) == 0:
        msg = "populations must be a non-empty mapping stratum -> population size N_h"
        raise ValueError(msg)
    strata = tuple(populations)
    shares = _checks.per_stratum("p", p, strata)
    effects = _checks.per_stratum("deff", deff, strata)
    rates = _checks.per_stratum("response_rate", response_rate, strata)
    details = {
        key: sample_size_details(
            shares[key],
            moe,
            confidence_level=confidence_level,
            deff=effects[key],
            population=populations[key],
            response_rate=rates[key],
            method=method,
            criterion=criterion,
        )
        for key in strata
    }
    return StratumSampleSizes(details=details, n=sum(d.n for d in details.values()))


def _effective_size(
    p: float,
    moe: float,
    confidence_level: float,
    method: SizingMethod,
    criterion: Criterion,
) -> float:
    """n₀: the real effective size at which the interval's precision equals ``moe``."""
    if method not in SIZING_METHODS:
        msg = f"method must be one of {', '.join(SIZING_METHODS)}; got {method!r}"
        raise ValueError(msg)
    if criterion not in CRITERIA:
        msg = f"criterion must be one of {', '.join(CRITERIA)}; got {criterion!r}"
        raise ValueError(msg)
    z = z_value(confidence_level)
    wald = z * z * p * (1.0 - p) / (moe * moe)
    if method == "wald":
        return wald
    # Both intervals tend to (0, 1) as n → 0, so the precision is attainable when e is below
    # what that limit gives: 1/2 for the half-width, p for the lower-bound distance.
    ceiling = 0.5 if criterion == "half_width" else p
    if moe >= ceiling:
        msg = f"moe must be below {ceiling} for method={method!r}, criterion={criterion!r}"
        raise ValueError(msg)

    def excess(n: float) -> float:
        return (
            interval_half_width(
                p, n, method=method, criterion=criterion, confidence_level=confidence_level
            )
            - moe
        )

    low = 1e-9 * wald
    high = 2.0 * wald
    while excess(high) > 0.0:
        high *= 2.0
    return float(optimize.brentq(excess, low, high, xtol=1e-10, rtol=1e-13))
