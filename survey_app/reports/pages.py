"""What the estimates page shows: the report's content with its charts as inline SVG."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from survey_app.analysis import services as analysis
from survey_app.i18n import Formatter
from survey_app.models import WeightingRun
from survey_app.reports.charts import IntervalRow, interval_chart, svg
from survey_app.reports.content import (
    DOMAIN_TITLES,
    SAMPLE_TITLES,
    VERDICT_LABELS,
    IndicatorInfo,
    Line,
    ReportContent,
    SampleResults,
    report_content,
)


@dataclass(frozen=True, slots=True)
class IndicatorView:
    info: IndicatorInfo
    overall: Line
    chart: str
    domains: list[tuple[str, list[Line]]]


@dataclass(frozen=True, slots=True)
class SampleView:
    sample: str
    title: str
    summary: list[tuple[IndicatorInfo, Line]]
    chart: str
    indicators: list[IndicatorView]


@dataclass(frozen=True, slots=True)
class EstimatesPage:
    run: WeightingRun
    runs: list[WeightingRun]
    content: ReportContent | None
    """None while the run has no estimates yet."""
    samples: list[SampleView]
    domain_titles: dict[str, str]
    verdicts: dict[str, str]


def _chart(content: ReportContent, lines: list[Line], label: str, locale: str, title: str) -> str:
    _ = content.gettext()
    fmt = Formatter(locale)
    thresholds = {i.code: i.threshold for i in content.indicators}
    names = {i.code: i.label for i in content.indicators}
    rows = [
        IntervalRow(
            x.domain_label if label == "domain" else names[x.indicator],
            x.estimate,
            x.ci_low,
            x.ci_high,
            x.verdict,
            thresholds[x.indicator],
        )
        for x in lines
    ]
    drawing = interval_chart(
        rows,
        percent=lambda v: fmt.percent(v, 0),
        legend={k: _(v) for k, v in VERDICT_LABELS.items()},
        target_label=_("target"),
        chart_width=520,
    )
    return svg(drawing, title)


def _sample(content: ReportContent, results: SampleResults, locale: str) -> SampleView:
    _ = content.gettext()
    summary = [
        (info, line)
        for info in content.indicators
        if (line := results.overall(info.code)) is not None
    ]
    indicators = []
    for info, line in summary:
        districts = results.domain(info.code, "district")
        indicators.append(
            IndicatorView(
                info=info,
                overall=line,
                chart=_chart(
                    content, districts, "domain", locale, f"{info.label}: " + _("by district")
                )
                if districts
                else "",
                domains=[
                    (variable, results.domain(info.code, variable))
                    for variable in content.estimate_settings.get("domains", [])
                    if results.domain(info.code, variable)
                ],
            )
        )
    return SampleView(
        sample=results.sample,
        title=_(SAMPLE_TITLES[results.sample]),
        summary=summary,
        chart=_chart(
            content,
            [line for _info, line in summary],
            "indicator",
            locale,
            _("Summary of verdicts"),
        ),
        indicators=indicators,
    )


async def estimates_page(
    db: AsyncSession, run_id: int | None, wave_survey: str | None, locale: str
) -> EstimatesPage | None:
    """The estimates of weighting run `run_id` (default: the newest estimated one), or None
    when nothing has been estimated yet."""
    wave = await analysis.find_wave(db, wave_survey)
    run = (
        await analysis.weighting_run(db, run_id)
        if run_id is not None
        else await analysis.latest_estimated_run(db, wave)
    )
    if run is None:
        return None
    runs = await analysis.weighting_runs(db, wave)
    if not await analysis.estimate_runs_of(db, run):
        return EstimatesPage(run, runs, None, [], {}, {})
    language = "en" if locale == "en" else "zh"
    content = await report_content(db, run, language)
    _ = content.gettext()
    return EstimatesPage(
        run=run,
        runs=runs,
        content=content,
        samples=[_sample(content, results, locale) for results in content.samples],
        domain_titles={k: _(v) for k, v in DOMAIN_TITLES.items()},
        verdicts={k: _(v) for k, v in VERDICT_LABELS.items()},
    )
