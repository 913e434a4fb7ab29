"""The Excel workbook of all estimates (openpyxl): summary, every estimate, method, weighting."""

from __future__ import annotations

import io
import json
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from survey_app.reports.content import (
    DOMAIN_TITLES,
    SAMPLE_TITLES,
    VERDICT_LABELS,
    ReportContent,
)

_HEADER_FILL = PatternFill("solid", fgColor="E6EDF3")
_PERCENT = "0.0%"
_VERDICT_COLOURS = {"met": "1A7F37", "not_met": "A40E26", "inconclusive": "9A6700"}


def _header(sheet: Worksheet, names: list[str]) -> None:
    sheet.append(names)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
    sheet.freeze_panes = "A2"
    for index, name in enumerate(names, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(10, min(40, len(name) * 2))


def render_excel(content: ReportContent) -> bytes:
    """The workbook as .xlsx bytes."""
    _ = content.gettext()
    labels = {i.code: i.label for i in content.indicators}
    thresholds = {i.code: i for i in content.indicators}
    verdicts = {_(label): code for code, label in VERDICT_LABELS.items()}
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("Summary")[:31]
    _header(
        summary,
        [
            _("Sample"),
            _("Indicator"),
            _("Target"),
            _("Estimate"),
            _("Lower bound"),
            _("Upper bound"),
            _("Verdict"),
        ],
    )
    for results in content.samples:
        for info in content.indicators:
            line = results.overall(info.code)
            if line is None:
                continue
            summary.append(
                [
                    _(SAMPLE_TITLES[results.sample]),
                    info.label,
                    f"{'≥' if info.direction != '<=' else '≤'} {info.threshold:.0%}",
                    line.estimate,
                    line.ci_low,
                    line.ci_high,
                    _(VERDICT_LABELS[line.verdict]),
                ]
            )
    _format(summary, percent=(4, 5, 6), verdict=7, verdicts=verdicts)

    estimates = book.create_sheet(_("Estimates")[:31])
    names = [
        _("Sample"),
        _("Indicator code"),
        _("Indicator"),
        _("Domain variable"),
        _("Domain code"),
        _("Domain"),
        _("Estimate"),
        "SE",
        _("Lower bound"),
        _("Upper bound"),
        "df",
        "deff",
        "n",
        _("Effective n"),
        _("Threshold"),
        _("Verdict"),
        _("Flags"),
        _("Change since previous wave"),
        _("Change lower bound"),
        _("Change upper bound"),
    ]
    _header(estimates, names)
    for results in content.samples:
        for x in results.lines:
            estimates.append(
                [
                    _(SAMPLE_TITLES[results.sample]),
                    x.indicator,
                    labels[x.indicator],
                    _(DOMAIN_TITLES.get(x.domain_variable, x.domain_variable)),
                    x.domain_value,
                    x.domain_label or _("Overall"),
                    x.estimate,
                    x.se,
                    x.ci_low,
                    x.ci_high,
                    x.df,
                    x.deff,
                    x.n,
                    x.n_eff,
                    thresholds[x.indicator].threshold,
                    _(VERDICT_LABELS[x.verdict]),
                    " ".join(x.flags),
                    x.change.difference if x.change else None,
                    x.change.ci_low if x.change else None,
                    x.change.ci_high if x.change else None,
                ]
            )
    _format(estimates, percent=(7, 9, 10, 15, 18, 19, 20), verdict=16, verdicts=verdicts)

    method = book.create_sheet(_("Method")[:31])
    _header(method, [_("Setting"), _("Value")])
    rows: list[tuple[str, Any]] = [
        (_("Survey"), content.survey_title),
        (_("Wave"), content.wave_name),
        (_("Weighting run"), content.weighting_run),
        (_("Report date"), content.generated.isoformat()),
        *(
            (f"{_('Weighting')}: {k}", json.dumps(v, ensure_ascii=False))
            for k, v in content.weighting.items()
        ),
        *(
            (f"{_('Estimates')}: {k}", json.dumps(v, ensure_ascii=False))
            for k, v in content.estimate_settings.items()
        ),
    ]
    for row in rows:
        method.append(list(row))
    for info in content.indicators:
        method.append([info.label, info.definition])
    method.column_dimensions["B"].width = 100

    weights = book.create_sheet(_("Weighting")[:31])
    _header(weights, [_("Sample"), _("Diagnostic"), _("Value")])
    for group, diagnostics in content.diagnostics.get("groups", {}).items():
        for key, value in diagnostics.items():
            if key != "margins":
                weights.append([_(SAMPLE_TITLES.get(group, group)), key, _cell(value)])
        for fit in diagnostics.get("margins", []):
            weights.append(
                [
                    _(SAMPLE_TITLES.get(group, group)),
                    f"{fit['variable']} = {fit['level']}",
                    f"{fit['achieved']:.1f} / {fit['target']:.1f}",
                ]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _format(
    sheet: Worksheet, *, percent: tuple[int, ...], verdict: int, verdicts: dict[str, str]
) -> None:
    """Percent formats, and verdicts (translated label → code in `verdicts`) in colour."""
    for row in sheet.iter_rows(min_row=2):
        for index in percent:
            row[index - 1].number_format = _PERCENT
        cell = row[verdict - 1]
        colour = _VERDICT_COLOURS.get(verdicts.get(str(cell.value), ""))
        if colour:
            cell.font = Font(color=colour, bold=True)
