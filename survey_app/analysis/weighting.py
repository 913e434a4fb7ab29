"""Weights for one wave from its settings: design weights, calibration to census, trimming.

The steps, each a `sampling.weighting` function (R ``survey``'s numbers):

1. design weights N_c / (π_c · m_c) for the probability sample (`survey_app.analysis.data`);
2. calibration to the frame's census by district × age group × sex: raking to the margins
   (default: district, and age group × sex), linear or logit calibration with bounds on g, or
   post-stratification to the crossed cells;
3. optional trimming to bounds given as multiples of the mean weight, the excess spread over the
   other weights (R ``trimWeights``).

Open-link web answers are not a probability sample. By default (``open_link="separate"``) they
are weighted on their own: a base weight N/n, calibrated to the same census margins (a
quota-like, model-based weighting whose intervals are indicative only). ``"combined"`` pools
them with the probability sample, each as its own PSU in its district with the mean design
weight of that district's probability respondents as base weight; ``"excluded"`` leaves them
out. Reports say which.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
import numpy as np

from sampling.weighting import (
    CalibrationResult,
    calibrate_weights,
    poststratify_weights,
    rake_weights,
    trim_weights,
    weight_diagnostics,
)
from survey_app.analysis.data import OPEN_LINK, PROBABILITY, Case, WaveData
from survey_app.errors import InvalidInputError

MARGIN_VARIABLES = ("district", "age_group", "sex")
COMBINED = "combined"
CELL_SEPARATOR = "|"


class WeightingSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What an analyst chooses for a weighting run (stored with the run)."""

    design_id: int | None = None
    margins: tuple[tuple[str, ...], ...] = (("district",), ("age_group", "sex"))
    method: Literal["raking", "linear", "logit", "poststratify"] = "raking"
    bounds: tuple[float, float] | None = None
    """Bounds on g = calibrated / design weight (linear, logit or raking calibration)."""
    trim: tuple[float, float] | None = None
    """Trim to [low, high] × the mean weight, e.g. (0.3, 3.0)."""
    open_link: Literal["separate", "combined", "excluded"] = "separate"
    max_iter: int = 50
    tolerance: float = 1e-7

    def check(self) -> WeightingSettings:
        problems = []
        if not self.margins:
            problems.append("give at least one margin")
        for margin in self.margins:
            unknown = [v for v in margin if v not in MARGIN_VARIABLES]
            if not margin or unknown or len(set(margin)) != len(margin):
                problems.append(
                    f"margin {' × '.join(margin) or '(empty)'}: use distinct variables of "
                    f"{', '.join(MARGIN_VARIABLES)}"
                )
        for name, pair in (("bounds", self.bounds), ("trim", self.trim)):
            if pair is not None and not (0 <= pair[0] < 1 < pair[1]):
                problems.append(f"{name} must be (low, high) with 0 ≤ low < 1 < high")
        if self.bounds is not None and self.method == "poststratify":
            problems.append("post-stratification takes no bounds")
        if self.method == "logit" and self.bounds is None:
            problems.append("logit calibration needs bounds")
        if not 1 <= self.max_iter <= 1000:
            problems.append("max_iter must be between 1 and 1000")
        if not 0 < self.tolerance < 1:
            problems.append("tolerance must be between 0 and 1")
        if problems:
            raise InvalidInputError(
                "the weighting settings are invalid: " + "; ".join(problems),
                details=[{"field": "settings", "message": p} for p in problems],
            )
        return self


@dataclass(frozen=True, slots=True)
class GroupWeights:
    """The weights of one group of respondents (probability, open-link or combined)."""

    group: str
    cases: tuple[Case, ...]
    weights: np.ndarray[Any, np.dtype[np.float64]]
    diagnostics: dict[str, Any]
    converged: bool


@dataclass(frozen=True, slots=True)
class WeightingResult:
    groups: tuple[GroupWeights, ...]
    completes_by_community: dict[str, int]

    @property
    def converged(self) -> bool:
        return all(group.converged for group in self.groups)

    def diagnostics(self) -> dict[str, Any]:
        return {
            "groups": {group.group: group.diagnostics for group in self.groups},
            "completes_by_community": self.completes_by_community,
        }


def compute_weights(data: WaveData, settings: WeightingSettings) -> WeightingResult:
    """Weights for every complete of the wave under `settings` (see the module docstring)."""
    settings.check()
    if data.design is None:
        raise InvalidInputError("this wave has no drawn sample design to weight by")
    probability = tuple(c for c in data.cases if c.sample == PROBABILITY)
    open_link = tuple(c for c in data.cases if c.sample == OPEN_LINK)
    if not probability:
        raise InvalidInputError("this wave has no completed interviews in the probability sample")
    completes = data.completes_by_community()
    base = np.array([data.design_weight(c, completes) for c in probability])
    groups: list[GroupWeights] = []
    if settings.open_link == "combined" and open_link:
        stand_in = _district_means(probability, base)
        extra = np.array([stand_in.get(c.district or "", float(base.mean())) for c in open_link])
        groups.append(
            _weigh(COMBINED, probability + open_link, np.concatenate([base, extra]), data, settings)
        )
    else:
        groups.append(_weigh(PROBABILITY, probability, base, data, settings))
        if settings.open_link == "separate" and open_link:
            population = sum(data.census.values())
            flat = np.full(len(open_link), population / len(open_link))
            groups.append(_weigh(OPEN_LINK, open_link, flat, data, settings))
    return WeightingResult(tuple(groups), completes)


