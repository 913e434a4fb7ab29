"""Indicator estimates from a weighting run: every indicator overall and by domain, with verdicts.

Each indicator is its 0/1/NaN variable (`questionnaires.derive_indicator`); NaN (an answer
outside the denominator, such as 说不清 when the definition leaves it out, or no answer) keeps the
response out of that rate. All indicators are estimated in one `sampling.Design.proportion` call
per domain variable with the run's interval method and confidence level, and compared with
their thresholds by `sampling.verdict`:

    probability sample  Design(ids=community, strata=district, weights=final weight, nest=True)
    open-link answers   Design(weights=final weight)    (no design: intervals are indicative)
    combined            as the probability sample, each open-link answer its own PSU

which is R's ``svyciprop(~y, svydesign(ids=~psu, strata=~stratum, weights=~weight,
nest=TRUE, data=d), method=, level=)`` (and ``svyby`` for domains); the exported microdata and
R snippet (`survey_app.reports.microdata`) reproduce it. The final weights are taken as given,
so a rate's SE does not get the (small) reduction calibration brings to variables related to
the margins: the SEs are slightly conservative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
from scipy.stats import t as student

from questionnaires.indicators import Indicator as IndicatorDefinition
from questionnaires.indicators import derive_indicator
from sampling import DEFAULT_PROPORTION_METHOD, PROPORTION_METHODS, Design, Estimate, verdict
from survey_app.analysis.data import OPEN_LINK, Case
from survey_app.errors import InvalidInputError
from survey_app.models import Indicator

Progress = Callable[[str, int, int], None]
"""A listener told (step, steps done, steps in all) as long work goes on."""
DOMAIN_VARIABLES = ("district", "street", "community", "age_group", "sex")
DEFAULT_DOMAINS = ("district", "street", "age_group", "sex")
VERDICTS = ("met", "not_met", "inconclusive")


class EstimateSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The interval method, confidence level and domains of an estimate run."""

    method: str = DEFAULT_PROPORTION_METHOD
    confidence_level: float = 0.95
    domains: tuple[str, ...] = DEFAULT_DOMAINS

    def check(self) -> EstimateSettings:
        problems = []
        if self.method not in PROPORTION_METHODS:
            problems.append(f"method must be one of {', '.join(PROPORTION_METHODS)}")
        if not 0.5 <= self.confidence_level < 1:
            problems.append("confidence_level must be at least 0.5 and below 1")
        unknown = [d for d in self.domains if d not in DOMAIN_VARIABLES]
        if unknown:
            problems.append(
                f"unknown domains {', '.join(unknown)}; use {', '.join(DOMAIN_VARIABLES)}"
            )
        if problems:
            raise InvalidInputError(
                "the estimate settings are invalid: " + "; ".join(problems),
                details=[{"field": "settings", "message": p} for p in problems],
            )
        return self


@dataclass(frozen=True, slots=True)
class EstimateRow:
    """One indicator in one domain (overall: domain_variable = "")."""

    indicator: str
    domain_variable: str
    domain_value: str
    estimate: Estimate
    verdict: str


def definition(indicator: Indicator) -> IndicatorDefinition:
    """The `questionnaires` definition of a stored indicator."""
    return IndicatorDefinition(
        id=indicator.code,
        label=dict(indicator.label),
        question=indicator.question,
        numerator=tuple(str(c) for c in indicator.numerator_codes),
        denominator=tuple(str(c) for c in indicator.denominator_codes),
        threshold=indicator.threshold,
        direction=">=" if indicator.direction != "<=" else "<=",
        domains=tuple(str(d) for d in indicator.domains),
    )


def domain_value(case: Case, variable: str) -> str | None:
    if variable in ("district", "street", "community"):
        value: object = getattr(case, variable)
    else:
        value = case.answers.get(variable)
    return value if isinstance(value, str) and value else None


