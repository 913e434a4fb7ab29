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
        units = model.matrix
        unit_d = model.unit_sums(d)
        unit_s = model.unit_sums(z_weighted)
        unit_s = unit_s[:, None] if unit_s.ndim == 1 else unit_s
    else:
        units = np.asarray(model, dtype=np.float64)
        units = units[:, None] if units.ndim == 1 else units
        if units.shape[0] != n:
            raise ValueError(f"model: need {n} rows, got {units.shape[0]}")
        unit_d, unit_s = d, z_weighted
    root = np.sqrt(unit_d)
    coef, *_ = np.linalg.lstsq(units * root[:, None], unit_s / root[:, None], rcond=None)
    fitted = units @ coef
    if isinstance(model, CalibrationModel):
        fitted = model.expand(fitted)
    residual: FloatArray = matrix_scores - (d * gw)[:, None] * fitted
    return residual[:, 0] if vector else residual


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
