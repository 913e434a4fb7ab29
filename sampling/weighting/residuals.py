"""Calibration-adjusted scores: the residuals whose design variance is the calibrated variance.

For a calibrated estimator the linearised variance is the design variance of the g-weighted
residuals of the estimating function on the calibration variables (Deville & Särndal 1992, §3;
Lumley 2010, §7.4): with scores x_i (one column per statistic, already multiplied by the
calibrated weight w_i = d_i g_i), z_i = x_i / w_i and

    B̂ = (Σ d_i x̃_i x̃_iᵀ)⁻ Σ d_i x̃_i z_i,      e_i = w_i (z_i − x̃_iᵀ B̂)

where x̃ is the calibration model row. The design variance of e (any multistage formula, e.g.
`sampling.variance.linearised_variance`) is R's ``svyrecvar`` with the design's ``postStrata``:
``qr.resid(qr(X √d), x / (g √d)) · g √d`` for ``calibrate`` and ``postStratify``.

R's ``rake`` stores its margins instead and removes them by ten sweeps of backfitting with
unweighted margin means, x ← x − w · ave(x / w, margin); `raking_residuals` does the same so that
SEs after `rake` match R's, while SEs after ``calibrate(calfun="raking")`` use the projection.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sampling.weighting._margins import CalibrationModel, FloatArray, IntArray

RAKE_SWEEPS = 10
_NORMAL_RCOND = 1e-10
_BACKFIT_SWEEPS = 1000


def calibration_residuals(
    scores: npt.ArrayLike,
    model: CalibrationModel | npt.ArrayLike,
    design_weights: npt.ArrayLike,
    g: npt.ArrayLike,
) -> FloatArray:
    """e = w (z − x̃ᵀB̂) for every score column (n × k, or a vector); see the module docstring.

    `model` is the `CalibrationModel` of the calibration (cells are used when it has them) or an
    n × p model matrix; `design_weights` are d (before calibration), `g` the g-weights.
    """
    x = np.asarray(scores, dtype=np.float64)
    vector = x.ndim == 1
    matrix_scores = x[:, None] if vector else x
    d = np.asarray(design_weights, dtype=np.float64)
    gw = np.asarray(g, dtype=np.float64)
    n = matrix_scores.shape[0]
    if d.shape != (n,) or gw.shape != (n,):
        raise ValueError(
            f"design_weights, g: need {n} values each (one per score row), got "
            f"{d.shape} and {gw.shape}"
        )
    z_weighted = matrix_scores / gw[:, None]
    if isinstance(model, CalibrationModel):
        if model.n_rows != n:
            raise ValueError(f"model: built on {model.n_rows} rows, scores have {n}")
        fitted = model.expand(_fit(model, model.unit_sums(d), model.unit_sums(z_weighted)))
    else:
        units = np.asarray(model, dtype=np.float64)
        units = units[:, None] if units.ndim == 1 else units
        if units.shape[0] != n:
            raise ValueError(f"model: need {n} rows, got {units.shape[0]}")
        fitted = units @ _least_squares(units, d, z_weighted)
    residual: FloatArray = matrix_scores - (d * gw)[:, None] * fitted
    return residual[:, 0] if vector else residual


def _fit(model: CalibrationModel, unit_d: FloatArray, unit_s: FloatArray) -> FloatArray:
    """Fitted x̃ᵀB̂ per unit from the units' sums of d and of d·z (a column per score)."""
    sums = unit_s[:, None] if unit_s.ndim == 1 else unit_s
    if model.blocks is not None:
        fitted = _backfit(model, unit_d, sums)
        if fitted is not None:
            return fitted
        coef = _normal_solve(model.gram(unit_d), model.matrix.T @ sums)
    else:
        coef = _least_squares(model.matrix, unit_d, sums)
    result: FloatArray = model.matrix @ coef
    return result


def _least_squares(units: FloatArray, weight: FloatArray, sums: FloatArray) -> FloatArray:
    """B̂ minimising Σ_u weight_u (sums_u / weight_u − x_uᵀB)² (R's ``qr.resid`` on √d X)."""
    root = np.sqrt(weight)
    coef = np.linalg.lstsq(units * root[:, None], sums / root[:, None], rcond=None)[0]
    return np.asarray(coef, dtype=np.float64)


