"""Fonts. A document must print anywhere, with no font installed on the reader's machine, and
show Chinese product names and addresses. Each piece of text is split into runs and each
run gets the first font that has its characters:

1. Helvetica / Helvetica-Bold for Western European text: one of the 14 standard PDF fonts
   that every viewer and printer carries, so nothing is embedded for it.
2. `EwtpSansWide` (DejaVu Sans cut to Latin Extended, Greek, Cyrillic, in
   `logistics/fonts/`), embedded, for addresses such as Łódź or Москва.
3. `EwtpSansSC-Subset` (Noto Sans SC cut to GB 2312 + Big5, SIL OFL 1.1), embedded as a
   subset of the glyphs used: Chinese renders without any system font. reportlab's
   built-in `STSong-Light` CID font is *not* embedded, and a viewer without Chinese fonts
   draws nothing for it (checked with PDFium), so it is only the last resort below.
4. `STSong-Light` for anything else (rare hanzi outside GB 2312/Big5): viewers with
   Chinese support draw it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

FONTS_DIR = Path(__file__).resolve().parent.parent / "fonts"
CJK_FONT = "EwtpSansSC"
WIDE_FONT, WIDE_FONT_BOLD = "EwtpSansWide", "EwtpSansWide-Bold"
LAST_RESORT_FONT = "STSong-Light"


@cache
def register_fonts() -> dict[str, frozenset[int]]:
    """Register the fonts once per process; answer which code points each one covers."""
    coverage: dict[str, frozenset[int]] = {}
    for name, filename in (
        (CJK_FONT, "EwtpSansSC-Subset.ttf"),
        (WIDE_FONT, "EwtpSansWide-Regular.ttf"),
        (WIDE_FONT_BOLD, "EwtpSansWide-Bold.ttf"),
    ):
        font = TTFont(name, str(FONTS_DIR / filename))
        pdfmetrics.registerFont(font)
        coverage[name] = frozenset(font.face.charToGlyph)
    pdfmetrics.registerFont(UnicodeCIDFont(LAST_RESORT_FONT))
    return coverage


def _in_helvetica(char: str) -> bool:
    # Helvetica is drawn with WinAnsiEncoding (cp1252) by reportlab.
    try:
        char.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return char.isprintable() or char == " "


def _font_for(char: str, bold: bool) -> str:
    coverage = register_fonts()
    if _in_helvetica(char):
        return "Helvetica-Bold" if bold else "Helvetica"
    if ord(char) in coverage[WIDE_FONT]:  # before the CJK font, which has Cyrillic too but no bold
        return WIDE_FONT_BOLD if bold else WIDE_FONT
    if ord(char) in coverage[CJK_FONT]:
        return CJK_FONT
    return LAST_RESORT_FONT


def font_runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """Split text into (font name, text) runs, each drawable by one font (see module doc)."""
    runs: list[tuple[str, str]] = []
    for char in text:
        font = _font_for(char, bold)
        # A space or digit between two CJK characters stays in the CJK run: fewer switches.
        if runs and runs[-1][0] != font and char in " 0123456789" and runs[-1][0] == CJK_FONT:
            font = CJK_FONT
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + char)
        else:
            runs.append((font, char))
    return runs


def has_cjk(text: str) -> bool:
    return any(font in (CJK_FONT, LAST_RESORT_FONT) for font, _ in font_runs(text))


def markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for `text` with a <font> tag around every non-Helvetica run."""
    parts = []
    for font, run in font_runs(text, bold=bold):
        if font.startswith("Helvetica"):
            parts.append(escape(run))
        else:
            parts.append(f'<font face="{font}">{escape(run)}</font>')
    return "".join(parts)
