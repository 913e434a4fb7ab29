"""Sample design: sample size, allocation to strata, selection, quotas and response rates.

Pure numpy/scipy; every result is a frozen value object and all randomness comes through an
``rng: numpy.random.Generator`` argument. See docs/sample-design.md for formulas and sources.
"""

from sampling.planning.allocation import Allocation, AllocationMethod, allocate
from sampling.planning.clusters import ClusterPlan, cluster_plan, cluster_plan_by_stratum
from sampling.planning.quotas import Quotas, quotas, quotas_by_community
from sampling.planning.response_rates import (
    DispositionCounts,
    ResponseRates,
    disposition_counts,
    response_rates,
    response_rates_from_codes,
)
from sampling.planning.sample_size import (
    SampleSize,
    StratumSampleSizes,
    interval_half_width,
    sample_size_by_stratum,
    sample_size_details,
    sample_size_proportion,
    z_value,
)
from sampling.planning.selection import (
    Selection,
    SelectionMethod,
    pps_inclusion_probabilities,
    replacement_order,
    select,
    select_stratified,
)

__all__ = [
    "Allocation",
    "AllocationMethod",
    "ClusterPlan",
    "DispositionCounts",
    "Quotas",
    "ResponseRates",
    "SampleSize",
    "Selection",
    "SelectionMethod",
    "StratumSampleSizes",
    "allocate",
    "cluster_plan",
    "cluster_plan_by_stratum",
    "disposition_counts",
    "interval_half_width",
    "pps_inclusion_probabilities",
    "quotas",
    "quotas_by_community",
    "replacement_order",
    "response_rates",
    "response_rates_from_codes",
    "sample_size_by_stratum",
    "sample_size_details",
    "sample_size_proportion",
    "select",
    "select_stratified",
    "z_value",
]
