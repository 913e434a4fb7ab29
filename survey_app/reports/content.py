"""What a report says, gathered once from the database into plain values (PDF, Excel, web)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from questionnaires.indicators import describe_indicator
from questionnaires.model import LegalMarkings, Questionnaire
from questionnaires.outline import outline
from sampling import Estimate
from survey_app.analysis import services
from survey_app.analysis.dashboard import Rates, fieldwork_dashboard
from survey_app.analysis.data import OPEN_LINK, WaveData
from survey_app.analysis.estimation import Change, change, definition
from survey_app.analysis.weighting import COMBINED
from survey_app.errors import InvalidInputError
from survey_app.i18n import N_, negotiate, translations
from survey_app.models import EstimateRecord, EstimateRun, Indicator, Wave, WeightingRun
from survey_app.reports.charts import ProgressRow

DOMAIN_TITLES = {
    "": N_("Overall"),
    "district": N_("District"),
    "street": N_("Street"),
    "community": N_("Community"),
    "age_group": N_("Age group"),
    "sex": N_("Sex"),
}
VERDICT_LABELS = {
    "met": N_("met"),
    "not_met": N_("not met"),
    "inconclusive": N_("inconclusive"),
}
SAMPLE_TITLES = {
    "probability": N_("Probability sample"),
    COMBINED: N_("Probability sample and open-link answers combined"),
    OPEN_LINK: N_("Open-link web answers (not a probability sample)"),
}
FLAG_LABELS = {
    "low_n_eff": N_("effective n below 30"),
    "low_df": N_("design df below 8"),
    "wide_ci": N_("interval wider than 30 points"),
    "wide_relative_ci": N_("interval wider than 130 % of the rate"),
}


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    code: str
    label: str
    definition: str
    threshold: float
    direction: str


@dataclass(frozen=True, slots=True)
class Line:
    """One indicator in one domain, with what the tables and charts show."""

    indicator: str
    domain_variable: str
    domain_value: str
    domain_label: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: float
    deff: float | None
    n: int
    n_eff: float
    verdict: str
    flags: tuple[str, ...]
    change: Change | None = None


@dataclass(frozen=True, slots=True)
class SampleResults:
    sample: str
    lines: tuple[Line, ...]

    def overall(self, indicator: str) -> Line | None:
        return next(
            (x for x in self.lines if x.indicator == indicator and not x.domain_variable), None
        )

    def domain(self, indicator: str, variable: str) -> list[Line]:
        return [x for x in self.lines if x.indicator == indicator and x.domain_variable == variable]


@dataclass(frozen=True, slots=True)
class ReportContent:
    """Everything the PDF and the Excel workbook print, already in the report's language."""

    language: str
    survey_title: str
    wave_name: str
    generated: dt.date
    legal: LegalMarkings | None
    weighting_run: int
    weighting: dict[str, Any]
    diagnostics: dict[str, Any]
    estimate_settings: dict[str, Any]
    indicators: tuple[IndicatorInfo, ...]
    samples: tuple[SampleResults, ...]
    rates: tuple[Rates, ...] = ()
    progress: tuple[ProgressRow, ...] = ()
    design: dict[str, int] = field(default_factory=dict)
    appendix: str = ""
    previous_wave: str = ""

    def gettext(self) -> Callable[[str], str]:
        return translations(negotiate(self.language)).gettext


def domain_labeller(
    data: WaveData, questionnaire: Questionnaire, language: str
) -> Callable[[str, str], str]:
    """Names for domain values: places from the frame, answers by their option labels."""

    def label(variable: str, value: str) -> str:
        if variable in ("district", "street", "community"):
            return data.place_name(value)
        question = questionnaire.question(variable)
        choices = questionnaire.choice_list(question.list_name) if question else None
        if question is not None and question.type == "calculate":
            choices = questionnaire.choice_list(variable)
        for choice in choices.choices if choices else ():
            if choice.name == value:
                return questionnaire.localize(choice.label, language)
        return value

    return label


