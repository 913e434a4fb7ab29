"""The report's embedded fonts: Droid Sans Fallback for Chinese, DejaVu Sans for the rest.

Neither font covers everything (Droid Sans Fallback has no Latin letters or digits), so text is
cut into runs, each set in the font that has its glyphs (see ``fonts/README.md``).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).parent / "fonts"
CJK = "MinyiCJK"
LATIN = "MinyiLatin"
CSS_FAMILIES = {
    CJK: "'Noto Sans CJK SC', 'Droid Sans Fallback', 'PingFang SC', 'Microsoft YaHei', sans-serif",
    LATIN: "'DejaVu Sans', system-ui, sans-serif",
}
"""What the web page asks the browser for when it shows a chart drawn in these fonts."""


@lru_cache(maxsize=1)
def register_fonts() -> frozenset[int]:
    """Register both fonts with reportlab (once); the code points the CJK font covers."""
    cjk = TTFont(CJK, str(FONT_DIR / "DroidSansFallbackFull.ttf"))
    pdfmetrics.registerFont(cjk)
    pdfmetrics.registerFont(TTFont(LATIN, str(FONT_DIR / "DejaVuSans.ttf")))
    latin_range = range(0x2F00)
    return frozenset(cp for cp in cjk.face.charToGlyph if cp not in latin_range)


def runs(text: str) -> list[tuple[str, str]]:
    """`text` as (font name, piece) runs."""
    cjk = register_fonts()
    out: list[tuple[str, str]] = []
    for char in text:
        font = CJK if ord(char) in cjk else LATIN
        if out and out[-1][0] == font:
            out[-1] = (font, out[-1][1] + char)
        else:
            out.append((font, char))
    return out


def single_font(text: str) -> str | None:
    """The one font `text` needs, or None when it mixes scripts."""
    pieces = runs(text)
    if not pieces:
        return LATIN
    return pieces[0][0] if len(pieces) == 1 else None


def markup(text: str) -> str:
    """`text` escaped for a reportlab Paragraph, CJK runs in the CJK font."""
    return "".join(
        f'<font face="{CJK}">{escape(piece)}</font>' if font == CJK else escape(piece)
        for font, piece in runs(text)
    )


def width(text: str, size: float) -> float:
    """The width of `text` at `size` points, run by run."""
    return float(sum(pdfmetrics.stringWidth(piece, font, size) for font, piece in runs(text)))