def _backfit(model: CalibrationModel, unit_d: FloatArray, unit_s: FloatArray) -> FloatArray | None:
    """Fitted values Σ_m β_m[level of the cell] of the d-weighted least squares of the cell means
    S/D on the margins' indicators, by backfitting (Gauss–Seidel over the margins, ``bincount``
    only) until the fit moves by less than 1e-14 of its size; None if it has not settled."""
    assert model.blocks is not None
    fitted = np.zeros_like(unit_s)
    parts = [np.zeros((size, unit_s.shape[1])) for _, _, size in model.blocks]
    counts = [np.bincount(level, weights=unit_d, minlength=size) for _, level, size in model.blocks]
    scale = float(np.abs(unit_s / unit_d[:, None]).max()) or 1.0
    for _ in range(_BACKFIT_SWEEPS):
        moved = 0.0
        for (_, level, size), old, count in zip(model.blocks, parts, counts, strict=True):
            partial = unit_s - unit_d[:, None] * (fitted - old[level])
            new = (
                np.stack(
                    [
                        np.bincount(level, weights=partial[:, j], minlength=size)
                        for j in range(unit_s.shape[1])
                    ],
                    axis=1,
                )
                / count[:, None]
            )
            change = new - old
            fitted += change[level]
            old[...] += change
            moved = max(moved, float(np.abs(change).max()))
        if moved < 1e-14 * scale:
            return fitted
    return None


def _normal_solve(gram: FloatArray, rhs: FloatArray) -> FloatArray:
    """Minimum-norm B̂ of the normal equations G B = rhs (indicator columns: G is well scaled),
    from the eigen-decomposition of the diagonally scaled G; directions with eigenvalues below
    1e-10 of the largest (the dependence between margins' indicators) are dropped."""
    scale = 1.0 / np.sqrt(np.diag(gram))
    values, vectors = np.linalg.eigh(gram * scale[:, None] * scale[None, :])
    keep = values > _NORMAL_RCOND * values.max()
    kept = vectors[:, keep]
    solved: FloatArray = scale[:, None] * (
        kept @ ((kept.T @ (scale[:, None] * rhs)) / values[keep, None])
    )
    return solved


def raking_residuals(
    scores: npt.ArrayLike,
    model: CalibrationModel,
    weights: npt.ArrayLike,
    *,
    sweeps: int = RAKE_SWEEPS,
) -> FloatArray:
    """R's ``rake`` residuals: `sweeps` rounds of x ← x − w · ave(x / w, margin) per margin.

    `model` is the raking's `CalibrationModel` (categorical margins), `weights` the raked
    weights. Each round shifts z = x / w by a constant per margin level, so the rounds run on
    the cells' sums and the rows are touched twice. R: ``svyrecvar`` on a ``rake()`` design
    (its ``postStrata`` of class ``raking``).
    """
    x = np.asarray(scores, dtype=np.float64)
    vector = x.ndim == 1
    matrix_scores = x[:, None] if vector else x
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (model.n_rows,) or matrix_scores.shape[0] != model.n_rows:
        raise ValueError(f"scores, weights: need {model.n_rows} rows, as the model")
    levels: list[IntArray] = []
    for margin, columns in zip(model.margins, model.columns, strict=True):
        if margin.levels is None:
            raise ValueError(f"model: margin {margin.name!r} is numeric; rake has categorical ones")
        levels.append(np.argmax(model.matrix[:, columns], axis=1).astype(np.int64))
    z = matrix_scores / w[:, None]
    cell_sum = model.unit_sums(z)
    cell_sum = cell_sum[:, None] if cell_sum.ndim == 1 else cell_sum
    cell_count = model.unit_sums(np.ones(model.n_rows))
    shift = np.zeros_like(cell_sum)
    for _ in range(sweeps):
        for level in levels:
            size = int(level.max()) + 1
            count = np.bincount(level, weights=cell_count, minlength=size)
            current = cell_sum - cell_count[:, None] * shift
            for j in range(current.shape[1]):
                mean = np.bincount(level, weights=current[:, j], minlength=size) / count
                shift[:, j] += mean[level]
    residual: FloatArray = w[:, None] * (z - model.expand(shift))
    return residual[:, 0] if vector else residual
