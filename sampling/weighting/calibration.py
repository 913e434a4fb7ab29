"""Calibration of design weights to population totals: linear, raking and logit, with bounds.

Calibrated weights w_i = d_i g_i solve Σ_i d_i g_i x_i = t_x with g_i = F(x_iᵀλ) for a calibration
function F (Deville & Särndal 1992; Deville, Särndal & Sautory 1993):

    linear   F(u) = 1 + u, clipped to [L, U] when bounded
    raking   F(u) = exp(u), clipped to [L, U] when bounded        (multiplicative raking)
    logit    F(u) = L + (U − L) · expit(A u + log((1 − L)/(U − 1))),  A = (U − L)/((U − 1)(1 − L))

Bounds (L, U) apply to g = calibrated / design weight. λ is found by Newton's method with a
pseudo-inverse of Σ d_i F'(x_iᵀλ) x_i x_iᵀ and step halving when F overflows or the misfit
grows, stopping when every |t_x − Σ w x| / (1 + |t_x|) is below `tolerance`. This is R
``survey``'s ``grake`` as used by ``calibrate(design, formula, population, calfun=, bounds=,
maxit=, epsilon=)``, including its rescaling of the design weights by the mean of t_x / Σ d x
when every such ratio exceeds 20 (the bounds then refer to the rescaled weights). Unbounded
linear calibration has the closed form g = 1 + xᵀ(XᵀDX)⁻(t_x − Xᵀd) (R's ``regcalibrate``),
reached here in one Newton step.
Unbounded raking to categorical margins runs iterative proportional fitting on the cells first
(R's ``rake()``; the same fixed point), and Newton's method only if that falls short.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import numpy as np
import numpy.typing as npt
from scipy.special import expit

from sampling._columns import factorize
from sampling.weighting._margins import (
    CalibrationModel,
    FloatArray,
    IntArray,
    Margins,
    calibration_model,
    level_key,
)
from sampling.weighting.diagnostics import MarginFit, margin_fits

CALIBRATION_METHODS: Final = ("linear", "raking", "logit")

_PINV_RCOND = 256 * np.finfo(np.float64).eps
_RESCALE_THRESHOLD = 20.0
_MAX_HALVINGS = 60

CalFun = Callable[[FloatArray], tuple[FloatArray, FloatArray]]


@dataclass(frozen=True, slots=True)
class Convergence:
    """How a weighting step ended: Newton steps taken (0 for a closed form), the largest
    |target − achieved| / (1 + |target|) over the model's totals, and whether that is below the
    tolerance."""

    iterations: int
    max_relative_error: float
    converged: bool
    tolerance: float


@dataclass(frozen=True, slots=True)
class CalibrationResult:
    """Calibrated weights w = d · g, the g-weights, how the solver ended, achieved vs target."""

    weights: FloatArray
    g: FloatArray
    method: str
    bounds: tuple[float, float]
    convergence: Convergence
    margins: tuple[MarginFit, ...]
    model: CalibrationModel


def calibrate_weights(
    weights: npt.ArrayLike,
    columns: Mapping[str, npt.ArrayLike],
    totals: Margins,
    *,
    method: str = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    population_size: float | None = None,
    max_iter: int = 50,
    tolerance: float = 1e-7,
    accept_nonconvergence: bool = False,
) -> CalibrationResult:
    """Calibrate `weights` to `totals` (``{variable: {level: total}}`` or ``{variable: total}``).

    `population_size` adds an intercept (the total of the weights). Returns the weights, g and
    the convergence record; non-convergence is a ValueError unless `accept_nonconvergence`.
    R: ``calibrate(svydesign(ids=~1, weights=~d, data=data), ~a + b + x, c(N, ...),
    calfun=method, bounds=bounds, maxit=max_iter, epsilon=tolerance)`` gives the same weights.
    """
    model = calibration_model(columns, totals, population_size=population_size, argument="totals")
    return calibrate_model(
        weights,
        model,
        method=method,
        bounds=bounds,
        max_iter=max_iter,
        tolerance=tolerance,
        accept_nonconvergence=accept_nonconvergence,
    )


def rake_weights(
    weights: npt.ArrayLike,
    columns: Mapping[str, npt.ArrayLike],
    margins: Mapping[str, Mapping[Hashable, float]],
    *,
    max_iter: int = 50,
    tolerance: float = 1e-7,
    accept_nonconvergence: bool = False,
) -> CalibrationResult:
    """Rake `weights` to categorical `margins` (multiplicative raking by Newton's method).

    The fixed point of iterative proportional fitting (Kalton & Flores-Cervantes 2003, §3.3):
    R's ``rake(design, list(~a, ~b), list(pop_a, pop_b), control=list(maxit=, epsilon=))`` and
    ``calibrate(design, ~a + b, totals, calfun="raking")`` give the same weights.
    """
    for name, spec in margins.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"margins: margin {name!r} must map levels to population totals")
    return calibrate_model(
        weights,
        calibration_model(columns, margins, argument="margins"),
        method="raking",
        max_iter=max_iter,
        tolerance=tolerance,
        accept_nonconvergence=accept_nonconvergence,
    )


def poststratify_weights(
    weights: npt.ArrayLike,
    columns: Mapping[str, npt.ArrayLike],
    variables: str | Sequence[str],
    population: Mapping[Hashable, float],
) -> CalibrationResult:
    """Post-stratify: g = N_c / Σ_{i∈c} d_i in every cell c of `variables` (crossed).

    `population` maps a level (a tuple of levels for several variables) to its size N_c.
    R: ``postStratify(design, ~a + b, xtabs(Freq ~ a + b, population))``.
    """
    names = [variables] if isinstance(variables, str) else list(variables)
    if not names:
        raise ValueError("variables: give at least one column name")
    for name in names:
        if name not in columns:
            raise ValueError(f"variables: unknown column {name!r}")
    if len(names) == 1:
        key, cell_column, cell_population = names[0], columns[names[0]], population
    else:
        key = " × ".join(names)
        cell_column, cell_population = _crossed(columns, names, population)
    model = calibration_model({key: cell_column}, {key: cell_population}, argument="population")
    d = _design_weights(weights, model.n_rows)
    cell_weight = model.unit_sums(d)
    per_level = model.matrix.T @ cell_weight
    g_level = model.targets / per_level
    g = model.expand(model.matrix @ g_level)
    calibrated = d * g
    achieved = model.achieved(calibrated)
    error = _max_error(model.targets, achieved)
    return CalibrationResult(
        weights=calibrated,
        g=g,
        method="poststratify",
        bounds=(-np.inf, np.inf),
        convergence=Convergence(0, error, True, 0.0),
        margins=margin_fits(model, achieved),
        model=model,
    )


def _crossed(
    columns: Mapping[str, npt.ArrayLike], names: list[str], population: Mapping[Hashable, float]
) -> tuple[IntArray, dict[Hashable, float]]:
    """One integer cell code per row for the crossing of `names`, and `population` re-keyed by
    it; a ValueError for a key that is not a tuple of levels, a cell of the data missing from
    `population` or a cell of `population` with no rows."""
    factors = [factorize(np.asarray(columns[name])) for name in names]
    sizes = [len(labels) for _, labels in factors]
    cell = np.zeros(len(factors[0][0]), dtype=np.int64)
    for (codes, _), size, name in zip(factors, sizes, names, strict=True):
        if (codes < 0).any():
            raise ValueError(f"population: column {name!r} has missing values")
        cell = cell * size + codes
    positions = [{level_key(level): k for k, level in enumerate(labels)} for _, labels in factors]
    keyed: dict[Hashable, float] = {}
    for level, total in population.items():
        if not (isinstance(level, tuple) and len(level) == len(names)):
            raise ValueError(f"population: key {level!r} must be a tuple of {len(names)} levels")
        code = 0
        for part, position, size in zip(level, positions, sizes, strict=True):
            k = position.get(level_key(part))
            if k is None:
                raise ValueError(
                    f"population: level {level!r} of {names!r} has a population total but no "
                    "respondents in the data"
                )
            code = code * size + k
        keyed[code] = total
    possible = float(np.prod(np.array(sizes, dtype=np.float64)))
    present = (
        np.flatnonzero(np.bincount(cell, minlength=int(possible)))
        if possible <= 4 * len(cell) + 1024
        else np.unique(cell)
    )
    missing = [int(c) for c in present if int(c) not in keyed]
    if missing:
        parts = np.unravel_index(missing[0], sizes)
        level = tuple(factors[v][1][int(parts[v])] for v in range(len(names)))
        raise ValueError(
            f"population: level {level!r} of {names!r} occurs in the data but not in population"
        )
    return cell, keyed


def calibrate_model(
    weights: npt.ArrayLike,
    model: CalibrationModel,
    *,
    method: str = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    max_iter: int = 50,
    tolerance: float = 1e-7,
    accept_nonconvergence: bool = False,
) -> CalibrationResult:
    """`calibrate_weights` on a prepared `CalibrationModel` (reused for every replicate)."""
    lower, upper = _check_options(method, bounds, max_iter, tolerance)
    d = _design_weights(weights, model.n_rows)
    unit_weight = model.unit_sums(d)
    _check_attainable(model, unit_weight, lower, upper)
    g_unit, convergence = solve(
        model, unit_weight, method, (lower, upper), max_iter=max_iter, tolerance=tolerance
    )
    if not convergence.converged and not accept_nonconvergence:
        hint = (
            f"; the bounds ({lower:g}, {upper:g}) may not be attainable"
            if np.isfinite(lower) or np.isfinite(upper)
            else ""
        )
        raise ValueError(
            f"max_iter: calibration did not converge in {convergence.iterations} iterations "
            f"(max relative margin error {convergence.max_relative_error:.3g} > tolerance "
            f"{tolerance:g}){hint}; pass accept_nonconvergence=True to keep these weights"
        )
    g = model.expand(g_unit)
    calibrated = d * g
    return CalibrationResult(
        weights=calibrated,
        g=g,
        method=method,
        bounds=(lower, upper),
        convergence=convergence,
        margins=margin_fits(model, model.achieved(calibrated)),
        model=model,
    )


def calfun(method: str, lower: float, upper: float) -> CalFun:
    """u ↦ (g, dg/du) for a calibration method, as R's ``cal.linear``, ``cal.raking``,
    ``cal.logit`` (R's derivative is zero where u lies outside (L − 1, U − 1), for raking too)."""
    if method == "linear":

        def linear(u: FloatArray) -> tuple[FloatArray, FloatArray]:
            inside = (u < upper - 1) & (u > lower - 1)
            return np.clip(u + 1, lower, upper), inside.astype(np.float64)

        return linear
    if method == "raking":

        def raking(u: FloatArray) -> tuple[FloatArray, FloatArray]:
            with np.errstate(over="ignore"):
                e = np.exp(u)
            inside = (u < upper - 1) & (u > lower - 1)
            return np.clip(e, lower, upper), np.where(inside, e, 0.0)

        return raking
    slope = (upper - lower) / ((upper - 1) * (1 - lower))
    shift = np.log((1 - lower) / (upper - 1))

    def logit(u: FloatArray) -> tuple[FloatArray, FloatArray]:
        q = expit(slope * u + shift)
        return lower + (upper - lower) * q, (upper - lower) * slope * q * (1 - q)

    return logit


def solve(
    model: CalibrationModel,
    weights: FloatArray,
    method: str,
    bounds: tuple[float, float],
    *,
    max_iter: int,
    tolerance: float,
) -> tuple[FloatArray, Convergence]:
    """g per unit for `method` and `bounds`: iterative proportional fitting on the cells for
    unbounded raking to categorical margins (no linear algebra at all), Newton otherwise and
    when `max_iter` sweeps of fitting fall short (the iterations then add up)."""
    lower, upper = bounds
    sweeps = 0
    if method == "raking" and model.blocks is not None and lower == -np.inf == -upper:
        g, convergence = proportional_fitting(
            model, weights, max_iter=max_iter, tolerance=tolerance
        )
        if convergence.converged:
            return g, convergence
        sweeps = convergence.iterations
    g, convergence = solve_calibration(
        model, weights, calfun(method, lower, upper), max_iter=max_iter, tolerance=tolerance
    )
    return g, replace(convergence, iterations=convergence.iterations + sweeps)


def proportional_fitting(
    model: CalibrationModel, weights: FloatArray, *, max_iter: int, tolerance: float
) -> tuple[FloatArray, Convergence]:
    """Raking by iterative proportional fitting on the cells (Deming & Stephan 1940; R's
    ``rake``): each sweep scales the cells of every margin level to its target in turn."""
    assert model.blocks is not None
    current = weights.copy()
    error = float("inf")
    for sweep in range(1, max_iter + 1):
        for start, level, size in model.blocks:
            totals = np.bincount(level, weights=current, minlength=size)
            current *= (model.targets[start : start + size] / totals)[level]
        error = _max_error(model.targets, model.matrix.T @ current)
        if error < tolerance:
            return current / weights, Convergence(sweep, error, True, tolerance)
    return current / weights, Convergence(max_iter, error, False, tolerance)


def solve_calibration(
    model: CalibrationModel,
    weights: FloatArray,
    function: CalFun,
    *,
    max_iter: int,
    tolerance: float,
) -> tuple[FloatArray, Convergence]:
    """Newton's method for λ in Σ_u w_u F(x_uᵀλ) x_u = t over the model's units (R's ``grake``);
    returns g per unit and the convergence record.

    A step that increases the squared relative misfit (or overflows F) is halved until it does
    not (R halves only on overflow), so raking from far away converges too; the root, and so the
    weights, are R's wherever R converges.
    """
    matrix, targets = model.matrix, model.targets
    sample_total = matrix.T @ weights
    scale = 1.0
    with np.errstate(divide="ignore"):
        ratios = targets / sample_total
    if np.min(ratios) > _RESCALE_THRESHOLD:
        scale = float(np.mean(ratios))
        weights = weights * scale
    eta = np.zeros(matrix.shape[1])
    g, slope = function(matrix @ eta)
    merit = _merit(targets, matrix.T @ (weights * g))
    iterations = 1
    while True:
        hessian = model.gram(weights * slope)
        misfit = targets - matrix.T @ (weights * g)
        step = _pseudo_solve(hessian, misfit)
        eta = eta + step
        with np.errstate(over="ignore", invalid="ignore"):
            g, slope = function(matrix @ eta)
            achieved = matrix.T @ (weights * g)
            halvings = 0
            while (_merit(targets, achieved) > merit or not np.isfinite(slope).all()) and (
                halvings < _MAX_HALVINGS
            ):
                halvings += 1
                step = step / 2
                eta = eta - step
                g, slope = function(matrix @ eta)
                achieved = matrix.T @ (weights * g)
        merit = _merit(targets, achieved)
        error = _max_error(targets, achieved)
        if error < tolerance:
            return g * scale, Convergence(iterations, error, True, tolerance)
        iterations += 1
        if iterations > max_iter:
            return g * scale, Convergence(iterations - 1, error, False, tolerance)


def _pseudo_solve(hessian: FloatArray, misfit: FloatArray) -> FloatArray:
    """H⁺ m for the symmetric positive semi-definite H, dropping eigenvalues below 256 ε · the
    largest (R's ``MASS::ginv(H, tol = 256 * .Machine$double.eps)``, by eigen-decomposition)."""
    values, vectors = np.linalg.eigh(hessian)
    largest = float(np.max(np.abs(values))) if values.size else 0.0
    keep = np.abs(values) > _PINV_RCOND * largest
    projected = vectors[:, keep].T @ misfit
    solved: FloatArray = vectors[:, keep] @ (projected / values[keep])
    return solved


def _merit(targets: FloatArray, achieved: FloatArray) -> float:
    """Σ ((t − achieved) / (1 + |t|))², the misfit a damped Newton step must not increase."""
    value = float(np.sum(((targets - achieved) / (1 + np.abs(targets))) ** 2))
    return value if np.isfinite(value) else float("inf")


def _max_error(targets: FloatArray, achieved: FloatArray) -> float:
    errors = np.abs(targets - achieved) / (1 + np.abs(targets))
    return float(np.max(errors)) if np.isfinite(errors).all() else float("inf")


def _check_options(
    method: str, bounds: tuple[float, float], max_iter: int, tolerance: float
) -> tuple[float, float]:
    if method not in CALIBRATION_METHODS:
        raise ValueError(f"method must be one of {CALIBRATION_METHODS}, got {method!r}")
    if len(bounds) != 2:
        raise ValueError(f"bounds: give (lower, upper), got {bounds!r}")
    lower, upper = float(bounds[0]), float(bounds[1])
    if not lower < 1 < upper:
        raise ValueError(f"bounds: need lower < 1 < upper for g = w / d, got {bounds!r}")
    if method == "logit" and not (np.isfinite(lower) and np.isfinite(upper)):
        raise ValueError(f"bounds: logit calibration needs finite bounds, got {bounds!r}")
    if max_iter < 1:
        raise ValueError(f"max_iter must be at least 1, got {max_iter!r}")
    if not tolerance > 0:
        raise ValueError(f"tolerance must be positive, got {tolerance!r}")
    return lower, upper


def _design_weights(weights: npt.ArrayLike, n_rows: int) -> FloatArray:
    d = np.asarray(weights, dtype=np.float64)
    if d.shape != (n_rows,):
        raise ValueError(f"weights: need {n_rows} weights (one per row), got shape {d.shape}")
    if not (np.isfinite(d) & (d > 0)).all():
        raise ValueError("weights: must be positive and finite")
    return d


def _check_attainable(
    model: CalibrationModel, unit_weight: FloatArray, lower: float, upper: float
) -> None:
    """Each level's total must lie in [L, U] × its design-weighted total (a necessary condition;
    with R's rescaling the bounds refer to the rescaled weights, so the check uses that scale)."""
    if not (np.isfinite(lower) or np.isfinite(upper)):
        return
    sample = model.matrix.T @ unit_weight
    with np.errstate(divide="ignore"):
        ratios = model.targets / sample
    scale = float(np.mean(ratios)) if np.min(ratios) > _RESCALE_THRESHOLD else 1.0
    for margin, columns in zip(model.margins, model.columns, strict=True):
        if margin.levels is None:
            continue
        have = sample[columns] * scale
        want = model.targets[columns]
        bad = np.flatnonzero(
            (want < lower * have * (1 - 1e-12)) | (want > upper * have * (1 + 1e-12))
        )
        if len(bad):
            k = int(bad[0])
            raise ValueError(
                f"bounds: level {margin.levels[k]!r} of {margin.name!r} needs g = "
                f"{want[k] / have[k]:.4g} on average, outside the bounds ({lower:g}, {upper:g})"
            )
