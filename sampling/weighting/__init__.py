"""Survey weighting: non-response adjustment, post-stratification, raking, bounded calibration,
trimming, diagnostics, calibration-adjusted scores and compact replicate weights.

Array-level functions with R ``survey``'s numbers (``postStratify``, ``rake``, ``calibrate``,
``trimWeights``, ``as.svrepdesign``); every result is a frozen dataclass.
"""

from sampling.weighting._margins import CalibrationModel, Margin, calibration_model
from sampling.weighting.adjustment import (
    ClassAdjustment,
    NonresponseResult,
    TrimResult,
    nonresponse_adjustment,
    trim_weights,
)
from sampling.weighting.calibrated import (
    CalibrationStep,
    calibrated_scores,
    calibrated_variance,
)
from sampling.weighting.calibration import (
    CALIBRATION_METHODS,
    CalibrationResult,
    Convergence,
    calibrate_model,
    calibrate_weights,
    poststratify_weights,
    rake_weights,
)
from sampling.weighting.diagnostics import MarginFit, WeightDiagnostics, weight_diagnostics
from sampling.weighting.hadamard import hadamard, is_hadamard
from sampling.weighting.replicate_calibration import calibrate_replicates
from sampling.weighting.replicates import (
    REPLICATE_TYPES,
    ReplicateWeights,
    bootstrap_factors,
    brr_factors,
    jk1_factors,
    jkn_factors,
    replicate_variance,
)
from sampling.weighting.residuals import calibration_residuals, raking_residuals

__all__ = [
    "CALIBRATION_METHODS",
    "REPLICATE_TYPES",
    "CalibrationModel",
    "CalibrationResult",
    "CalibrationStep",
    "ClassAdjustment",
    "Convergence",
    "Margin",
    "MarginFit",
    "NonresponseResult",
    "ReplicateWeights",
    "TrimResult",
    "WeightDiagnostics",
    "bootstrap_factors",
    "brr_factors",
    "calibrate_model",
    "calibrate_replicates",
    "calibrate_weights",
    "calibrated_scores",
    "calibrated_variance",
    "calibration_model",
    "calibration_residuals",
    "hadamard",
    "is_hadamard",
    "jk1_factors",
    "jkn_factors",
    "nonresponse_adjustment",
    "poststratify_weights",
    "rake_weights",
    "raking_residuals",
    "replicate_variance",
    "trim_weights",
    "weight_diagnostics",
]
