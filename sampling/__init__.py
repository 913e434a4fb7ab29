"""Design-based survey statistics: estimation, weighting, sample design (no web, no database).

R ``survey``'s numbers for stratified multistage designs (`Design`), proportions with every
``svyciprop`` interval plus Wilson, frozen `Estimate` results and threshold `verdict`s; the
planning functions of the statistics contract (`sample_size_proportion`, `allocate`, `select`,
`response_rates`) come from `sampling.planning`, which holds the rest of sample design.
"""

from sampling.design import DEFAULT_PROPORTION_METHOD, Design
from sampling.estimate import FLAG_DESCRIPTIONS, ConfidenceInterval, Estimate, EstimateTable
from sampling.intervals import PROPORTION_METHODS, proportion_interval
from sampling.planning import allocate, response_rates, sample_size_proportion, select
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
    "allocate",
    "linearised_variance",
    "proportion_interval",
    "response_rates",
    "sample_size_proportion",
    "select",
    "verdict",
]
