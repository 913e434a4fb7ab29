"""Weight diagnostics: Kish's design effect, effective sample size, spread, margins achieved.

Kish (1965, §11.7) design effect of unequal weighting: deff = n Σw² / (Σw)² = 1 + CV², with
CV² = Σ(w − w̄)² / (n w̄²) the squared coefficient of variation (population form, divisor n);
effective n = (Σw)² / Σw² = n / deff (Kalton & Flores-Cervantes 2003, §4; Lumley 2010, §7.5).
R: ``n * sum(w^2) / sum(w)^2`` with ``w <- weights(design)``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sampling.weighting._margins import CalibrationModel, FloatArray


@dataclass(frozen=True, slots=True)
class WeightDiagnostics:
    """Summary of a set of weights: n, total, Kish deff = 1 + CV², effective n, min/max/ratio."""

    n: int
    total: float
    kish_deff: float
    cv: float
    n_effective: float
    minimum: float
    maximum: float
    ratio: float


@dataclass(frozen=True, slots=True)
class MarginFit:
    """Achieved vs target total for one level of a margin (level None for a numeric total)."""

    variable: str
    level: Hashable
    target: float
    achieved: float

    @property
    def relative_error(self) -> float:
        """(achieved − target) / target."""
        return (self.achieved - self.target) / self.target


def weight_diagnostics(weights: npt.ArrayLike) -> WeightDiagnostics:
    """Kish deff, CV, effective n and the range of positive `weights`.

    R: ``w <- weights(d); c(deff = length(w) * sum(w^2) / sum(w)^2, n_eff = sum(w)^2 / sum(w^2),
    min = min(w), max = max(w), ratio = max(w) / min(w))``.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError(f"weights: need a non-empty 1-D array, got shape {w.shape}")
    if not (np.isfinite(w) & (w > 0)).all():
        raise ValueError("weights: must be positive and finite")
    n = len(w)
    total = float(w.sum())
    squares = float(np.dot(w, w))
    deff = n * squares / total**2
    low, high = float(w.min()), float(w.max())
    return WeightDiagnostics(
        n=n,
        total=total,
        kish_deff=deff,
        cv=float(np.sqrt(max(deff - 1.0, 0.0))),
        n_effective=total**2 / squares,
        minimum=low,
        maximum=high,
        ratio=high / low,
    )


def margin_fits(model: CalibrationModel, achieved: FloatArray) -> tuple[MarginFit, ...]:
    """Achieved vs target for every level of every margin of `model` (intercept left out)."""
    fits: list[MarginFit] = []
    for margin, columns in zip(model.margins, model.columns, strict=True):
        levels: tuple[Hashable, ...] = margin.levels if margin.levels is not None else (None,)
        for level, target, got in zip(
            levels, model.targets[columns], achieved[columns], strict=True
        ):
            fits.append(MarginFit(margin.name, level, float(target), float(got)))
    return tuple(fits)
