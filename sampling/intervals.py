"""Confidence intervals for survey proportions: every method of R's ``svyciprop``, plus Wilson.

All functions are vectorised over domains: `p` (the estimate), `variance` (its design variance),
`df` (design degrees of freedom), `n` (rows behind the estimate). α = 1 − confidence_level and
t = the 1 − α/2 quantile of Student's t with the design df, as ``svyciprop(df = degf(design))``.

- ``mean``: p ± t·se (Wald), R ``svyciprop(method = "mean")``.
- ``logit`` / ``xlogit``: expit(logit p ± t·se/(p(1 − p))), R's ``"logit"`` (a quasibinomial
  ``svyglm``, Wald on the logit scale) and ``"xlogit"`` (delta method) give the same interval.
- ``asin``: sin²(asin √p ± t·se/(2√(p(1 − p)))), as R even where the angle passes 0 or π/2
  (sin² then turns back); only a bound that lands on the wrong side of p becomes 0 or 1.
- ``beta``: Korn & Graubard (1998) Clopper–Pearson with the effective sample size
  n* = p(1 − p)/se² · (t_{n−1}/t_df)², R's ``"beta"``.
- ``likelihood``: the Rao–Scott scaled profile likelihood of the quasibinomial intercept model,
  interpolated as R does (profile points, FMM spline, linear inverse); R's ``"likelihood"``.
- ``wilson``: Wilson's score interval with the Kish effective sample size n* = p(1 − p)/se² and t
  with the design df (Kott & Carr 1997; Dean & Pagano 2015).

When p is 0 or 1 the variance is zero and no method above is defined; every method then gives the
one-sided Clopper–Pearson bound with the Korn–Graubard effective n (the rows behind the estimate,
corrected by (t_{n−1}/t_df)²): [0, 1 − (α/2)^(1/n*)] or [(α/2)^(1/n*), 1], never NaN. With a
zero variance and 0 < p < 1 (a census, or rounding noise: n* above 10²⁰) the interval is [p, p].
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import numpy as np
from scipy import optimize, special, stats

from sampling._columns import FloatArray

PROPORTION_METHODS: Final = ("logit", "likelihood", "asin", "beta", "mean", "xlogit", "wilson")

_PROFILE_STEPS = 10


def t_quantile(confidence_level: float, df: FloatArray) -> FloatArray:
    """The 1 − α/2 quantile of t with `df` degrees of freedom (at least 1)."""
    return np.asarray(stats.t.ppf(0.5 + confidence_level / 2, np.maximum(df, 1.0)))


def wald_interval(
    estimate: FloatArray, se: FloatArray, df: FloatArray, confidence_level: float
) -> tuple[FloatArray, FloatArray]:
    """estimate ± t·se, R ``confint(svymean(...), df = degf(design))``."""
    half = t_quantile(confidence_level, df) * se
    return estimate - half, estimate + half


def proportion_interval(
    p: FloatArray,
    variance: FloatArray,
    df: FloatArray,
    n: FloatArray,
    *,
    method: str,
    confidence_level: float,
    n_rows: FloatArray | None = None,
    glm_fit: tuple[FloatArray, FloatArray] | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Lower and upper bounds of the `method` interval for each proportion.

    `n_rows` (default `n`) is the number of rows of the (domain) design before missing values are
    dropped, which R's ``"beta"`` method uses for its df correction. `glm_fit` is (β̂, information)
    of the quasibinomial intercept model for ``"likelihood"``: by default the exact maximum
    (logit p, n p(1 − p)); `sampling._estimators.quasibinomial_fit` replays R's IRLS instead.
    """
    p = np.asarray(p, dtype=np.float64)
    se = np.sqrt(np.maximum(variance, 0.0))
    t = t_quantile(confidence_level, df)
    alpha = 1.0 - confidence_level
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "mean":
            low, high = p - t * se, p + t * se
        elif method in ("logit", "xlogit"):
            centre = special.logit(p)
            half = t * se / (p * (1.0 - p))
            low, high = special.expit(centre - half), special.expit(centre + half)
        elif method == "asin":
            centre = np.arcsin(np.sqrt(p))
            half = t * se / (2.0 * np.sqrt(p * (1.0 - p)))
            low, high = np.sin(centre - half) ** 2, np.sin(centre + half) ** 2
            low = np.where(low > p, 0.0, low)
            high = np.where(high < p, 1.0, high)
        elif method == "beta":
            rows = n if n_rows is None else n_rows
            n_eff = p * (1.0 - p) / se**2 * _df_correction(rows, df, alpha) ** 2
            low = stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1.0 - p) + 1.0)
            high = stats.beta.ppf(1.0 - alpha / 2, n_eff * p + 1.0, n_eff * (1.0 - p))
        elif method == "wilson":
            n_eff = p * (1.0 - p) / se**2
            shrink = 1.0 + t**2 / n_eff
            centre = (p + t**2 / (2.0 * n_eff)) / shrink
            half = t / shrink * np.sqrt(p * (1.0 - p) / n_eff + t**2 / (4.0 * n_eff**2))
            low, high = centre - half, centre + half
        elif method == "likelihood":
            fit = (special.logit(p), n * p * (1.0 - p)) if glm_fit is None else glm_fit
            low, high = _likelihood_interval(
                p, se**2, df, n, fit=fit, confidence_level=confidence_level
            )
        else:
            raise ValueError(f"method must be one of {PROPORTION_METHODS}, got {method!r}")
    low, high = np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
    # A variance that is rounding noise (effective n above 1e20) counts as zero.
    exact = (se**2 <= 1e-20 * p * (1.0 - p)) & (p > 0) & (p < 1)
    low, high = np.where(exact, p, low), np.where(exact, p, high)
    return _boundary(p, df, n, alpha, bounds=(low, high))


