"""Domain estimators on factorised codes: one grouped pass per variable, no design copies.

Each function takes the design weights w, the variable(s), the domain code of every row (-1 for
rows in no domain, including rows whose value is missing under ``na_rm``) and returns, per domain,
the estimate, its score for the variance (a `DomainScore`: row columns times per-domain
coefficients, so the variance sums the columns once per (domain, cluster) cell and never forms a
row-level score), and the pieces of the design effect:

- mean ȳ_d = Σ w y / Σ w, score w (y − ȳ_d)/N̂_d (Lohr 2022, §9.1; R ``svymean``),
- total Ŷ_d = Σ w y, score w y (R ``svytotal``),
- ratio R̂_d = Ŷ_d/X̂_d, score w (y − R̂_d x)/X̂_d (Särndal et al. 1992, §7.3; R ``svyratio``).

The design effect is R's ``deff = TRUE``: V / V_srs with V_srs = s² (N̂ − n)/(N̂ n) for a mean
(N̂² times that for a total, with s² of the ratio's linearised variable for a ratio), s² the
weighted variance with divisor n − 1 (R ``svyvar``), N̂ = Σ w and n the rows in the domain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sampling._columns import FloatArray, IntArray
from sampling.variance import CellTotals, DomainScore


@dataclass(frozen=True, slots=True)
class DomainBase:
    """What every variable on the same domain codes shares: selector, N̂_d and row counts."""

    codes: IntArray
    selector: IntArray
    population: FloatArray
    n: FloatArray

    @classmethod
    def of(cls, weights: FloatArray, codes: IntArray, n_domains: int) -> DomainBase:
        """Sums of the weights and rows per domain for `codes` (-1 = in no domain)."""
        selector = codes + 1
        return cls(
            codes, selector, _sums(selector, weights, n_domains), _sums(selector, None, n_domains)
        )


@dataclass(frozen=True, slots=True)
class DomainStatistic:
    """Per-domain estimate, its score and the SRS variance pieces for deff and n_eff."""

    estimate: FloatArray
    score: DomainScore | CellTotals
    n: FloatArray
    srs_variance: FloatArray
    population_variance: FloatArray


def _sums(selector: IntArray, values: FloatArray | None, n_domains: int) -> FloatArray:
    return np.bincount(selector, weights=values, minlength=n_domains + 1)[1:].astype(np.float64)


def _lookup(per_domain: FloatArray, outside: float) -> FloatArray:
    return np.concatenate(([outside], per_domain))


def _srs(
    weighted_squares: FloatArray, population: FloatArray, n: FloatArray, scale: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(SRS-without-replacement variance as R's deff, population variance σ̂² · scale)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma2 = weighted_squares / population
        s2 = sigma2 * n / (n - 1)
        srs = np.where(population < n, np.nan, s2 * scale * (population - n) / (population * n))
    return srs, sigma2 * scale


def domain_mean(
    weights: FloatArray,
    y: FloatArray,
    base: DomainBase,
    *,
    total: bool = False,
    binary: bool = False,
) -> DomainStatistic:
    """Mean (or with `total`, total) of `y` in each domain; `binary` when y is 0/1."""
    n_domains = len(base.population)
    population, n = base.population, base.n
    weighted = weights * y
    sums = _sums(base.selector, weighted, n_domains)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sums / population
        inverse = 1.0 / population
    if binary:
        squares = sums * (1.0 - mean)
    else:
        deviation = y - _lookup(mean, 0.0)[base.selector]
        squares = _sums(base.selector, weights * deviation * deviation, n_domains)
    if total:
        srs, sigma2 = _srs(squares, population, n, population**2)
        return DomainStatistic(sums, DomainScore(((weighted, np.ones(n_domains)),)), n, srs, sigma2)
    score = DomainScore(((weighted, inverse), (weights, -mean * inverse)))
    srs, sigma2 = _srs(squares, population, n, np.ones(n_domains))
    return DomainStatistic(mean, score, n, srs, sigma2)


def domain_ratio(
    weights: FloatArray, y: FloatArray, x: FloatArray, base: DomainBase
) -> DomainStatistic:
    """Ratio of the totals of `y` and `x` in each domain."""
    n_domains = len(base.population)
    selector = base.selector
    weighted_y, weighted_x = weights * y, weights * x
    y_total = _sums(selector, weighted_y, n_domains)
    x_total = _sums(selector, weighted_x, n_domains)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = y_total / x_total
        inverse = 1.0 / x_total
        residual = (y - _lookup(ratio, 0.0)[selector] * x) * _lookup(inverse, 0.0)[selector]
    squares = _sums(selector, weights * residual * residual, n_domains)
    score = DomainScore(((weighted_y, inverse), (weighted_x, -ratio * inverse)))
    srs, sigma2 = _srs(squares, base.population, base.n, base.population**2)
    return DomainStatistic(ratio, score, base.n, srs, sigma2)


def design_summaries(
    statistic: DomainStatistic, variance: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Design effect V/V_srs and effective n = min(n, σ̂²/V) (n when V is zero)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = variance / statistic.srs_variance
        kish = statistic.population_variance / variance
    n_eff = np.where(variance > 0, np.minimum(statistic.n, kish), statistic.n)
    return deff, n_eff


def quasibinomial_fit(
    weights: FloatArray, y: FloatArray, base: DomainBase, estimate: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """β̂ and the information Σ w̃ μ(1 − μ) of R's ``svyglm(y ~ 1, family = quasibinomial)``.

    R fits by IRLS (``glm.fit``: start μᵢ = (w̃ᵢ yᵢ + ½)/(w̃ᵢ + 1), w̃ = w / mean(w), stop when the
    deviance changes by less than 10⁻⁸ relatively) and keeps the working weights of the last
    iteration, so its model ("naive") variance 1/Σ w̃ μ(1 − μ) is taken at the previous μ. The
    likelihood interval depends on it through the Rao–Scott factor; this replays those iterations
    per domain (after the first, each is the scalar step β ← β + (p − μ)/(μ(1 − μ))).
    """
    n_domains = len(estimate)
    selector, n, population = base.selector, base.n, base.population
    with np.errstate(divide="ignore", invalid="ignore"):
        rescaled = weights / _lookup(population / n, 1.0)[selector]
        start = (rescaled * y + 0.5) / (rescaled + 1.0)
        working = rescaled * start * (1.0 - start)
        eta = np.log(start / (1.0 - start))
        response = eta + (y - start) / (start * (1.0 - start))
        information = _sums(selector, working, n_domains)
        beta = _sums(selector, working * response, n_domains) / information
        old = _sums(
            selector, -2.0 * rescaled * (y * np.log(start) + (1 - y) * np.log1p(-start)), n_domains
        )
    p = estimate
    for _ in range(25):  # glm.control()$maxit
        mu = 1.0 / (1.0 + np.exp(-beta))
        with np.errstate(divide="ignore", invalid="ignore"):
            deviance = -2.0 * n * (p * np.log(mu) + (1.0 - p) * np.log1p(-mu))
        done = np.abs(deviance - old) / (np.abs(deviance) + 0.1) < 1e-8
        if done.all():
            break
        variance = mu * (1.0 - mu)
        information = np.where(done, information, n * variance)
        with np.errstate(divide="ignore", invalid="ignore"):
            beta = np.where(done, beta, beta + (p - mu) / variance)
        old = np.where(done, old, deviance)
    return beta, information
