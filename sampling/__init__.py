"""Design-based survey statistics: estimation, weighting, sample design (no web, no database).

R ``survey``'s numbers for stratified multistage designs (`Design`), proportions with every
``svyciprop`` interval plus Wilson, frozen `Estimate` results and threshold `verdict`s.
"""

from sampling.design import DEFAULT_PROPORTION_METHOD, Design
from sampling.estimate import FLAG_DESCRIPTIONS, ConfidenceInterval, Estimate, EstimateTable
from sampling.intervals import PROPORTION_METHODS, proportion_interval
from sampling.variance import LONELY_PSU_OPTIONS, VarianceStructure, linearised_variance
from sampling.verdict import Verdict, verdict

__all__ = [
    "DEFAULT_PROPORTION_METHOD",
    "FLAG_DESCRIPTIONS",
    "LONELY_PSU_OPTIONS",
    "PROPORTION_METHODS",
    "ConfidenceInterval",
    "Design",
    "Estimate",
    "EstimateTable",
    "VarianceStructure",
    "Verdict",
    "linearised_variance",
    "proportion_interval",
    "verdict",
]