def _df_correction(rows: FloatArray, df: FloatArray, alpha: float) -> FloatArray:
    """(t_{n−1}/t_df)² factor of Korn & Graubard (1998), as the square root; 1 when n ≤ 1."""
    top = stats.t.ppf(alpha / 2, np.maximum(rows - 1.0, 1.0))
    bottom = stats.t.ppf(alpha / 2, np.maximum(df, 1.0))
    return np.where(rows > 1, top / bottom, 1.0)


def _boundary(
    p: FloatArray,
    df: FloatArray,
    n: FloatArray,
    alpha: float,
    *,
    bounds: tuple[FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """One-sided Clopper–Pearson bounds with the Korn–Graubard effective n when p is 0 or 1."""
    low, high = bounds
    n_eff = np.maximum(n, 1.0) * _df_correction(n, df, alpha) ** 2
    reach = 1.0 - (alpha / 2) ** (1.0 / n_eff)
    zero, one = p <= 0.0, p >= 1.0
    low = np.where(zero, 0.0, np.where(one, 1.0 - reach, low))
    high = np.where(zero, reach, np.where(one, 1.0, high))
    return low, high


def _likelihood_interval(
    p: FloatArray,
    variance: FloatArray,
    df: FloatArray,
    n: FloatArray,
    *,
    fit: tuple[FloatArray, FloatArray],
    confidence_level: float,
) -> tuple[FloatArray, FloatArray]:
    """R's ``confint(svyglm(y ~ 1, family = quasibinomial), method = "likelihood")``.

    The quasibinomial intercept model with weights rescaled to mean 1 has deviance
    D(β) = −2n[p log μ + (1 − p) log(1 − μ)], μ = expit β, and dispersion φ = n/(n − 1) (the
    design-weighted variance of its Pearson residuals). Its signed root τ(β) = ±√((D(β) − D(β̂))/φ)
    is evaluated at β̂ ± j·δ·se(β̂) with the design-based se(β̂) = se(p)/(p(1 − p)) (δ = τ_max/5,
    j < 10, until |τ| ≥ τ_max = t_{n−1, α*/2} with
    α* = Φ(t_{df,α/2}·√λ)/2), interpolated by a cubic spline, and inverted where |τ| reaches
    t_{df,1−α/2}·√λ, λ = (design variance)/(model variance) of β̂ (Rao & Scott 1984), the model
    variance being 1/information. Where those steps do not reach the cutoff (R returns NA) the
    profile equation is solved directly.
    """
    low = np.full(len(p), np.nan)
    high = np.full(len(p), np.nan)
    quantile = stats.t.ppf((1.0 - confidence_level) / 2, np.maximum(df, 1.0))
    for i in np.flatnonzero((p > 0) & (p < 1) & (variance > 0) & (n > 1)):
        low[i], high[i] = _profile_bounds(
            float(p[i]),
            float(variance[i]),
            float(n[i]),
            (float(fit[0][i]), float(fit[1][i])),
            quantile[i],
        )
    return low, high


def _profile_bounds(
    p: float, variance: float, n: float, fit: tuple[float, float], t_lower: float
) -> tuple[float, float]:
    beta0, information = fit
    mu0 = float(special.expit(beta0))
    dispersion = n / (n - 1.0)
    se_beta = np.sqrt(variance) / (mu0 * (1.0 - mu0))
    scale = se_beta * np.sqrt(information)
    alpha_star = float(stats.norm.cdf(t_lower * scale)) / 2
    z_max = float(np.sqrt(stats.f.isf(alpha_star, 1, n - 1.0)))
    step = z_max / 5

    def deviance(beta: float) -> float:
        mu = float(special.expit(beta))
        return -2.0 * n * (p * float(np.log(mu)) + (1.0 - p) * float(np.log1p(-mu)))

    base = deviance(beta0)
    points = [(beta0, 0.0)]
    for sign in (-1.0, 1.0):
        j, z = 0, 0.0
        while (j := j + 1) < _PROFILE_STEPS and abs(z) < z_max:
            beta = beta0 + sign * j * step * se_beta
            z = sign * np.sqrt(max((deviance(beta) - base) / dispersion, 0.0))
            points.append((beta, z))
    points.sort(key=lambda point: point[1])
    x = np.array([point[0] for point in points])
    y = np.array([point[1] for point in points])
    grid = np.linspace(x.min(), x.max(), 3 * len(x))
    curve = _fmm_spline(x, y, grid)
    order = np.argsort(curve, kind="stable")
    cutoff = t_lower * scale
    bounds = np.interp([cutoff, -cutoff], curve[order], grid[order], left=np.nan, right=np.nan)
    for side, target in enumerate((cutoff, -cutoff)):
        if np.isnan(bounds[side]):
            bounds[side] = _solve_profile(
                lambda beta: (
                    np.sign(beta - beta0) * np.sqrt(max((deviance(beta) - base) / dispersion, 0.0))
                ),
                beta0,
                target,
                se_beta,
            )
    return float(special.expit(bounds[0])), float(special.expit(bounds[1]))


def _solve_profile(
    signed_root: Callable[[float], float], beta0: float, target: float, step: float
) -> float:
    """Where the profile reaches `target` when R's ten spline steps fall short of it (R: NA)."""
    direction = 1.0 if target > 0 else -1.0
    far = beta0 + direction * step
    while (signed_root(far) - target) * direction < 0:
        far = beta0 + 2.0 * (far - beta0)
    return float(optimize.brentq(lambda beta: signed_root(beta) - target, beta0, far, xtol=1e-14))


def _fmm_spline(x: FloatArray, y: FloatArray, at: FloatArray) -> FloatArray:
    """Interpolating cubic spline with Forsythe, Malcolm & Moler's end conditions, at `at`.

    The third derivative on each end interval equals that of the cubic through the four end
    points (zero with three points), as R's ``spline(method = "fmm")``. Solved for the second
    derivatives M at the knots.
    """
    order = np.argsort(x)
    x, y = x[order], y[order]
    size = len(x)
    h = np.diff(x)
    slope = np.diff(y) / h
    system = np.zeros((size, size))
    rhs = np.zeros(size)
    for i in range(1, size - 1):
        system[i, i - 1 : i + 2] = h[i - 1], 2.0 * (h[i - 1] + h[i]), h[i]
        rhs[i] = 6.0 * (slope[i] - slope[i - 1])
    system[0, :2] = -1.0 / h[0], 1.0 / h[0]
    system[-1, -2:] = -1.0 / h[-1], 1.0 / h[-1]
    if size > 3:
        rhs[0] = 6.0 * _third_difference(x[:4], y[:4])
        rhs[-1] = 6.0 * _third_difference(x[-4:], y[-4:])
    second = np.linalg.solve(system, rhs)
    k = np.clip(np.searchsorted(x, at, side="right") - 1, 0, size - 2)
    left, right = at - x[k], x[k + 1] - at
    width = h[k]
    return np.asarray(
        second[k] * right**3 / (6 * width)
        + second[k + 1] * left**3 / (6 * width)
        + (y[k] / width - second[k] * width / 6) * right
        + (y[k + 1] / width - second[k + 1] * width / 6) * left
    )


def _third_difference(x: FloatArray, y: FloatArray) -> float:
    first = np.diff(y) / np.diff(x)
    second = np.diff(first) / (x[2:] - x[:-2])
    return float((second[1] - second[0]) / (x[3] - x[0]))
