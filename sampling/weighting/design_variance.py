"""Variances of a weighted `Design`'s estimates: calibration residuals or replicates.

The estimators describe each statistic by a `sampling.variance.DomainScore`, Σ_k column_k ·
coefficient_k[domain]: for a mean (w·y, 1/N̂) and (w, −ȳ/N̂), for a ratio (w·y, 1/X̂) and
(w·x, −R̂/X̂), for a total (w·y, 1). A calibrated design forms the row scores of every domain,
removes the calibration variables (`calibrated_variance`); a replicate design re-estimates the
statistic with every replicate's weights, θ_r = T_r(first column) / T_r(second column) (or the
total alone), and takes R's ``svrVar`` of the θ_r with the replicate design's df (R's ``degf``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from sampling.variance import DomainScore, VarianceStructure
from sampling.weighting._margins import FloatArray, IntArray
from sampling.weighting.calibrated import CalibrationStep, calibrated_variance
from sampling.weighting.replicates import ReplicateWeights


def row_score(score: DomainScore, codes: IntArray) -> FloatArray:
    """The row-level score of a `DomainScore`: each row's domain coefficient, 0 outside."""
    inside = codes >= 0
    where = np.where(inside, codes, 0)
    total = np.zeros(len(codes))
    for column, coefficient in score.terms:
        total += column * coefficient[where]
    result: FloatArray = np.where(inside, total, 0.0)
    return result


def design_variances(
    structure: VarianceStructure,
    stats: Mapping[str, Any],
    codes: Mapping[str, IntArray],
    n_domains: int,
    *,
    steps: Sequence[CalibrationStep],
    replicates: ReplicateWeights | None,
) -> dict[str, FloatArray]:
    """Per statistic, the variance of its estimate in each domain (a length-`n_domains` array).

    `stats` maps names to estimator results with a `DomainScore` `score` and an `estimate`
    array; `codes` gives each statistic's domain codes (−1 outside, or for missing values).
    """
    out: dict[str, FloatArray] = {}
    for name, stat in stats.items():
        score = stat.score
        if not isinstance(score, DomainScore):
            raise TypeError(f"{name}: a weighted design needs the statistic's DomainScore")
        if replicates is not None:
            out[name] = _replicate_variance(
                replicates, score, stat.estimate, codes[name], n_domains
            )
        else:
            row = row_score(score, codes[name])
            out[name] = calibrated_variance(structure, row, steps, codes[name], n_domains)[:, 0]
    return out


def _replicate_variance(
    replicates: ReplicateWeights,
    score: DomainScore,
    estimate: FloatArray,
    codes: IntArray,
    n_domains: int,
) -> FloatArray:
    columns = np.column_stack([column for column, _ in score.terms[:2]])
    totals = replicates.totals(np.ones(len(codes)), columns, codes, n_domains)
    with np.errstate(divide="ignore", invalid="ignore"):
        thetas = totals[:, :, 0] / totals[:, :, 1] if len(score.terms) > 1 else totals[:, :, 0]
    return replicates.variance(thetas, estimate)
