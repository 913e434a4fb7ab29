"""From per-domain statistics to frozen results: variances, intervals, `Estimate`s and tables."""

from __future__ import annotations

import numpy as np

from sampling import _estimators as est
from sampling._columns import FloatArray
from sampling._domains import Grouping
from sampling.estimate import Estimate, EstimateTable
from sampling.intervals import proportion_interval, wald_interval
from sampling.variance import VarianceStructure, variance_columns

Result = Estimate | EstimateTable | dict[str, Estimate | EstimateTable]


def build_results(
    structure: VarianceStructure,
    stats: dict[str, est.DomainStatistic],
    bases: dict[str, est.DomainBase],
    domains: Grouping,
    *,
    single: bool,
    confidence_level: float,
    statistic: str,
    method: str = "wald",
    glm_fits: dict[str, tuple[FloatArray, FloatArray]] | None = None,
    variances: dict[str, FloatArray] | None = None,
    df: FloatArray | None = None,
) -> Result:
    """Estimates, SEs and intervals; `variances` and `df` replace the linearised ones (weighted
    designs, see `sampling.weighting.design_variance`)."""
    if variances is None:
        variances = _variances(structure, stats, bases, domains)
    if df is None:
        df = domains.df
    results: dict[str, Estimate | EstimateTable] = {}
    for name, stat in stats.items():
        variance = variances[name]
        se = np.sqrt(variance)
        if statistic == "proportion":
            low, high = proportion_interval(
                stat.estimate,
                variance,
                df,
                stat.n,
                method=method,
                confidence_level=confidence_level,
                n_rows=domains.rows,
                glm_fit=(glm_fits or {}).get(name),
            )
        else:
            low, high = wald_interval(stat.estimate, se, df, confidence_level)
        deff, n_eff = est.design_summaries(stat, variance)
        estimates = [
            Estimate(
                estimate=float(stat.estimate[d]),
                se=float(se[d]),
                ci_low=float(low[d]),
                ci_high=float(high[d]),
                df=float(df[d]),
                deff=float(deff[d]),
                n=int(stat.n[d]),
                n_eff=float(n_eff[d]),
                confidence_level=confidence_level,
                method=method,
                statistic=statistic,
            )
            for d in range(len(domains.keys))
        ]
        results[name] = (
            EstimateTable(name, domains.by, dict(zip(domains.keys, estimates, strict=True)))
            if domains.by
            else estimates[0]
        )
    if single:
        return results[next(iter(results))]
    return results


def _variances(
    structure: VarianceStructure,
    stats: dict[str, est.DomainStatistic],
    bases: dict[str, est.DomainBase],
    domains: Grouping,
) -> dict[str, FloatArray]:
    """One variance pass for the variables on the shared domain codes, one each for the rest."""
    n_domains = len(domains.keys)
    shared = [name for name in stats if bases[name] is domains.base]
    out: dict[str, FloatArray] = {}
    if shared:
        block = variance_columns(
            structure,
            [stats[name].score for name in shared],
            domains.codes,
            n_domains,
            pairs=domains.pairs,
        )
        out.update({name: block[:, j] for j, name in enumerate(shared)})
    for name, stat in stats.items():
        if name not in out:
            codes = bases[name].codes
            out[name] = variance_columns(structure, [stat.score], codes, n_domains)[:, 0]
    return out


def check_binary(y: FloatArray, base: est.DomainBase, name: str) -> None:
    """A proportion needs 0/1 values in its domains (R's svyciprop takes a logical)."""
    if ((y == 0) | (y == 1)).all() or ((y == 0) | (y == 1))[base.codes >= 0].all():
        return
    raise ValueError(f"variables: proportion column {name!r} must hold only 0 and 1")
