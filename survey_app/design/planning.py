"""From a frame's districts and a precision target to communities × interviews per district.

The statistics are `sampling.planning`'s; this module reads the analyst's settings (the same
text fields on the web page and the command line) and puts the library's answers in a table.

- Per district (each district judged on its own): every district is sized as its own
  population, n_eff,h = n₀/(1 + (n₀ − 1)/N_h) (`sample_size_details`), then split into
  communities × interviews (`cluster_plan`) with the design effect from the ICC,
  deff = 1 + (m − 1)ρ, or from a fixed deff.
- Overall (one verdict for the city): the city is sized once, the communities it needs are
  allocated to districts (`allocate`, at least `minimum` per district, at most the district's
  communities), each with the same interviews per community.

Interviews are completed interviews; contacts = ⌈interviews / response rate⌉ is how many
residents the enumerators should expect to approach.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

import msgspec

from sampling.planning import allocate, cluster_plan, sample_size_details
from sampling.planning.clusters import ClusterPlan
from sampling.planning.sample_size import SampleSize
from survey_app.design.schemas import PlanResult, PlanRow, PlanSettings, Stratum
from survey_app.errors import InvalidInputError
from survey_app.i18n import N_

EFFECTS = ("icc", "deff")
SCOPES = ("district", "overall")
ALLOCATIONS = ("proportional", "equal", "power")
MAX_PER_COMMUNITY = 1000
_SLACK = 1e-9
_PERCENT = (N_("must lie between 0 and 100 (percent)"), lambda x: 0 < x < 100)
_MARGIN = (N_("must lie between 0 and 50 (percentage points)"), lambda x: 0 < x < 50)
_LEVEL = (N_("must lie between 50 and 100 (percent)"), lambda x: 50 < x < 100)
_RATE = (N_("must be above 0 and at most 100 (percent)"), lambda x: 0 < x <= 100)
_ICC = (N_("must be at least 0 and below 1"), lambda x: 0 <= x < 1)
_DEFF = (N_("must be from 1 to 100"), lambda x: 1 <= x <= 100)


def field_problem(name: str, template: str, **params: object) -> dict[str, Any]:
    """A problem with one form field, as `InvalidInputError.details` carries it."""
    values = {key: str(value) for key, value in params.items()}
    return {
        "field": name,
        "message": template.format(**values),
        "template": template,
        "params": values,
    }


def parse_settings(raw: Mapping[str, str]) -> PlanSettings:
    """Plan settings from text fields; p, moe, confidence and response_rate are in percent."""
    defaults = PlanSettings()
    problems: list[dict[str, Any]] = []

    def number(name: str, default: float, rule: tuple[str, Callable[[float], bool]]) -> float:
        text = raw.get(name, "").strip().removesuffix("%").strip()
        if not text:
            return default
        try:
            value = float(text)
        except ValueError:
            problems.append(field_problem(name, N_("not a number: {value}"), value=text))
            return default
        if not (math.isfinite(value) and rule[1](value)):
            problems.append(field_problem(name, rule[0]))
            return default
        return value

    def whole(name: str, default: int, low: int, high: int) -> int:
        text = raw.get(name, "").strip()
        if not text:
            return default
        try:
            value = int(text)
        except ValueError:
            problems.append(field_problem(name, N_("not a whole number: {value}"), value=text))
            return default
        if not low <= value <= high:
            problems.append(
                field_problem(name, N_("must be from {low} to {high}"), low=low, high=high)
            )
            return default
        return value

    def choice(name: str, default: str, allowed: tuple[str, ...]) -> str:
        value = raw.get(name, "").strip() or default
        if value not in allowed:
            problems.append(
                field_problem(name, N_("must be one of {allowed}"), allowed=", ".join(allowed))
            )
            return default
        return value

    settings = {
        "p": number("p", 100 * defaults.p, _PERCENT) / 100,
        "moe": number("moe", 100 * defaults.moe, _MARGIN) / 100,
        "confidence_level": number("confidence", 100 * defaults.confidence_level, _LEVEL) / 100,
        "effect": choice("effect", defaults.effect, EFFECTS),
        "icc": number("icc", defaults.icc, _ICC),
        "deff": number("deff", defaults.deff, _DEFF),
        "per_community": whole("per_community", defaults.per_community, 1, MAX_PER_COMMUNITY),
        "response_rate": number("response_rate", 100 * defaults.response_rate, _RATE) / 100,
        "scope": choice("scope", defaults.scope, SCOPES),
        "allocation": choice("allocation", defaults.allocation, ALLOCATIONS),
        "minimum": whole("minimum", defaults.minimum, 1, 100),
    }
    if problems:
        raise InvalidInputError(N_("please correct the plan's settings"), details=problems)
    return msgspec.convert(settings, PlanSettings)


def compute_plan(strata: list[Stratum], settings: PlanSettings) -> PlanResult:
    """Communities × interviews per district for `settings` (see the module docstring)."""
    if not strata:
        raise InvalidInputError(N_("the frame has no districts"))
    n0 = _size(settings, None).n0
    if settings.scope == "district":
        rows = [_district_row(stratum, settings) for stratum in strata]
    else:
        rows = _overall_rows(strata, settings)
    return PlanResult(settings=settings, rows=rows, n0=n0)


def _size(settings: PlanSettings, population: int | None) -> SampleSize:
    return sample_size_details(
        settings.p,
        settings.moe,
        confidence_level=settings.confidence_level,
        deff=settings.deff if settings.effect == "deff" else 1.0,
        population=population,
    )


def _clusters(
    settings: PlanSettings, size: SampleSize, available: int, minimum: int, where: str | None
) -> tuple[ClusterPlan, float]:
    """`cluster_plan` on n_eff with the ICC, or on deff·n_eff at ICC 0 for a fixed deff."""
    try:
        if settings.effect == "icc":
            plan = cluster_plan(
                size.n_fpc,
                settings.icc,
                per_cluster=settings.per_community,
                clusters_available=available,
                minimum_clusters=min(minimum, available),
            )
            return plan, plan.deff
        plan = cluster_plan(
            size.n_deff,
            0.0,
            per_cluster=settings.per_community,
            clusters_available=available,
            minimum_clusters=min(minimum, available),
        )
    except ValueError:
        raise InvalidInputError(
            N_("too few communities for this precision at this ICC"),
            details=[
                field_problem(
                    "icc",
                    N_(
                        "{where} has {available} communities; at ICC {icc} they cannot carry "
                        "{n} effective interviews. Plan overall, ask for less precision or "
                        "check the ICC."
                    )
                    if where
                    else N_(
                        "the frame has {available} communities; at ICC {icc} they cannot "
                        "carry {n} effective interviews. Ask for less precision or check the ICC."
                    ),
                    where=where or "",
                    available=available,
                    icc=f"{settings.icc:g}",
                    n=f"{size.n_fpc:.0f}",
                )
            ],
        ) from None
    return plan, settings.deff


def contacts_needed(interviews: int, response_rate: float) -> int:
    """Residents to approach for `interviews` completes at the expected response rate."""
    return math.ceil(interviews / response_rate - _SLACK)


def _district_row(stratum: Stratum, settings: PlanSettings) -> PlanRow:
    size = _size(settings, stratum.population)
    plan, deff = _clusters(settings, size, stratum.communities, settings.minimum, stratum.name)
    return PlanRow(
        unit_id=stratum.unit_id,
        code=stratum.code,
        name=stratum.name,
        population=stratum.population,
        communities_available=stratum.communities,
        communities=plan.clusters,
        per_community=plan.per_cluster,
        interviews=plan.n,
        contacts=contacts_needed(plan.n, settings.response_rate),
        deff=deff,
    )


def _overall_rows(strata: list[Stratum], settings: PlanSettings) -> list[PlanRow]:
    population = sum(stratum.population for stratum in strata)
    available = sum(stratum.communities for stratum in strata)
    minimum = sum(min(settings.minimum, stratum.communities) for stratum in strata)
    size = _size(settings, population)
    plan, deff = _clusters(settings, size, available, minimum, None)
    counts = allocate(
        plan.clusters,
        {stratum.code: stratum.population for stratum in strata},
        settings.allocation,
        p=settings.p,
        minimum=settings.minimum,
        caps={stratum.code: stratum.communities for stratum in strata},
    )
    return [
        PlanRow(
            unit_id=stratum.unit_id,
            code=stratum.code,
            name=stratum.name,
            population=stratum.population,
            communities_available=stratum.communities,
            communities=counts[stratum.code],
            per_community=plan.per_cluster,
            interviews=counts[stratum.code] * plan.per_cluster,
            contacts=contacts_needed(
                counts[stratum.code] * plan.per_cluster, settings.response_rate
            ),
            deff=deff,
        )
        for stratum in strata
    ]
