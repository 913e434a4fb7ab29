"""Charts drawn once with reportlab graphics: placed in the PDF as they are, shown on the web
as inline SVG (reportlab's renderSVG, its style attributes turned into presentation attributes
so the page's content security policy needs no inline styles)."""

from __future__ import annotations

import math
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

from reportlab.graphics import renderSVG
from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Rect, String
from reportlab.lib import colors

from survey_app.reports.typeface import CSS_FAMILIES, LATIN, register_fonts, runs, width

VERDICT_COLOURS = {
    "met": colors.HexColor("#1a7f37"),
    "not_met": colors.HexColor("#a40e26"),
    "inconclusive": colors.HexColor("#9a6700"),
}
THRESHOLD_COLOUR = colors.HexColor("#a40e26")
INK = colors.HexColor("#1b1f24")
MUTED = colors.HexColor("#505a66")
GRID = colors.HexColor("#d0d7de")
BAR = colors.HexColor("#0b5cad")
BAR_BACK = colors.HexColor("#e6edf3")
ROW = 16.0
FONT_SIZE = 8.0


@dataclass(frozen=True, slots=True)
class IntervalRow:
    label: str
    estimate: float
    ci_low: float
    ci_high: float
    verdict: str
    threshold: float


@dataclass(frozen=True, slots=True)
class ProgressRow:
    label: str
    done: int
    target: int


def text(
    x: float,
    y: float,
    value: str,
    *,
    size: float = FONT_SIZE,
    anchor: str = "start",
    colour: colors.Color = INK,
) -> Group:
    """`value` at (x, y) in runs of the two report fonts; anchor start, middle or end."""
    total = width(value, size)
    left = x - (total if anchor == "end" else total / 2 if anchor == "middle" else 0)
    group = Group()
    for font, piece in runs(value):
        group.add(String(left, y, piece, fontName=font, fontSize=size, fillColor=colour))
        left += width(piece, size)
    return group


def _scale(rows: Sequence[IntervalRow]) -> tuple[float, float]:
    values = [v for r in rows for v in (r.ci_low, r.ci_high, r.threshold) if math.isfinite(v)]
    low = max(0.0, math.floor((min(values) - 0.02) * 20) / 20)
    high = min(1.0, math.ceil((max(values) + 0.02) * 20) / 20)
    return low, high if high > low else low + 0.05