async def report_content(
    db: AsyncSession, run: WeightingRun, language: str = "zh"
) -> ReportContent:
    """The report of weighting run `run` and its newest estimates."""
    data, cases = await services.weighted_cases(db, run)
    estimate_runs = await _newest_estimates(db, run)
    if not estimate_runs:
        raise InvalidInputError(
            f"weighting run {run.id} has no estimates yet; run the estimates first"
        )
    questionnaire = data.questionnaire
    label = domain_labeller(data, questionnaire, language)
    previous_label, previous = await _previous(db, data.wave)
    samples = []
    for estimate_run in estimate_runs:
        sample = str(estimate_run.settings.get("sample", "probability"))
        records = await services.estimate_records(db, estimate_run)
        codes = {i.id: i.code for i in data.indicators}
        samples.append(
            SampleResults(
                sample,
                tuple(
                    _line(r, codes[r.indicator_id], label, previous.get(_key(sample, codes, r)))
                    for r in records
                ),
            )
        )
    dashboard = await fieldwork_dashboard(db, data.wave)
    groups = {c.group for c in cases}
    return ReportContent(
        language=language,
        survey_title=data.survey.title,
        wave_name=data.wave.name,
        generated=dt.datetime.now(dt.UTC).date(),
        legal=questionnaire.legal,
        weighting_run=run.id,
        weighting=dict(run.settings),
        diagnostics=dict(run.diagnostics),
        estimate_settings=dict(estimate_runs[0].settings),
        indicators=tuple(_info(i, questionnaire, language) for i in data.indicators),
        samples=tuple(samples),
        rates=tuple(dashboard.rates),
        progress=tuple(ProgressRow(p.name, p.completes, p.target) for p in dashboard.districts),
        design={
            "strata": len({c.case.district for c in cases if c.group != OPEN_LINK}),
            "psus": len({c.case.community for c in cases if c.case.sample != OPEN_LINK}),
            **{f"n_{group}": sum(c.group == group for c in cases) for group in groups},
        },
        appendix=outline(questionnaire, "en" if language == "en" else "zh"),
        previous_wave=previous_label,
    )


def _key(sample: str, codes: dict[int, str], record: EstimateRecord) -> tuple[str, str, str, str]:
    return (sample, codes[record.indicator_id], record.domain_variable, record.domain_value)


def _info(indicator: Indicator, questionnaire: Questionnaire, language: str) -> IndicatorInfo:
    lang = "en" if language == "en" else "zh"
    return IndicatorInfo(
        code=indicator.code,
        label=questionnaire.localize(dict(indicator.label), lang),
        definition=describe_indicator(definition(indicator), questionnaire, lang),
        threshold=indicator.threshold,
        direction=indicator.direction,
    )


def _line(
    record: EstimateRecord,
    indicator: str,
    label: Callable[[str, str], str],
    previous: tuple[float, float, float] | None,
) -> Line:
    moved = None
    if previous is not None:
        current = Estimate(
            estimate=record.estimate,
            se=record.se,
            ci_low=record.ci_low,
            ci_high=record.ci_high,
            df=record.df,
        )
        moved = change(current, *previous)
    return Line(
        indicator=indicator,
        domain_variable=record.domain_variable,
        domain_value=record.domain_value,
        domain_label=label(record.domain_variable, record.domain_value)
        if record.domain_variable
        else "",
        estimate=record.estimate,
        se=record.se,
        ci_low=record.ci_low,
        ci_high=record.ci_high,
        df=record.df,
        deff=record.deff,
        n=record.n,
        n_eff=record.n_eff,
        verdict=record.verdict,
        flags=tuple(str(f) for f in record.flags),
        change=moved,
    )


async def _newest_estimates(db: AsyncSession, run: WeightingRun) -> list[EstimateRun]:
    """The estimate runs of the newest estimation of `run` (one per sample group)."""
    runs = await services.estimate_runs_of(db, run)
    seen: dict[str, EstimateRun] = {}
    for estimate_run in sorted(runs, key=lambda r: r.id):
        seen[str(estimate_run.settings.get("sample"))] = estimate_run
    return sorted(seen.values(), key=lambda r: r.id)


async def _previous(
    db: AsyncSession, wave: Wave
) -> tuple[str, dict[tuple[str, str, str, str], tuple[float, float, float]]]:
    """The previous wave's newest estimates: (sample, indicator, domain, value) → (p, se, df)."""
    earlier = await db.scalar(
        select(Wave)
        .where(Wave.survey_id == wave.survey_id, Wave.number < wave.number)
        .order_by(Wave.number.desc())
        .limit(1)
    )
    if earlier is None:
        return "", {}
    run = await services.latest_estimated_run(db, earlier)
    if run is None:
        return earlier.name, {}
    out = {}
    indicators = dict((await db.execute(select(Indicator.id, Indicator.code))).tuples().all())
    for estimate_run in await _newest_estimates(db, run):
        sample = str(estimate_run.settings.get("sample", "probability"))
        for r in await services.estimate_records(db, estimate_run):
            out[_key(sample, indicators, r)] = (r.estimate, r.se, r.df)
    return earlier.name, out
