"""Variances after calibration: the steps a design went through, applied to its scores.

A calibrated design keeps, per calibration, what R keeps in ``design$postStrata``: the model, the
weights before and after. Its linearised variance is the design variance of the scores with each
step's calibration variables removed in order (`sampling.weighting.residuals`), so

    calibrated_variance(design.structure, scores, steps)

is R's ``svyrecvar(scores, clusters, strata, fpc, postStrata)`` for ``postStratify``,
``calibrate`` and ``rake`` designs (and for any of them followed by ``trimWeights``, which changes
the weights but keeps the steps). In a domain the residual is not zero outside the domain, so
domains are residualised one at a time (in blocks) before the variance step.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from sampling.variance import VarianceStructure, linearised_variance
from sampling.weighting._margins import CalibrationModel, FloatArray, IntArray
from sampling.weighting.calibration import CalibrationResult
from sampling.weighting.residuals import calibration_residuals, raking_residuals

_BLOCK_VALUES = 1 << 23


@dataclass(frozen=True, slots=True)
class CalibrationStep:
    """One calibration: ``"regression"`` residuals (``calibrate``, ``postStratify``) or R
    ``rake``'s backfitted ``"raking"`` residuals, with its model and weights before and after."""

    kind: Literal["regression", "raking"]
    model: CalibrationModel
    design_weights: FloatArray
    weights: FloatArray

    @classmethod
    def of(
        cls,
        result: CalibrationResult,
        design_weights: npt.ArrayLike,
        *,
        kind: Literal["regression", "raking"] = "regression",
    ) -> CalibrationStep:
        """The step of a `CalibrationResult` computed from `design_weights`."""
        if kind not in ("regression", "raking"):
            raise ValueError(f"kind must be 'regression' or 'raking', got {kind!r}")
        d = np.asarray(design_weights, dtype=np.float64)
        return cls(kind, result.model, d, result.weights)


def calibrated_scores(scores: npt.ArrayLike, steps: Sequence[CalibrationStep]) -> FloatArray:
    """`scores` (n × k or a vector) with every step's calibration variables removed, in order."""
    x = np.asarray(scores, dtype=np.float64)
    for step in steps:
        if step.kind == "raking":
            x = raking_residuals(x, step.model, step.weights)
        else:
            g = step.weights / step.design_weights
            x = calibration_residuals(x, step.model, step.design_weights, g)
    return x


def calibrated_variance(
    structure: VarianceStructure,
    scores: npt.ArrayLike,
    steps: Sequence[CalibrationStep],
    domain: IntArray | None = None,
    n_domains: int = 1,
) -> FloatArray:
    """Variances of the totals of the score columns after the calibration `steps`.

    Without `domain`: the k variances. With `domain` (code 0..n_domains − 1 per row, −1 outside
    every domain): a (n_domains, k) array, each domain's scores zero outside it before the
    residuals are taken (R's ``svyby`` on a calibrated design).
    """
    x = np.asarray(scores, dtype=np.float64)
    matrix = x[:, None] if x.ndim == 1 else x
    n, k = matrix.shape
    if domain is None:
        variance: FloatArray = np.atleast_1d(
            linearised_variance(structure, calibrated_scores(matrix, steps))
        )
        return variance
    codes = np.asarray(domain, dtype=np.int64)
    if codes.shape != (n,):
        raise ValueError(f"domain: need one code per score row ({n}), got shape {codes.shape}")
    out = np.empty((n_domains, k))
    block = max(1, _BLOCK_VALUES // max(n * k, 1))
    for start in range(0, n_domains, block):
        members = np.arange(start, min(start + block, n_domains))
        inside = codes[:, None] == members[None, :]
        columns = (inside[:, :, None] * matrix[:, None, :]).reshape(n, len(members) * k)
        residual = calibrated_scores(columns, steps)
        out[members] = np.atleast_1d(linearised_variance(structure, residual)).reshape(
            len(members), k
        )
    return out
