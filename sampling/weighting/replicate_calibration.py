"""Calibrating a replicate design: every replicate is calibrated to the same totals.

Replicate r's weights d_i f_ir are calibrated with the same method, bounds and model as the full
sample; its factors become f_ir · g_ir / g_i, so replicate estimates carry the calibration and the
replicate variance needs no residuals (Lumley 2010, §7.4). R: ``calibrate``, ``rake`` and
``postStratify`` on an ``svyrep.design``. Weights are grouped by (PSU, earlier cell, unit), so the
work per replicate is on units, never on rows.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse

from sampling.weighting._margins import CalibrationModel, FloatArray, IntArray
from sampling.weighting.calibration import CalibrationResult, solve
from sampling.weighting.replicates import ReplicateWeights, with_cell_factors

_BLOCK_CELLS = 1 << 22


def calibrate_replicates(
    replicates: ReplicateWeights,
    design_weights: npt.ArrayLike,
    result: CalibrationResult,
    *,
    max_iter: int = 50,
    tolerance: float = 1e-7,
    accept_nonconvergence: bool = False,
) -> ReplicateWeights:
    """The replicate weights after the calibration `result` of `design_weights`.

    Post-stratification (``result.method == "poststratify"``) is linear calibration on the cells,
    exact in one step. A replicate that does not converge is a ValueError unless
    `accept_nonconvergence`.
    """
    model = result.model
    d = np.asarray(design_weights, dtype=np.float64)
    unit = model.unit if model.unit is not None else np.arange(model.n_rows, dtype=np.int64)
    lower, upper = result.bounds
    method = "linear" if result.method == "poststratify" else result.method
    per_unit = _replicate_unit_weights(replicates, d, unit, model)
    g_full = model.unit_sums(result.weights) / model.unit_sums(d)
    ratios = np.empty_like(per_unit)
    for r in range(replicates.n_replicates):
        g, convergence = solve(
            model, per_unit[:, r], method, (lower, upper), max_iter=max_iter, tolerance=tolerance
        )
        if not convergence.converged and not accept_nonconvergence:
            raise ValueError(
                f"max_iter: calibration of replicate {r + 1} did not converge in "
                f"{convergence.iterations} iterations (max relative margin error "
                f"{convergence.max_relative_error:.3g}); pass accept_nonconvergence=True"
            )
        ratios[:, r] = g / g_full
    return with_cell_factors(replicates, unit, ratios)


def _replicate_unit_weights(
    replicates: ReplicateWeights, d: FloatArray, unit: IntArray, model: CalibrationModel
) -> FloatArray:
    """Σ_{i∈u} d_i × (replicate factor of row i) for every unit u and replicate: units × R."""
    if replicates.pair is None:
        source, source_psu = replicates.psu, None
    else:
        source, source_psu = replicates.pair, replicates.pair_psu
    key = source * np.int64(model.n_units) + unit
    combos, combo = np.unique(key, return_inverse=True)
    combo = combo.reshape(-1)
    weight = np.bincount(combo, weights=d, minlength=len(combos))
    combo_source = combos // model.n_units
    combo_unit = combos % model.n_units
    aggregate = sparse.csr_matrix(
        (np.ones(len(combos)), (combo_unit, np.arange(len(combos)))),
        shape=(model.n_units, len(combos)),
    )
    out = np.empty((model.n_units, replicates.n_replicates))
    block = max(1, _BLOCK_CELLS // max(len(combos), 1))
    for start in range(0, replicates.n_replicates, block):
        stop = min(start + block, replicates.n_replicates)
        if source_psu is None:
            factor = replicates.factors[combo_source, start:stop]
        else:
            assert replicates.pair_cell is not None
            assert replicates.cell_factors is not None
            factor = (
                replicates.factors[source_psu[combo_source], start:stop]
                * replicates.cell_factors[replicates.pair_cell[combo_source], start:stop]
            )
        out[:, start:stop] = aggregate @ (weight[:, None] * factor)
    return out
