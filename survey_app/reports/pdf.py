"""The PDF report (reportlab platypus), Chinese first, fonts embedded.

Cover with the survey's legal markings; summary verdict table and chart; method (design,
sample sizes, response rates, weighting, interval method, verdict rule, indicator definitions);
one section per indicator with its interval chart by district and its domain tables; rankings
of districts and streets; weak items to rectify (整改); open-link answers apart; the
questionnaire as an appendix.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table

from survey_app.reports.charts import progress_chart
from survey_app.reports.content import (
    DOMAIN_TITLES,
    FLAG_LABELS,
    SAMPLE_TITLES,
    Line,
    ReportContent,
    SampleResults,
)
from survey_app.reports.pdf_layout import PAGE_WIDTH, Layout
from survey_app.reports.typeface import LATIN, markup, runs

_RANKED = ("district", "street")


class _Writer(Layout):
    def cover(self) -> None:
        _ = self._
        c = self.c
        self.story.append(Spacer(1, 40 * mm))
        self.add(c.survey_title, "title")
        self.add(_("Survey report") + " · " + c.wave_name, "h1")
        self.story.append(Spacer(1, 10 * mm))
        rows = []
        if c.legal is not None:
            rows += [
                [_("Form number"), c.legal.form_number],
                [_("Issued by"), c.legal.authority],
                [_("Approval number"), c.legal.approval_number],
                [_("Valid until"), self.fmt.date(c.legal.valid_until)],
            ]
        rows += [
            [_("Report date"), self.fmt.date(c.generated)],
            [_("Weighting run"), f"#{c.weighting_run}"],
            [
                _("Samples reported"),
                self.separator.join(_(SAMPLE_TITLES[s.sample]) for s in c.samples),
            ],
        ]
        self.story.append(self.table(rows, [40 * mm, PAGE_WIDTH - 40 * mm], repeat=0))
        self.story.append(Spacer(1, 8 * mm))
        self.add(
            _(
                "Answers are confidential and used for statistics only (Statistics Law of the "
                "People's Republic of China). The microdata behind this report carry no direct "
                "identifiers."
            ),
            "small",
        )
        self.story.append(PageBreak())

    def summary(self, results: SampleResults) -> None:
        _ = self._
        self.add(_("Summary of verdicts"), "h1")
        self.add(
            _(SAMPLE_TITLES[results.sample]) + "。"
            if self.c.language != "en"
            else _(SAMPLE_TITLES[results.sample]) + "."
        )
        header = [
            _("Indicator"),
            _("Target"),
            _("Estimate"),
            _("Confidence interval"),
            _("Verdict"),
        ]
        if self.c.previous_wave:
            header.append(_("Change since") + " " + self.c.previous_wave)
        rows = [header]
        verdicts = []
        lines = []
        for info in self.c.indicators:
            line = results.overall(info.code)
            if line is None:
                continue
            lines.append(line)
            verdicts.append(line.verdict)
            row = [
                info.label,
                self.target(info.code),
                self.pct(line.estimate),
                f"{self.pct(line.ci_low)} – {self.pct(line.ci_high)}",
                self.verdict(line.verdict),
            ]
            if self.c.previous_wave:
                row.append(self.change(line))
            rows.append(row)
        widths = [62 * mm, 18 * mm, 20 * mm, 34 * mm, 20 * mm]
        if self.c.previous_wave:
            widths = [50 * mm, 16 * mm, 18 * mm, 30 * mm, 18 * mm, PAGE_WIDTH - 132 * mm]
        self.story.append(self.table(rows, widths, verdict_column=4, verdicts=verdicts))
        self.story.append(Spacer(1, 4 * mm))
        self.story.append(self.interval(self.chart_rows(lines, lambda x: self.labels[x.indicator])))

    def method(self) -> None:
        _ = self._
        c = self.c
        w = c.weighting
        e = c.estimate_settings
        self.story.append(PageBreak())
        self.add(_("Method"), "h1")
        self.add(_("Design and sample"), "h2")
        self.add(
            _(
                "Stratified two-stage sample: {strata} districts as strata, {psus} communities "
                "drawn with probability proportional to size (PPS systematic) as primary "
                "sampling units, residents interviewed in each. Design weight of a respondent "
                "in community c: N_c / (π_c × m_c), with π_c the community's inclusion "
                "probability, m_c its completed interviews and N_c its population aged 14 and "
                "over. Variances by Taylor linearisation with the first stage taken as drawn "
                "with replacement; degrees of freedom = PSUs − strata."
            ).format(strata=c.design.get("strata", 0), psus=c.design.get("psus", 0))
        )
        sizes = [
            [_(SAMPLE_TITLES[g]), self.fmt.number(c.design.get(f"n_{g}", 0))]
            for g in ("probability", "combined", "open_link")
            if c.design.get(f"n_{g}")
        ]
        if sizes:
            self.story.append(
                self.table([[_("Sample"), _("Respondents")], *sizes], [110 * mm, 30 * mm])
            )
        self.add(_("Response rates (AAPOR)"), "h2")
        rate_rows = [[_("Cases"), _("Count"), "RR1", "RR3", "COOP1", "REF1", "CON1"]]
        names = {
            "enumerator": _("Enumerator visits"),
            "web_invitation": _("Personal web invitations"),
            "probability": _("Probability sample (both)"),
        }
        for rate in c.rates:
            r = rate.rates
            rate_rows.append(
                [names.get(rate.label, rate.label), self.fmt.number(rate.cases)]
                + (
                    [self.pct(v) for v in (r.RR1, r.RR3, r.COOP1, r.REF1, r.CON1)]
                    if r
                    else ["—"] * 5
                )
            )
        self.story.append(self.table(rate_rows, [52 * mm, 20 * mm] + [18 * mm] * 5))
        if c.progress:
            self.add(_("Enumerator interviews against target by district"), "small")
            self.story.append(
                progress_chart(c.progress, percent=lambda v: self.pct(v, 0), chart_width=PAGE_WIDTH)
            )
        self.add(_("Weighting"), "h2")
        margins = self.separator.join(
            " × ".join(_(DOMAIN_TITLES.get(v, v)) for v in m) for m in w.get("margins", [])
        )
        open_link = {
            "separate": _("weighted and reported separately from the probability sample"),
            "combined": _(
                "combined with the probability sample (each answer its own PSU in "
                "its district, with the district's mean design weight)"
            ),
            "excluded": _("left out of the analysis"),
        }[str(w.get("open_link", "separate"))]
        self.add(
            _("Calibration to the census ({method}) on the margins: {margins}.").format(
                method=w.get("method"), margins=margins
            )
            + " "
            + (
                _("Bounds on g: {low} – {high}.").format(low=w["bounds"][0], high=w["bounds"][1])
                if w.get("bounds")
                else ""
            )
            + (
                _("Weights trimmed to {low} – {high} times the mean weight.").format(
                    low=w["trim"][0], high=w["trim"][1]
                )
                if w.get("trim")
                else ""
            )
            + " "
            + _("Open-link web answers are {treatment}.").format(treatment=open_link)
        )
        diag_rows = [
            [
                _("Sample"),
                _("Respondents"),
                _("Kish deff"),
                _("Effective n"),
                _("Smallest weight"),
                _("Largest weight"),
                _("Converged"),
            ]
        ]
        for group, d in c.diagnostics.get("groups", {}).items():
            diag_rows.append(
                [
                    _(SAMPLE_TITLES.get(group, group)),
                    self.fmt.number(d.get("n") or 0),
                    self.fmt.number(d.get("kish_deff") or 0, 3),
                    self.fmt.number(d.get("n_effective") or 0, 1),
                    self.fmt.number(d.get("minimum") or 0, 1),
                    self.fmt.number(d.get("maximum") or 0, 1),
                    _("yes") if d.get("converged") else _("no"),
                ]
            )
        self.story.append(self.table(diag_rows, [48 * mm] + [20 * mm] * 6))
        self.add(_("Intervals and verdicts"), "h2")
        self.add(
            _(
                "Rates are weighted proportions with {level} confidence intervals by the "
                "{method} method (t with the design degrees of freedom). An indicator is met "
                "when the whole interval lies at or above its target, not met when the whole "
                "interval lies below it, and inconclusive otherwise. Cells with an effective "
                "sample below 30, fewer than 8 degrees of freedom or very wide intervals are "
                "flagged as unreliable."
            ).format(
                level=self.pct(float(e.get("confidence_level", 0.95)), 0), method=e.get("method")
            )
        )
        self.add(_("Indicator definitions"), "h2")
        for info in c.indicators:
            self.add(info.definition)

    def indicator(self, results: SampleResults, code: str) -> None:
        _ = self._
        info = self.info[code]
        overall = results.overall(code)
        if overall is None:
            return
        self.story.append(PageBreak())
        self.add(info.label, "h1")
        self.add(info.definition, "small")
        self.add(
            _("Overall: {estimate} ({low} – {high}), target {target}: {verdict}.").format(
                estimate=self.pct(overall.estimate),
                low=self.pct(overall.ci_low),
                high=self.pct(overall.ci_high),
                target=self.target(code),
                verdict=self.verdict(overall.verdict),
            )
        )
        districts = results.domain(code, "district")
        if districts:
            self.story.append(self.interval(self.chart_rows(districts, lambda x: x.domain_label)))
        for variable in self.c.estimate_settings.get("domains", []):
            lines = results.domain(code, variable)
            if lines:
                self.story.append(
                    KeepTogether(
                        [
                            self.para(_(DOMAIN_TITLES.get(variable, variable)), "h2"),
                            self.domain_table(lines),
                        ]
                    )
                    if len(lines) <= 8
                    else self.para(_(DOMAIN_TITLES.get(variable, variable)), "h2")
                )
                if len(lines) > 8:
                    self.story.append(self.domain_table(lines))

    def domain_table(self, lines: Sequence[Line]) -> Table:
        _ = self._
        header = [
            _("Domain"),
            _("Estimate"),
            _("Interval"),
            "SE",
            "df",
            "deff",
            "n",
            _("Effective n"),
            _("Verdict"),
            _("Flags"),
        ]
        rows = [header]
        for x in lines:
            rows.append(
                [
                    x.domain_label,
                    self.pct(x.estimate),
                    f"{self.pct(x.ci_low)} – {self.pct(x.ci_high)}",
                    self.fmt.number(x.se * 100, 2),
                    self.fmt.number(x.df, 0) if x.df < 1e6 else "∞",
                    self.fmt.number(x.deff, 2) if x.deff is not None else "—",
                    self.fmt.number(x.n),
                    self.fmt.number(x.n_eff, 0),
                    self.verdict(x.verdict),
                    " ".join(_FLAG_MARKS.get(f, f) for f in x.flags),
                ]
            )
        widths = [
            34 * mm,
            15 * mm,
            27 * mm,
            12 * mm,
            10 * mm,
            11 * mm,
            11 * mm,
            14 * mm,
            16 * mm,
            PAGE_WIDTH - 150 * mm,
        ]
        return self.table(rows, widths, verdict_column=8, verdicts=[x.verdict for x in lines])

    def rankings(self, results: SampleResults) -> None:
        _ = self._
        self.story.append(PageBreak())
        self.add(_("Rankings"), "h1")
        for code in self.info:
            for variable in _RANKED:
                lines = sorted(results.domain(code, variable), key=lambda x: -x.estimate)
                if not lines:
                    continue
                rows = [
                    [
                        _("Rank"),
                        _(DOMAIN_TITLES[variable]),
                        _("Estimate"),
                        _("Interval"),
                        _("Verdict"),
                    ]
                ]
                rows += [
                    [
                        str(rank),
                        x.domain_label,
                        self.pct(x.estimate),
                        f"{self.pct(x.ci_low)} – {self.pct(x.ci_high)}",
                        self.verdict(x.verdict),
                    ]
                    for rank, x in enumerate(lines, start=1)
                ]
                title = f"{self.labels[code]} · {_(DOMAIN_TITLES[variable])}"
                block = [
                    self.para(title, "h2"),
                    self.table(
                        rows,
                        [12 * mm, 50 * mm, 20 * mm, 34 * mm, 20 * mm],
                        verdict_column=4,
                        verdicts=[x.verdict for x in lines],
                    ),
                ]
                self.story.append(KeepTogether(block) if len(lines) <= 25 else block[0])
                if len(lines) > 25:
                    self.story.append(block[1])

    def weak_items(self, results: SampleResults) -> None:
        _ = self._
        weak = [x for x in results.lines if x.verdict == "not_met"]
        self.story.append(PageBreak())
        self.add(_("Weak items to rectify"), "h1")
        self.add(_("Indicators and domains whose whole interval lies below the target."))
        if not weak:
            self.add(_("None."))
            return
        rows = [[_("Indicator"), _("Domain"), _("Estimate"), _("Interval"), _("Target")]]
        for x in sorted(weak, key=lambda x: (x.indicator, x.domain_variable, x.estimate)):
            domain = (
                f"{_(DOMAIN_TITLES[x.domain_variable])}：{x.domain_label}"
                if x.domain_variable
                else _("Overall")
            )
            rows.append(
                [
                    self.labels[x.indicator],
                    domain,
                    self.pct(x.estimate),
                    f"{self.pct(x.ci_low)} – {self.pct(x.ci_high)}",
                    self.target(x.indicator),
                ]
            )
        self.story.append(self.table(rows, [55 * mm, 45 * mm, 20 * mm, 34 * mm, 20 * mm]))

    def appendix(self) -> None:
        _ = self._
        self.story.append(PageBreak())
        self.add(_("Appendix: flags"), "h1")
        for flag, label in FLAG_LABELS.items():
            self.add(f"{_FLAG_MARKS[flag]}  {_(label)}", "small")
        if self.c.appendix:
            self.add(_("Appendix: questionnaire"), "h1")
            for line in self.c.appendix.splitlines():
                if line.strip():
                    indent = len(line) - len(line.lstrip())
                    self.story.append(
                        Paragraph("&nbsp;" * indent + markup(line.strip()), self.s["pre"])
                    )

    def build(self) -> list[Any]:
        self.cover()
        main = self.c.samples[0]
        self.summary(main)
        self.method()
        for code in self.info:
            self.indicator(main, code)
        self.rankings(main)
        self.weak_items(main)
        for other in self.c.samples[1:]:
            self.story.append(PageBreak())
            self.summary(other)
        self.appendix()
        return self.story


_FLAG_MARKS = {"low_n_eff": "n*", "low_df": "df*", "wide_ci": "W", "wide_relative_ci": "R"}


def render_pdf(content: ReportContent) -> bytes:
    """The report as PDF bytes."""
    writer = _Writer(content)
    story = writer.build()
    buffer = io.BytesIO()
    footer = f"{content.survey_title} · {content.wave_name}"

    def page(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(LATIN, 7)
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
        x = 18 * mm
        for font, piece in runs(footer):
            canvas.setFont(font, 7)
            canvas.drawString(x, 10 * mm, piece)
            x += canvas.stringWidth(piece, font, 7)
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{content.survey_title} · {content.wave_name}",
        author="Minyi",
        lang="zh-CN" if content.language != "en" else "en",
        initialFontName=LATIN,
    )
    document.build(story, onFirstPage=page, onLaterPages=page)
    return buffer.getvalue()