def design_columns(
    cases: Sequence[Case], weights: Sequence[float], indicators: Sequence[Indicator]
) -> dict[str, Any]:
    """The columns a `Design` reads: stratum, psu, weight, one per indicator and domain."""
    answers = [case.answers for case in cases]
    columns: dict[str, Any] = {
        "stratum": np.array([c.district or "" for c in cases], dtype=object),
        "psu": np.array(
            [c.community if c.sample != OPEN_LINK else f"open:{c.response_id}" for c in cases],
            dtype=object,
        ),
        "weight": np.asarray(weights, dtype=np.float64),
    }
    for indicator in indicators:
        values = derive_indicator(definition(indicator), answers).values
        columns[indicator.code] = np.asarray(values, dtype=np.float64)
    for variable in DOMAIN_VARIABLES:
        columns[variable] = np.array([domain_value(c, variable) for c in cases], dtype=object)
    return columns


def survey_design(columns: dict[str, Any], *, clustered: bool) -> Design:
    if clustered:
        return Design(
            columns, ids="psu", strata="stratum", weights="weight", nest=True, lonely_psu="adjust"
        )
    return Design(columns, weights="weight")


def estimate_indicators(
    cases: Sequence[Case],
    weights: Sequence[float],
    indicators: Sequence[Indicator],
    settings: EstimateSettings,
    *,
    clustered: bool,
    progress: Progress | None = None,
) -> list[EstimateRow]:
    """Every indicator overall and in every domain of `settings` that the indicator lists;
    `progress(step, done, total)` hears of each domain variable done."""
    settings.check()
    columns = design_columns(cases, weights, indicators)
    usable = [i for i in indicators if np.isfinite(columns[i.code]).any()]
    if not usable:
        raise InvalidInputError("no indicator has an answer in its denominator yet")
    design = survey_design(columns, clustered=clustered)
    rows: list[EstimateRow] = []
    steps = ("", *settings.domains)
    for done, variable in enumerate(steps, start=1):
        if progress is not None:
            progress(variable or "overall", done, len(steps))
        chosen = [i for i in usable if not variable or variable in i.domains]
        if not chosen:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            result = design.proportion(
                [i.code for i in chosen],
                by=variable or None,
                method=settings.method,
                confidence_level=settings.confidence_level,
                na_rm=True,
            )
        assert isinstance(result, dict)
        for indicator in chosen:
            found = result[indicator.code]
            cells = [("", found)] if isinstance(found, Estimate) else list(found.items())
            for key, estimate in cells:
                if estimate.n == 0 or not math.isfinite(estimate.estimate):
                    continue
                rows.append(
                    EstimateRow(
                        indicator=indicator.code,
                        domain_variable=variable,
                        domain_value=str(key),
                        estimate=estimate,
                        verdict=judge(estimate, indicator.threshold, indicator.direction),
                    )
                )
    return rows


def judge(estimate: Estimate, threshold: float, direction: str) -> str:
    """`sampling.verdict`'s status. An undefined interval, or a domain inside one PSU of its
    stratum (df = 0: its between-PSU variance cannot be estimated, so its SE comes out as 0),
    decides nothing: inconclusive."""
    finite = math.isfinite(estimate.ci_low) and math.isfinite(estimate.ci_high)
    if not finite or estimate.df < 1:
        return "inconclusive"
    return verdict(estimate, threshold, "<=" if direction == "<=" else ">=").status


@dataclass(frozen=True, slots=True)
class Change:
    """Difference from the previous wave: d = p₁ − p₀, se = √(se₁² + se₀²) (independent samples),
    interval d ± t·se with t on min(df₁, df₀) degrees of freedom."""

    previous: float
    difference: float
    se: float
    ci_low: float
    ci_high: float


def change(
    current: Estimate, previous_estimate: float, previous_se: float, previous_df: float
) -> Change:
    se = math.hypot(current.se, previous_se)
    df = min(current.df, previous_df)
    quantile = float(student.ppf((1 + current.confidence_level) / 2, df)) if df >= 1 else math.inf
    difference = current.estimate - previous_estimate
    return Change(
        previous=previous_estimate,
        difference=difference,
        se=se,
        ci_low=difference - quantile * se,
        ci_high=difference + quantile * se,
    )
