"""Rebuild the fonts embedded in shipping documents (see README.md beside this file).

reportlab embeds TrueType (glyf) fonts only, and the free CJK fonts are published with
PostScript (CFF) outlines, so this script subsets Noto Sans SC Regular (SIL OFL 1.1) to
the characters trade documents need and converts the outlines to TrueType quadratics.
It also cuts the Latin Extended, Greek and Cyrillic letters out of DejaVu Sans, for
addresses that Helvetica's Western European character set cannot spell (Łódź, Москва).

Maintenance tool, not run by the app; needs fontTools (`pip install fonttools`):

    python logistics/fonts/build_fonts.py NotoSansSC-Regular.otf DejaVuSans.ttf DejaVuSans-Bold.ttf
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

HERE = Path(__file__).parent
MAX_ERROR_EM = 1.0  # cu2qu tolerance in font units (of 1000): invisible at print sizes

CJK_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x017F),  # Latin-1 supplement, Latin Extended-A (Łódź, Đà Nẵng's base letters)
    (0x2000, 0x206F),  # general punctuation
    (0x20A0, 0x20BF),  # currency signs
    (0x2100, 0x214F),  # letterlike symbols (№, ℃)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # full-width forms
]
WIDER_LATIN_RANGES = [
    (0x0020, 0x007E),  # ASCII, so a run never needs a second font for its spaces and digits
    (0x0100, 0x024F),  # Latin Extended-A and -B
    (0x0300, 0x036F),  # combining diacritics
    (0x0370, 0x03FF),  # Greek
    (0x0400, 0x04FF),  # Cyrillic
    (0x1E00, 0x1EFF),  # Latin Extended Additional (Vietnamese)
]


def _ranges(ranges: list[tuple[int, int]]) -> set[int]:
    return {cp for low, high in ranges for cp in range(low, high + 1)}


def _encoded_hanzi(codec: str) -> set[int]:
    """Every character a double-byte national code page can encode (GB 2312, Big5)."""
    found: set[int] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                text = bytes([lead, trail]).decode(codec)
            except UnicodeDecodeError:
                continue
            found.update(ord(ch) for ch in text)
    return found


def cjk_codepoints() -> set[int]:
    codepoints = _ranges(CJK_RANGES)
    # GB 2312 covers 99.99% of simplified Chinese in use; Big5 adds the traditional forms
    # that Hong Kong and Taiwan sellers write.
    return codepoints | _encoded_hanzi("gb2312") | _encoded_hanzi("big5")


def to_truetype(font: TTFont) -> None:
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in glyph_order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, MAX_ERROR_EM, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = glyphs
    del font["CFF "]
    for tag in ("VORG", "DSIG"):
        if tag in font:
            del font[tag]
    font["maxp"] = newTable("maxp")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    font["post"].formatType = 3.0  # no glyph names: smaller, and reportlab does not need them
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font: TTFont, family: str, postscript_name: str) -> None:
    """Both licences want a modified font renamed (OFL: Reserved Font Names; Vera: no "Vera")."""
    names = font["name"]
    for record_id, value in (
        (1, family),
        (3, f"{postscript_name};subset"),
        (4, family),
        (6, postscript_name),
    ):
        names.setName(value, record_id, 3, 1, 0x409)
        names.setName(value, record_id, 1, 0, 0)
    for record_id in (16, 17, 21, 22):
        names.removeNames(nameID=record_id)


def build(source: Path, codepoints: set[int], family: str, postscript_name: str) -> Path:
    font = TTFont(source)
    options = subset.Options()
    options.layout_features = []  # no GSUB/GPOS: reportlab draws glyphs one by one
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    if "CFF " in font:
        to_truetype(font)
    rename(font, family, postscript_name)
    output = HERE / f"{postscript_name}.ttf"
    font.save(output)
    return output


if __name__ == "__main__":
    noto_sans_sc, dejavu_sans, dejavu_sans_bold = map(Path, sys.argv[1:4])
    print(build(noto_sans_sc, cjk_codepoints(), "EwtpSansSC Subset", "EwtpSansSC-Subset"))
    print(build(dejavu_sans, _ranges(WIDER_LATIN_RANGES), "EwtpSansWide", "EwtpSansWide-Regular"))
    print(build(dejavu_sans_bold, _ranges(WIDER_LATIN_RANGES), "EwtpSansWide", "EwtpSansWide-Bold"))
