"""The weighting methods of `sampling.Design`: each returns a new design with adjusted weights.

    d.poststratify("age_group", {"18-29": 353424, ...})
    d.rake({"district": {...}, "age_group": {...}, "sex": {...}})
    d.calibrate({"age_group": {...}, "income": 1.2e9}, method="logit", bounds=(0.3, 3.0))
    d.trim_weights(lower, upper, strict=False)
    d.replicate("JKn")

`sampling.Design` delegates these methods here. A calibrated design keeps a `CalibrationStep`
per calibration, and its estimates carry the calibration-adjusted variance (R's
``postStratify``, ``rake`` and ``calibrate`` designs). A replicate design estimates variances
from its replicates (R's ``as.svrepdesign``); calibrating it calibrates every replicate.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from sampling.weighting import adjustment
from sampling.weighting._margins import FloatArray, Margins, calibration_model
from sampling.weighting.calibrated import CalibrationStep
from sampling.weighting.calibration import (
    CalibrationResult,
    calibrate_model,
    poststratify_weights,
)
from sampling.weighting.diagnostics import WeightDiagnostics, weight_diagnostics
from sampling.weighting.replicate_calibration import calibrate_replicates
from sampling.weighting.replicates import (
    REPLICATE_TYPES,
    ReplicateWeights,
    bootstrap_factors,
    brr_factors,
    jk1_factors,
    jkn_factors,
)

if TYPE_CHECKING:
    from sampling.design import Design


class _Columns(Mapping[str, Any]):
    """The design's columns as a read-only mapping, read on demand."""

    def __init__(self, design: Design, argument: str) -> None:
        self._design = design
        self._argument = argument

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self._design._raw(name, self._argument)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._design._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._design._names)

    def __len__(self) -> int:
        return len(self._design._names)


def poststratify(
    design: Design, var_or_vars: str | Sequence[str], population: Mapping[Hashable, float]
) -> Design:
    """Post-stratify to cell sizes `population` (tuples of levels for several variables).

    R: ``postStratify(design, ~a + b, population)``; SEs from the post-stratified residuals.
    """
    _whole(design, "poststratify")
    result = poststratify_weights(
        design._weights, _Columns(design, "var_or_vars"), var_or_vars, population
    )
    return _calibrated(design, result, "regression", max_iter=50, tolerance=1e-7)


def rake(
    design: Design,
    margins: Mapping[str, Mapping[Hashable, float]],
    *,
    max_iter: int = 50,
    tolerance: float = 1e-7,
    accept_nonconvergence: bool = False,
) -> Design:
    """Rake to categorical `margins` ``{variable: {level: total}}`` (Newton on the cells).

    R: ``rake(design, list(~a, ~b), list(pop_a, pop_b))``, with R's ``rake`` SEs (its
    backfitted residuals). Non-convergence is a ValueError unless accepted.
    """
    _whole(design, "rake")
    for name, spec in margins.items():
        if not isinstance(spec, Mapping):
            raise ValueError(f"margins: margin {name!r} must map levels to population totals")
    model = calibration_model(_Columns(design, "margins"), margins, argument="margins")
    result = calibrate_model(
        design._weights,
        model,
        method="raking",
        max_iter=max_iter,
        tolerance=tolerance,
        accept_nonconvergence=accept_nonconvergence,
    )
    return _calibrated(design, result, "raking", max_iter=max_iter, tolerance=tolerance)


def calibrate(
    design: Design,
    totals: Margins,
    *,
    method: Literal["linear", "raking", "logit"] = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    population_size: float | None = None,
    max_iter: int = 50,
    tolerance: float = 1e-7,
    accept_nonconvergence: bool = False,
) -> Design:
    """Calibrate to `totals` (margins as for `rake`, numeric totals as ``{"income": 1.2e9}``)
    with `bounds` on calibrated / design weight; `population_size` adds an intercept.

    R: ``calibrate(design, ~a + income, c(N, ...), calfun=method, bounds=bounds)``.
    """
    _whole(design, "calibrate")
    model = calibration_model(
        _Columns(design, "totals"), totals, population_size=population_size, argument="totals"
    )
    result = calibrate_model(
        design._weights,
        model,
        method=method,
        bounds=bounds,
        max_iter=max_iter,
        tolerance=tolerance,
        accept_nonconvergence=accept_nonconvergence,
    )
    return _calibrated(design, result, "regression", max_iter=max_iter, tolerance=tolerance)