def interval_chart(
    rows: Sequence[IntervalRow],
    *,
    percent: Callable[[float], str],
    legend: dict[str, str],
    target_label: str,
    chart_width: float = 480.0,
) -> Drawing:
    """Point estimates with their intervals, one row each, and the threshold of each row
    (one dashed line when the rows share it), coloured by verdict."""
    register_fonts()
    label_width = min(max((width(r.label, FONT_SIZE) for r in rows), default=0) + 8, 200)
    left, right = label_width, chart_width - 12
    top_pad, bottom = 18.0, 40.0
    height = bottom + ROW * len(rows) + top_pad
    drawing = Drawing(chart_width, height, initialFontName=LATIN)
    low, high = _scale(rows)

    def x(value: float) -> float:
        return left + (min(max(value, low), high) - low) / (high - low) * (right - left)

    ticks = [low + i * 0.05 for i in range(round((high - low) / 0.05) + 1)]
    step = max(1, len(ticks) // 8)
    for tick in ticks[::step]:
        drawing.add(
            Line(x(tick), bottom, x(tick), height - top_pad, strokeColor=GRID, strokeWidth=0.5)
        )
        drawing.add(
            text(x(tick), bottom - 11, percent(tick), size=7, anchor="middle", colour=MUTED)
        )
    shared = len({r.threshold for r in rows}) == 1
    for index, row in enumerate(rows):
        y = height - top_pad - ROW * (index + 0.5)
        drawing.add(text(left - 6, y - 3, row.label, anchor="end"))
        colour = VERDICT_COLOURS.get(row.verdict, INK)
        if not shared:
            drawing.add(
                Line(
                    x(row.threshold),
                    y - 6,
                    x(row.threshold),
                    y + 6,
                    strokeColor=THRESHOLD_COLOUR,
                    strokeWidth=1.2,
                )
            )
        drawing.add(Line(x(row.ci_low), y, x(row.ci_high), y, strokeColor=colour, strokeWidth=1.6))
        for end in (row.ci_low, row.ci_high):
            drawing.add(Line(x(end), y - 3, x(end), y + 3, strokeColor=colour, strokeWidth=1.2))
        drawing.add(Circle(x(row.estimate), y, 2.8, fillColor=colour, strokeColor=colour))
    if rows and shared:
        at = x(rows[0].threshold)
        drawing.add(
            Line(
                at,
                bottom - 2,
                at,
                height - top_pad + 6,
                strokeColor=THRESHOLD_COLOUR,
                strokeWidth=1,
                strokeDashArray=[3, 2],
            )
        )
        drawing.add(
            text(
                at,
                height - top_pad + 8,
                f"{target_label} {percent(rows[0].threshold)}",
                size=7,
                anchor="middle",
                colour=THRESHOLD_COLOUR,
            )
        )
    cursor = left
    for verdict, label in legend.items():
        colour = VERDICT_COLOURS[verdict]
        drawing.add(Circle(cursor + 3, 8, 2.8, fillColor=colour, strokeColor=colour))
        drawing.add(text(cursor + 9, 5, label, size=7, colour=colour))
        cursor += width(label, 7) + 24
    if not shared:
        drawing.add(Line(cursor, 3, cursor, 13, strokeColor=THRESHOLD_COLOUR, strokeWidth=1.2))
        drawing.add(text(cursor + 5, 5, target_label, size=7, colour=THRESHOLD_COLOUR))
    return drawing


def progress_chart(
    rows: Sequence[ProgressRow], *, percent: Callable[[float], str], chart_width: float = 480.0
) -> Drawing:
    """Completes against target as bars, one row per stratum."""
    register_fonts()
    label_width = min(max((width(r.label, FONT_SIZE) for r in rows), default=0) + 8, 200)
    left, right = label_width, chart_width - 90
    height = ROW * len(rows) + 8
    drawing = Drawing(chart_width, height, initialFontName=LATIN)
    for index, row in enumerate(rows):
        y = height - 4 - ROW * (index + 1)
        share = row.done / row.target if row.target else 0.0
        drawing.add(text(left - 6, y + 4, row.label, anchor="end"))
        drawing.add(Rect(left, y + 2, right - left, ROW - 5, fillColor=BAR_BACK, strokeColor=None))
        drawing.add(
            Rect(
                left,
                y + 2,
                (right - left) * min(share, 1.0),
                ROW - 5,
                fillColor=BAR,
                strokeColor=None,
            )
        )
        drawing.add(
            text(
                right + 6,
                y + 4,
                f"{row.done}/{row.target} · {percent(share)}",
                size=7,
                colour=MUTED,
            )
        )
    return drawing


_STYLE = re.compile(r' style="([^"]*)"')
_FAMILY = re.compile(r"font-family: ([A-Za-z]+)")


def _attributes(match: re.Match[str]) -> str:
    pairs = []
    for declaration in match.group(1).split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name:
            continue
        if name == "font-family":
            value = CSS_FAMILIES.get(value, CSS_FAMILIES[LATIN])
        if name == "font-size":
            value = value.removesuffix("px")
        pairs.append(f"{name}={quoteattr(value)}")
    return " " + " ".join(pairs) if pairs else ""


def svg(drawing: Drawing, title: str) -> str:
    """`drawing` as an inline ``<svg>`` element: presentation attributes only, labelled by
    `title` for screen readers."""
    raw = renderSVG.drawToString(drawing)
    start = raw.index("<svg")
    body = _STYLE.sub(_attributes, raw[start:])
    body = re.sub(r"<title>.*?</title>\s*<desc>.*?</desc>", "", body, count=1, flags=re.S)
    label = quoteattr(title)
    body = body.replace("<svg ", f'<svg role="img" aria-label={label} ', 1)
    clip = f"clip{zlib.crc32((title + body).encode()):08x}"
    return body.replace('id="clip"', f'id="{clip}"').replace("url(#clip)", f"url(#{clip})")
