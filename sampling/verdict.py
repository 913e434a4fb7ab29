"""Threshold verdicts: is a rate above (or below) a target, at a stated confidence level?"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sampling.estimate import Estimate

Status = Literal["met", "not_met", "inconclusive"]
Direction = Literal[">=", "<="]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of `verdict`, with the interval that decided it.

    `status` is ``met``, ``not_met`` or ``inconclusive``; `confidence_level` and `method` say which
    two-sided interval decided (each bound is a one-sided test at level (1 + confidence_level)/2).
    """

    status: Status
    threshold: float
    direction: Direction
    estimate: float
    ci_low: float
    ci_high: float
    confidence_level: float
    method: str


def verdict(estimate: Estimate, threshold: float = 0.90, direction: Direction = ">=") -> Verdict:
    """Compare the interval of `estimate` with `threshold`.

    For ``">="`` (the target is at least `threshold`): ``met`` when the lower bound is ≥ the
    threshold, ``not_met`` when the upper bound is below it, ``inconclusive`` otherwise. For
    ``"<="`` (the target is at most `threshold`): ``met`` when the upper bound is ≤ the threshold,
    ``not_met`` when the lower bound is above it. With a two-sided interval at level 1 − α, ``met``
    is a one-sided test of H0: p < threshold (resp. p > threshold) at level α/2, so a rate exactly
    at the threshold is declared met with probability at most α/2 when the interval has its
    nominal coverage.
    """
    if not isinstance(estimate, Estimate):
        raise ValueError(f"estimate must be an Estimate, got {type(estimate).__name__}")
    if not math.isfinite(threshold):
        raise ValueError(f"threshold must be a finite number, got {threshold!r}")
    low, high = estimate.ci_low, estimate.ci_high
    if math.isnan(low) or math.isnan(high):
        raise ValueError("estimate: its confidence interval is not defined (NaN)")
    status: Status
    if direction == ">=":
        status = "met" if low >= threshold else "not_met" if high < threshold else "inconclusive"
    elif direction == "<=":
        status = "met" if high <= threshold else "not_met" if low > threshold else "inconclusive"
    else:
        raise ValueError(f"direction must be '>=' or '<=', got {direction!r}")
    return Verdict(
        status=status,
        threshold=float(threshold),
        direction=direction,
        estimate=estimate.estimate,
        ci_low=low,
        ci_high=high,
        confidence_level=estimate.confidence_level,
        method=estimate.method,
    )