def trim_weights(
    design: Design, lower: float = -np.inf, upper: float = np.inf, *, strict: bool = False
) -> Design:
    """Trim the weights to [lower, upper], sharing the excess equally (R's ``trimWeights``).

    Earlier calibrations keep their residuals, as in R.
    """
    _whole(design, "trim_weights")
    if design._replicates is not None:
        raise ValueError("trim_weights: trim before making a replicate design")
    trimmed = adjustment.trim_weights(design._weights, lower, upper, strict=strict).weights
    trimmed.flags.writeable = False
    return design._with(weights=trimmed)


def replicate(
    design: Design,
    type: Literal["JK1", "JKn", "bootstrap", "BRR"],
    *,
    replicates: int = 50,
    rng: np.random.Generator | None = None,
    fay_rho: float = 0.0,
    hadamard_matrix: npt.ArrayLike | None = None,
) -> Design:
    """A replicate-weight design from this one's first-stage strata and PSUs.

    R: ``as.svrepdesign(design, type=type, fay.rho=, replicates=)`` with R's scale factors;
    JK1 and JKn keep the first-stage fpc, BRR drops it (as R). ``bootstrap`` needs `rng`.
    """
    _whole(design, "replicate")
    if type not in REPLICATE_TYPES:
        raise ValueError(f"type must be one of {REPLICATE_TYPES}, got {type!r}")
    if design._replicates is not None:
        raise ValueError("type: the design already has replicate weights")
    stage = design._structure.stages[0]
    psu = stage.cluster
    stratum = stage.cluster_stratum[psu]
    stratified = stage.n_strata > 1
    population = _first_stage_population(design)
    reps: ReplicateWeights
    if type == "JK1":
        if stratified:
            raise ValueError("type: JK1 is for unstratified designs; use 'JKn'")
        reps = jk1_factors(psu, population=population)
    elif type == "JKn":
        if not stratified:
            raise ValueError("type: JKn needs strata; use 'JK1'")
        reps = jkn_factors(
            stratum, psu, population=population, lonely_psu=design._structure.lonely_psu
        )
    elif type == "BRR":
        if not stratified:
            raise ValueError("type: BRR needs strata of two PSUs")
        reps = brr_factors(stratum, psu, fay_rho=fay_rho, hadamard_matrix=hadamard_matrix)
    else:
        if rng is None:
            raise ValueError("rng: the bootstrap needs a numpy.random.Generator")
        reps = bootstrap_factors(
            stratum, psu, replicates=replicates, rng=rng, population=population
        )
    return design._with(replicates=reps)


def diagnostics(design: Design) -> WeightDiagnostics:
    """Kish deff (1 + CV²), effective n, min/max/ratio of the weights."""
    return weight_diagnostics(design._weights)


def _whole(design: Design, method: str) -> None:
    if design._domain is not None:
        raise ValueError(f"{method}: weight the whole design, then take subset()")


def _calibrated(
    design: Design,
    result: CalibrationResult,
    kind: Literal["regression", "raking"],
    *,
    max_iter: int,
    tolerance: float,
) -> Design:
    weights = np.array(result.weights)
    weights.flags.writeable = False
    if design._replicates is not None:
        reps = calibrate_replicates(
            design._replicates, design._weights, result, max_iter=max_iter, tolerance=tolerance
        )
        return design._with(weights=weights, replicates=reps)
    step = CalibrationStep.of(result, design._weights, kind=kind)
    return design._with(weights=weights, steps=(*design._steps, step))


def _first_stage_population(design: Design) -> FloatArray | None:
    """N_h per row from the first stage's fpc factor f_h = (N_h − n_h)/N_h (None without fpc)."""
    stage = design._structure.stages[0]
    n_h = stage.n_psu
    with np.errstate(divide="ignore", invalid="ignore"):
        f_h = np.where(n_h > 1, stage.weight * (n_h - 1) / n_h, stage.weight)
    if np.allclose(f_h, 1.0, rtol=0, atol=1e-12):
        return None
    with np.errstate(divide="ignore"):
        population: FloatArray = (n_h / (1.0 - f_h))[stage.cluster_stratum[stage.cluster]]
    return population
