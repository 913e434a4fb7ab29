"""Non-response adjustment within weighting classes, and trimming with redistribution.

Weighting-class adjustment (Kalton & Flores-Cervantes 2003, §3.1): in class c the respondents
carry the weight of the whole sample, w_i = d_i · Σ_{j∈c} d_j / Σ_{j∈c, resp} d_j. R: the same
weights as ``postStratify(subset(design, responded), ~class, class_totals)`` with
``class_totals`` the design-weighted sample count of each class.

Trimming (R's ``trimWeights(design, upper, lower, strict)``): weights outside [lower, upper] are
set to the bound and the trimmed amount is shared *equally* among the weights that were inside,
so the total is kept; ``strict=True`` repeats until no weight is outside (Lumley 2010, §7.6) by
more than 1e-12 of the largest weight (when the mean weight equals a bound the passes only
approach it).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sampling.weighting._margins import FloatArray

_MAX_PASSES = 10_000
_SETTLED = 1e-12


@dataclass(frozen=True, slots=True)
class ClassAdjustment:
    """One weighting class: sample and respondent counts and weights, and the factor applied."""

    level: Hashable
    n_sampled: int
    n_respondents: int
    weight_sampled: float
    weight_respondents: float
    factor: float


@dataclass(frozen=True, slots=True)
class NonresponseResult:
    """Adjusted weights (zero for non-respondents), the respondent mask, the per-class report."""

    weights: FloatArray
    respondents: npt.NDArray[np.bool_]
    classes: tuple[ClassAdjustment, ...]


@dataclass(frozen=True, slots=True)
class TrimResult:
    """Trimmed weights, how many weights were set to a bound, and the passes it took."""

    weights: FloatArray
    n_trimmed: int
    passes: int
    lower: float
    upper: float


def nonresponse_adjustment(
    weights: npt.ArrayLike, classes: npt.ArrayLike, responded: npt.ArrayLike
) -> NonresponseResult:
    """Spread each class's non-respondent weight over its respondents (see module docstring).

    A class with sampled units but no respondent is a ValueError naming `classes`.
    """
    d = np.asarray(weights, dtype=np.float64)
    labels = np.asarray(classes)
    mask = np.asarray(responded)
    n = len(d)
    if d.ndim != 1 or labels.shape != (n,) or mask.shape != (n,):
        raise ValueError(
            f"weights, classes, responded: need three 1-D arrays of one length, got {d.shape}, "
            f"{labels.shape}, {mask.shape}"
        )
    if mask.dtype != np.bool_:
        raise ValueError(f"responded: need booleans, got {mask.dtype}")
    if not (np.isfinite(d) & (d > 0)).all():
        raise ValueError("weights: must be positive and finite")
    levels, codes = np.unique(labels, return_inverse=True)
    codes = codes.reshape(-1)
    k = len(levels)
    sampled = np.bincount(codes, weights=d, minlength=k)
    answered = np.bincount(codes, weights=np.where(mask, d, 0.0), minlength=k)
    n_sampled = np.bincount(codes, minlength=k)
    n_answered = np.bincount(codes, weights=mask.astype(np.float64), minlength=k).astype(np.int64)
    empty = np.flatnonzero(n_answered == 0)
    if len(empty):
        raise ValueError(
            f"classes: weighting class {levels[empty[0]].item()!r} has "
            f"{n_sampled[empty[0]]} sampled units and no respondents; merge it with another class"
        )
    factor = sampled / answered
    adjusted = np.where(mask, d * factor[codes], 0.0)
    report = tuple(
        ClassAdjustment(
            level=levels[c].item(),
            n_sampled=int(n_sampled[c]),
            n_respondents=int(n_answered[c]),
            weight_sampled=float(sampled[c]),
            weight_respondents=float(answered[c]),
            factor=float(factor[c]),
        )
        for c in range(k)
    )
    return NonresponseResult(weights=adjusted, respondents=mask.copy(), classes=report)


def trim_weights(
    weights: npt.ArrayLike,
    lower: float = -np.inf,
    upper: float = np.inf,
    *,
    strict: bool = False,
) -> TrimResult:
    """Trim `weights` to [lower, upper], sharing the excess equally among the untrimmed ones.

    R: ``weights(trimWeights(design, upper=upper, lower=lower, strict=strict))``. With
    ``strict=True`` the passes repeat until every weight is within the bounds; bounds that the
    mean weight does not fit between cannot be met and are a ValueError.
    """
    w = np.array(weights, dtype=np.float64)
    if w.ndim != 1 or not np.isfinite(w).all():
        raise ValueError("weights: need a 1-D array of finite numbers")
    lower, upper = float(lower), float(upper)
    if not lower < upper:
        raise ValueError(f"lower, upper: need lower < upper, got {lower!r} and {upper!r}")
    mean = float(w.mean())
    if strict and not lower <= mean <= upper:
        raise ValueError(
            f"lower, upper: bounds cannot be met while keeping the total: the mean weight "
            f"{mean:.6g} is outside [{lower:g}, {upper:g}]"
        )
    trimmed = np.zeros(len(w), dtype=np.bool_)
    passes = 0
    slack = 0.0
    while True:
        outside = (w < lower - slack) | (w > upper + slack)
        if not outside.any():
            break
        if outside.all():
            raise ValueError(
                f"lower, upper: every weight is outside [{lower:g}, {upper:g}]; nothing to "
                "redistribute to"
            )
        passes += 1
        clipped = np.clip(w, lower, upper)
        excess = float((w - clipped).sum())
        trimmed |= outside
        w = np.where(outside, clipped, clipped + excess / int((~outside).sum()))
        if not strict:
            break
        slack = _SETTLED * float(np.abs(w).max())
        if passes > _MAX_PASSES:
            raise ValueError(f"lower, upper: trimming to [{lower:g}, {upper:g}] does not settle")
    return TrimResult(
        weights=w, n_trimmed=int(trimmed.sum()), passes=passes, lower=lower, upper=upper
    )
