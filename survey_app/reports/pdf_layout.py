"""Building blocks of the PDF report: styles, one-line mixed-script cells, tables whose
cells are plain strings where possible, interval charts, locale-aware numbers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    Table,
    TableStyle,
)

from survey_app.i18n import Formatter, negotiate
from survey_app.reports.charts import IntervalRow, interval_chart
from survey_app.reports.content import (
    VERDICT_LABELS,
    Line,
    ReportContent,
)
from survey_app.reports.typeface import CJK, LATIN, markup, register_fonts, runs, single_font, width

PAGE_WIDTH = A4[0] - 36 * mm
_HEADER = colors.HexColor("#e6edf3")
_GRID = colors.HexColor("#d0d7de")
_VERDICT_INK = {
    "met": colors.HexColor("#1a7f37"),
    "not_met": colors.HexColor("#a40e26"),
    "inconclusive": colors.HexColor("#9a6700"),
}


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=LATIN, fontSize=9.5, leading=14, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "title": ParagraphStyle("title", parent=base, fontSize=22, leading=30, spaceAfter=12),
        "h1": ParagraphStyle(
            "h1", parent=base, fontSize=15, leading=20, spaceBefore=6, spaceAfter=8
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontSize=11.5, leading=16, spaceBefore=8, spaceAfter=4
        ),
        "pre": ParagraphStyle("pre", parent=base, fontSize=7.5, leading=10),
    }


class Runs(Flowable):  # type: ignore[misc]
    """One line of mixed Chinese and Latin text, drawn run by run (a table cell that fits:
    much cheaper than a Paragraph with CJK line breaking)."""

    def __init__(self, text: str, size: float) -> None:
        super().__init__()
        self.pieces = runs(text)
        self.size = size

    def wrap(self, available_width: float, _height: float) -> tuple[float, float]:
        return available_width, self.size + 2

    def draw(self) -> None:
        x = 0.0
        for font, piece in self.pieces:
            self.canv.setFont(font, self.size)
            self.canv.drawString(x, 1.5, piece)
            x += self.canv.stringWidth(piece, font, self.size)


class Layout:
    """The report's building blocks: styles, paragraphs, fast tables, charts, numbers."""

    def __init__(self, content: ReportContent) -> None:
        register_fonts()
        self.c = content
        self._ = content.gettext()
        self.fmt = Formatter(negotiate(content.language))
        self.s = styles()
        self.separator = "; " if content.language == "en" else "；"
        self.story: list[Any] = []
        self.labels = {i.code: i.label for i in content.indicators}
        self.info = {i.code: i for i in content.indicators}

    # building blocks
    def para(self, text: str, style: str = "body") -> Paragraph:
        return Paragraph(markup(text), self.s[style])

    def add(self, text: str, style: str = "body") -> None:
        self.story.append(self.para(text, style))

    def pct(self, value: float, digits: int = 1) -> str:
        return self.fmt.percent(value, digits) if math.isfinite(value) else "—"

    def verdict(self, code: str) -> str:
        return self._(VERDICT_LABELS.get(code, code))

    def table(
        self,
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        *,
        verdict_column: int | None = None,
        verdicts: Sequence[str] = (),
        repeat: int = 1,
    ) -> Table:
        """A table whose cells are plain strings in one font where possible (fast), else
        wrapped Paragraphs; the header row shaded, verdicts coloured."""
        style: list[Any] = [
            ("FONTNAME", (0, 0), (-1, -1), LATIN),
            ("FONTSIZE", (0, 0), (-1, -1), 7.5),
            ("LEADING", (0, 0), (-1, -1), 9.5),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("BACKGROUND", (0, 0), (-1, repeat - 1), _HEADER),
            ("LINEBELOW", (0, 0), (-1, -1), 0.25, _GRID),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]
        cells: list[list[Any]] = []
        for r, row in enumerate(rows):
            out: list[Any] = []
            for c, value in enumerate(row):
                font = single_font(value)
                if width(value, 7.5) > widths[c] - 6:
                    out.append(Paragraph(markup(value), self.s["cell"]))
                elif font is None:
                    out.append(Runs(value, 7.5))
                else:
                    out.append(value)
                    if font == CJK:
                        style.append(("FONTNAME", (c, r), (c, r), CJK))
            cells.append(out)
        if verdict_column is not None:
            for r, code in enumerate(verdicts, start=repeat):
                colour = _VERDICT_INK.get(code)
                if colour is not None:
                    style.append(("TEXTCOLOR", (verdict_column, r), (verdict_column, r), colour))
        table = Table(cells, colWidths=list(widths), repeatRows=repeat, hAlign="LEFT")
        table.setStyle(TableStyle(style))
        return table

    def chart_rows(self, lines: Sequence[Line], label: Callable[[Line], str]) -> list[IntervalRow]:
        return [
            IntervalRow(
                label(x),
                x.estimate,
                x.ci_low,
                x.ci_high,
                x.verdict,
                self.info[x.indicator].threshold,
            )
            for x in lines
        ]

    def interval(self, rows: list[IntervalRow]) -> Any:
        _ = self._
        return interval_chart(
            rows,
            percent=lambda v: self.pct(v, 0),
            legend={k: _(v) for k, v in VERDICT_LABELS.items()},
            target_label=_("target"),
            chart_width=PAGE_WIDTH,
        )

    def target(self, code: str) -> str:
        info = self.info[code]
        return f"{'≥' if info.direction != '<=' else '≤'} {self.pct(info.threshold, 0)}"

    # sections

    def change(self, line: Line) -> str:
        if line.change is None:
            return "—"
        m = line.change
        sign = "+" if m.difference >= 0 else ""
        return (
            f"{sign}{self.fmt.number(m.difference * 100, 1)} "
            f"({self.fmt.number(m.ci_low * 100, 1)}, {self.fmt.number(m.ci_high * 100, 1)})"
        )