def _district_means(cases: Sequence[Case], weights: np.ndarray[Any, Any]) -> dict[str, float]:
    sums: dict[str, list[float]] = {}
    for case, weight in zip(cases, weights.tolist(), strict=True):
        sums.setdefault(case.district or "", []).append(weight)
    return {district: float(np.mean(values)) for district, values in sums.items()}


def margin_value(case: Case, variables: Sequence[str]) -> str | None:
    values = [case.district if v == "district" else case.answers.get(v) for v in variables]
    if any(not isinstance(v, str) or not v for v in values):
        return None
    return CELL_SEPARATOR.join(str(v) for v in values)


def margin_targets(
    census: Mapping[tuple[str, str, str], float], variables: Sequence[str]
) -> dict[Hashable, float]:
    """Census totals of the cells of `variables` (summed over the other census variables)."""
    index = {"district": 0, "age_group": 1, "sex": 2}
    totals: dict[Hashable, float] = {}
    for key, population in census.items():
        cell = CELL_SEPARATOR.join(key[index[v]] for v in variables)
        totals[cell] = totals.get(cell, 0.0) + population
    return totals


def _weigh(
    group: str,
    cases: tuple[Case, ...],
    base: np.ndarray[Any, np.dtype[np.float64]],
    data: WaveData,
    settings: WeightingSettings,
) -> GroupWeights:
    if not data.census:
        raise InvalidInputError("the survey's frame has no census margins to calibrate to")
    margins = settings.margins
    if settings.method == "poststratify":
        margins = (tuple(v for v in MARGIN_VARIABLES if any(v in m for m in margins)),)
    columns: dict[str, list[str]] = {}
    for margin in margins:
        name = " × ".join(margin)
        values = [margin_value(case, margin) for case in cases]
        missing = sum(v is None for v in values)
        if missing:
            raise InvalidInputError(
                f"{missing} {group} respondents have no {name}; they cannot be calibrated"
            )
        columns[name] = [str(v) for v in values]
    try:
        result = _calibrate(base, columns, margins, data, settings)
    except ValueError as error:
        raise InvalidInputError(f"weighting the {group} respondents failed: {error}") from error
    weights = result.weights
    trimmed: dict[str, Any] | None = None
    if settings.trim is not None:
        mean = float(weights.mean())
        try:
            trim = trim_weights(weights, settings.trim[0] * mean, settings.trim[1] * mean)
        except ValueError as error:
            raise InvalidInputError(f"trimming the {group} weights failed: {error}") from error
        weights = trim.weights
        trimmed = {"n_trimmed": trim.n_trimmed, "lower": trim.lower, "upper": trim.upper}
    diagnostics = weight_diagnostics(weights)
    design = weight_diagnostics(base)
    return GroupWeights(
        group=group,
        cases=cases,
        weights=weights,
        converged=result.convergence.converged,
        diagnostics={
            "n": diagnostics.n,
            "total": diagnostics.total,
            "kish_deff": diagnostics.kish_deff,
            "n_effective": diagnostics.n_effective,
            "minimum": diagnostics.minimum,
            "maximum": diagnostics.maximum,
            "ratio": diagnostics.ratio,
            "design_kish_deff": design.kish_deff,
            "method": result.method,
            "iterations": result.convergence.iterations,
            "max_relative_error": result.convergence.max_relative_error,
            "converged": result.convergence.converged,
            "trimmed": trimmed,
            "margins": [
                {
                    "variable": fit.variable,
                    "level": str(fit.level),
                    "target": fit.target,
                    "achieved": fit.achieved,
                }
                for fit in result.margins
            ],
        },
    )


def _calibrate(
    base: np.ndarray[Any, np.dtype[np.float64]],
    columns: dict[str, list[str]],
    margins: tuple[tuple[str, ...], ...],
    data: WaveData,
    settings: WeightingSettings,
) -> CalibrationResult:
    targets: dict[str, Mapping[Hashable, float]] = {
        " × ".join(m): margin_targets(data.census, m) for m in margins
    }
    if settings.method == "poststratify":
        name = next(iter(columns))
        return poststratify_weights(base, columns, name, targets[name])
    if settings.method == "raking" and settings.bounds is None:
        return rake_weights(
            base,
            columns,
            targets,
            max_iter=settings.max_iter,
            tolerance=settings.tolerance,
            accept_nonconvergence=True,
        )
    bounds = settings.bounds or (-np.inf, np.inf)
    return calibrate_weights(
        base,
        columns,
        targets,
        method=settings.method,
        bounds=bounds,
        max_iter=settings.max_iter,
        tolerance=settings.tolerance,
        accept_nonconvergence=True,
    )
