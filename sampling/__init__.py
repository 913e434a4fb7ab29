"""Design-based survey statistics: estimation, weighting, sample design (no web, no database).

R ``survey``'s numbers for stratified multistage designs (`Design`), proportions with every
``svyciprop`` interval plus Wilson, frozen `Estimate` results and threshold `verdict`s; weighting
(post-stratification, raking, calibration, trimming, replicate weights) from
`sampling.weighting`, also as `Design` methods; the
planning functions of the statistics contract (`sample_size_proportion`, `allocate`, `select`,
`response_rates`) come from `sampling.planning`, which holds the rest of sample design.
"""

from sampling.design import DEFAULT_PROPORTION_METHOD, Design
from sampling.estimate import FLAG_DESCRIPTIONS, ConfidenceInterval, Estimate, EstimateTable
from sampling.intervals import PROPORTION_METHODS, proportion_interval
from sampling.planning import allocate, response_rates, sample_size_proportion, select
from sampling.variance import LONELY_PSU_OPTIONS, VarianceStructure, linearised_variance
from sampling.verdict import Verdict, verdict
from sampling.weighting import (
    CALIBRATION_METHODS,
    REPLICATE_TYPES,
    CalibrationResult,
    CalibrationStep,
    Convergence,
    ReplicateWeights,
    WeightDiagnostics,
    calibrate_weights,
    calibrated_variance,
    nonresponse_adjustment,
    poststratify_weights,
    rake_weights,
    trim_weights,
    weight_diagnostics,
)

__all__ = [
    "CALIBRATION_METHODS",
    "DEFAULT_PROPORTION_METHOD",
    "FLAG_DESCRIPTIONS",
    "LONELY_PSU_OPTIONS",
    "PROPORTION_METHODS",
    "REPLICATE_TYPES",
    "CalibrationResult",
    "CalibrationStep",
    "ConfidenceInterval",
    "Convergence",
    "Design",
    "Estimate",
    "EstimateTable",
    "ReplicateWeights",
    "VarianceStructure",
    "Verdict",
    "WeightDiagnostics",
    "allocate",
    "calibrate_weights",
    "calibrated_variance",
    "linearised_variance",
    "nonresponse_adjustment",
    "poststratify_weights",
    "proportion_interval",
    "rake_weights",
    "response_rates",
    "sample_size_proportion",
    "select",
    "trim_weights",
    "verdict",
    "weight_diagnostics",
]
