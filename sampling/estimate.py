"""Frozen result objects: `Estimate`, a table of them by domain, and the reliability flags."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

#: NCHS Data Presentation Standards for Proportions (Parker et al. 2017): the cells to flag.
FLAG_DESCRIPTIONS: Mapping[str, str] = {
    "low_n_eff": "effective sample size below 30",
    "low_df": "design degrees of freedom below 8",
    "wide_ci": "confidence interval wider than 0.30",
    "wide_relative_ci": "confidence interval wider than 130 % of the estimate",
}


class ConfidenceInterval(NamedTuple):
    """Bounds of a two-sided confidence interval."""

    low: float
    high: float


@dataclass(frozen=True, slots=True)
class Estimate:
    """One design-based estimate with its standard error, interval and design summaries.

    `df` is the design degrees of freedom (PSUs − strata, within the domain), `deff` the design
    effect as R's ``deff = TRUE`` (variance over the SRS-without-replacement variance at the
    estimated population size), `n` the rows behind the estimate and `n_eff` the Kish effective
    sample size min(n, σ̂²/se²) (σ̂² the weighted population variance, p(1 − p) for a proportion;
    n when the variance is zero). `method` names the interval method. `flags` lists the NCHS
    reliability flags (`FLAG_DESCRIPTIONS`), derived from the other fields (flags passed in are
    kept as well); the width flags apply to proportions only.
    """

    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float = math.inf
    deff: float = math.nan
    n: int = 0
    n_eff: float = math.nan
    confidence_level: float = 0.95
    method: str = "wald"
    flags: tuple[str, ...] = ()
    statistic: str = "proportion"

    def __post_init__(self) -> None:
        derived = reliability_flags(self)
        object.__setattr__(self, "flags", tuple(dict.fromkeys((*self.flags, *derived))))

    @property
    def ci(self) -> ConfidenceInterval:
        """The interval as ``ConfidenceInterval(low, high)``."""
        return ConfidenceInterval(self.ci_low, self.ci_high)

    @property
    def cv(self) -> float:
        """Coefficient of variation se/estimate (NaN at zero)."""
        return self.se / self.estimate if self.estimate != 0 else math.nan

    def to_dict(self) -> dict[str, Any]:
        """Plain fields, for JSON or a table row."""
        return {
            "estimate": self.estimate,
            "se": self.se,
            "ci_low": self.ci_low,
            "ci_high": self.ci_high,
            "df": self.df,
            "deff": self.deff,
            "n": self.n,
            "n_eff": self.n_eff,
            "confidence_level": self.confidence_level,
            "method": self.method,
            "flags": list(self.flags),
            "statistic": self.statistic,
        }


def reliability_flags(estimate: Estimate) -> tuple[str, ...]:
    """NCHS presentation flags: effective n < 30, df < 8, and for proportions CI width > 0.30 or
    relative CI width (width / estimate) > 130 %."""
    flags = []
    if not estimate.n_eff >= 30:
        flags.append("low_n_eff")
    if estimate.df < 8:
        flags.append("low_df")
    if estimate.statistic == "proportion":
        width = estimate.ci_high - estimate.ci_low
        if width > 0.30:
            flags.append("wide_ci")
        if estimate.estimate <= 0 or width / estimate.estimate > 1.30:
            flags.append("wide_relative_ci")
    return tuple(flags)


@dataclass(frozen=True, slots=True)
class EstimateTable(Mapping[Hashable, Estimate]):
    """Estimates by domain, read like a mapping: ``t["东城"]``, ``t[("东城", "18-29")]``.

    Keys are the domain values in sorted order (tuples when there are several `by` columns);
    iteration yields keys, ``t.items()`` pairs, `to_rows` plain dicts for a web table or JSON.
    R: ``svyby(~y, ~district, design, svymean)``.
    """

    variable: str
    by: tuple[str, ...]
    estimates: Mapping[Hashable, Estimate] = field(repr=False)

    def __getitem__(self, key: Hashable) -> Estimate:
        return self.estimates[key]

    def __iter__(self) -> Iterator[Hashable]:
        return iter(self.estimates)

    def __len__(self) -> int:
        return len(self.estimates)

    def to_rows(self) -> list[dict[str, Any]]:
        """One dict per domain: the `by` columns, ``variable`` and the estimate's fields."""
        rows = []
        for key, estimate in self.estimates.items():
            values = key if len(self.by) > 1 and isinstance(key, tuple) else (key,)
            row: dict[str, Any] = dict(zip(self.by, values, strict=True))
            row["variable"] = self.variable
            row.update(estimate.to_dict())
            rows.append(row)
        return rows
