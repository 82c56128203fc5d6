"""Shipping documents as PDF bytes: the parcel label, the customs declaration (CN22 or CN23)
and the commercial invoice.

Pure: plain dataclasses in, PDF bytes out; no ORM and no storage (the caller saves the
bytes through Django's storage API). Everything is drawn with reportlab.

Fonts. A document must print anywhere, with no font installed on the reader's machine, and
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

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, A6, inch
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ewtp.money import Money

# --------------------------------------------------------------------------- input data


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    company: str
    lines: list[str]
    city: str
    postcode: str
    country: str  # ISO 3166 alpha-2 preferred ("GB"); printed as given

    def town_line(self) -> str:
        return " ".join(part for part in (self.postcode, self.city) if part)


@dataclass(frozen=True, slots=True)
class DocumentLine:
    description: str  # as the buyer's customs will read it; Chinese may follow the English
    hs_code: str
    origin_country: str
    quantity: int
    unit_value: Money
    net_weight_kg: Decimal  # of the whole line (all units), without packaging

    @property
    def total_value(self) -> Money:
        return (self.unit_value * self.quantity).rounded()


class ParcelInfo(NamedTuple):
    """One box as weighed and measured; a plain (weight_kg, dims) tuple works too."""

    weight_kg: Decimal
    dims_cm: tuple[Decimal, Decimal, Decimal]  # length, width, height


@dataclass(frozen=True, slots=True)
class ShipmentDocumentData:
    tracking_number: str
    carrier_name: str
    service_name: str
    sender: Address
    recipient: Address
    incoterm: str  # "DDP", "DAP", ...
    currency: str
    lines: list[DocumentLine]
    parcels: list[ParcelInfo]
    invoice_number: str
    invoice_date: date
    shipping_cost: Money
    reason_for_export: str = "Sale of goods"

    @property
    def goods_value(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.total_value
        return total

    @property
    def net_weight_kg(self) -> Decimal:
        return sum((line.net_weight_kg for line in self.lines), Decimal(0))

    @property
    def gross_weight_kg(self) -> Decimal:
        """What the scale said: the parcels, packaging included."""
        return sum((Decimal(parcel[0]) for parcel in self.parcels), Decimal(0))


# --------------------------------------------------------------------------- CN22 or CN23

CustomsFormKind = Literal["CN22", "CN23"]

# UPU Convention Regulations, art. 20-001: a CN22 for postal items whose contents are worth
# up to 300 SDR; above that, or when the CN22 has no room for the contents, a CN23.
CN22_LIMIT_SDR = Decimal(300)
CN22_MAX_LINES = 4  # rows on our CN22; more contents go on a CN23

# The SDR's value moves daily (IMF, "SDR valuation"). Pass the day's rate; these are only
# for demos and tests: approximate 2024 levels, not loaded from a source file.
ILLUSTRATIVE_SDR_RATE_2024: dict[str, Decimal] = {
    "USD": Decimal("1.33"),  # USD per SDR
    "EUR": Decimal("1.23"),
    "GBP": Decimal("1.04"),
    "CNY": Decimal("9.55"),
}


def customs_form_kind(total_value: Money, sdr_rate: Decimal, *, line_count: int = 1) -> CustomsFormKind:
    """CN22 up to 300 SDR inclusive, CN23 above it or when the lines do not fit a CN22.

    `sdr_rate` is how many units of `total_value.currency` one SDR is worth on the day of
    posting (1.33 for USD in 2024): the caller takes it from the IMF's daily table.
    """
    if sdr_rate <= 0:
        raise ValueError("the SDR rate must be positive")
    value_in_sdr = total_value.amount / sdr_rate
    if value_in_sdr > CN22_LIMIT_SDR or line_count > CN22_MAX_LINES:
        return "CN23"
    return "CN22"


# --------------------------------------------------------------------------- fonts and text

FONTS_DIR = Path(__file__).with_name("fonts")
CJK_FONT = "EwtpSansSC"
WIDE_FONT, WIDE_FONT_BOLD = "EwtpSansWide", "EwtpSansWide-Bold"
LAST_RESORT_FONT = "STSong-Light"

INK = colors.HexColor("#111111")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#222222")
SHADE = colors.HexColor("#ECEEF1")
ACCENT = colors.HexColor("#1F3A5F")


@cache
def _fonts() -> dict[str, frozenset[int]]:
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
    coverage = _fonts()
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


def _has_cjk(text: str) -> bool:
    return any(font in (CJK_FONT, LAST_RESORT_FONT) for font, _ in font_runs(text))


def _markup(text: str, *, bold: bool = False) -> str:
    """Paragraph markup for `text` with a <font> tag around every non-Helvetica run."""
    parts = []
    for font, run in font_runs(text, bold=bold):
        if font.startswith("Helvetica"):
            parts.append(escape(run))
        else:
            parts.append(f'<font face="{font}">{escape(run)}</font>')
    return "".join(parts)


def _style(
    size: float,
    *,
    bold: bool = False,
    color: colors.Color = INK,
    align: int = TA_LEFT,
    leading: float | None = None,
) -> ParagraphStyle:
    return ParagraphStyle(
        name=f"s{size}{bold}{align}",
        fontName="Helvetica-Bold" if bold else "Helvetica",
        fontSize=size,
        leading=leading or size * 1.22,
        textColor=color,
        alignment=align,
    )


def _para(
    text: str,
    size: float = 8,
    *,
    bold: bool = False,
    color: colors.Color = INK,
    align: int = TA_LEFT,
    leading: float | None = None,
) -> Paragraph:
    style = _style(size, bold=bold, color=color, align=align, leading=leading)
    if _has_cjk(text):
        style.wordWrap = "CJK"  # Chinese has no spaces: allow a break between any two hanzi
    return Paragraph(_markup(text, bold=bold).replace("\n", "<br/>"), style)


def _caption(text: str, size: float = 6) -> Paragraph:
    """The small grey field name printed above a value, as on the UPU forms."""
    return _para(text, size, color=MUTED)


def _address_text(address: Address) -> str:
    lines = [address.company, *address.lines, address.town_line(), address.country]
    return "\n".join(line for line in lines if line)


# --------------------------------------------------------------------------- formatting


def _money(money: Money) -> str:
    return f"{money.rounded().amount:,}"


def _kg(weight: Decimal) -> str:
    return f"{Decimal(weight).quantize(Decimal('0.001'), rounding=ROUND_HALF_UP)}"


def _dims(dims: Sequence[Decimal]) -> str:
    return " × ".join(f"{Decimal(side).normalize():f}" for side in dims) + " cm"


class _CheckItem(Flowable):
    """A drawn tick box and its label: ballot-box characters are in too few fonts."""

    def __init__(self, label: str, ticked: bool, size: float) -> None:
        super().__init__()
        self.label, self.ticked, self.size = label, ticked, size
        self.font = "Helvetica-Bold" if ticked else "Helvetica"
        self.width = size * 1.5 + pdfmetrics.stringWidth(label, self.font, size)
        self.height = size * 1.3

    def draw(self) -> None:
        canvas, side = self.canv, self.size * 0.95
        canvas.setLineWidth(0.6)
        canvas.setStrokeColor(RULE)
        canvas.rect(0, self.size * 0.12, side, side, stroke=1, fill=0)
        if self.ticked:
            canvas.setLineWidth(1.1)
            inset = side * 0.2
            canvas.line(inset, self.size * 0.12 + inset, side - inset, self.size * 0.12 + side - inset)
            canvas.line(inset, self.size * 0.12 + side - inset, side - inset, self.size * 0.12 + inset)
        canvas.setFont(self.font, self.size)
        canvas.setFillColor(INK)
        canvas.drawString(self.size * 1.45, self.size * 0.2, self.label)


# --------------------------------------------------------------------------- PDF plumbing


def _new_canvas(
    buffer: io.BytesIO, pagesize: tuple[float, float], title: str, data: ShipmentDocumentData
) -> Canvas:
    _fonts()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1, invariant=1)
    canvas.setTitle(f"{title} {data.tracking_number}")
    canvas.setAuthor(data.sender.company or data.sender.name)
    canvas.setCreator("eWTP Marketplace")
    return canvas


def _draw(canvas: Canvas, flowable: Flowable, x: float, top: float, width: float) -> float:
    """Draw a flowable with its top-left corner at (x, top); return its height."""
    _, height = flowable.wrapOn(canvas, width, 10_000)
    flowable.drawOn(canvas, x, top - height)
    return height


def _draw_fitted(
    canvas: Canvas,
    make: Callable[[float], list[Flowable]],
    x: float,
    top: float,
    width: float,
    max_height: float,
) -> None:
    """Draw a stack of flowables, made smaller step by step until it fits its box: a long
    address must shrink, not spill over the barcode."""
    scale = 1.0
    while True:
        flowables = make(scale)
        heights = [flowable.wrapOn(canvas, width, 10_000)[1] for flowable in flowables]
        if sum(heights) <= max_height or scale <= 0.55:
            break
        scale -= 0.05
    for flowable, height in zip(flowables, heights, strict=True):
        flowable.drawOn(canvas, x, top - height)
        top -= height


def _box(
    canvas: Canvas,
    x: float,
    top: float,
    width: float,
    height: float,
    *,
    fill: colors.Color | None = None,
    line_width: float = 0.8,
) -> None:
    canvas.setLineWidth(line_width)
    canvas.setStrokeColor(RULE)
    if fill is not None:
        canvas.setFillColor(fill)
    canvas.rect(x, top - height, width, height, stroke=1, fill=1 if fill is not None else 0)
    canvas.setFillColor(INK)


def _barcode(value: str, max_width: float, height: float, max_bar_width: float = 1.6) -> Code128:
    """Code 128 as wide as fits (wider bars scan more easily), with the 10-module quiet zone
    on each side that scanners need included in `max_width`."""
    modules = Code128(value, barWidth=1, barHeight=height, humanReadable=False, quiet=0).width
    bar_width = min(max_bar_width, max_width / (modules + 20))
    return Code128(
        value,
        barWidth=bar_width,
        barHeight=height,
        humanReadable=False,
        lquiet=10 * bar_width,
        rquiet=10 * bar_width,
    )


# --------------------------------------------------------------------------- label

LABEL_SIZE = (4 * inch, 6 * inch)


def render_label(data: ShipmentDocumentData) -> bytes:
    """A 4×6 inch thermal label per parcel: carrier, service, from, ship-to, parcel n of m,
    weight, and a Code 128 barcode of the tracking number with the number printed under it."""
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, LABEL_SIZE, "Shipping label", data)
    parcels = data.parcels or [ParcelInfo(data.gross_weight_kg, (Decimal(0), Decimal(0), Decimal(0)))]
    for number, parcel in enumerate(parcels, start=1):
        _draw_label_page(canvas, data, ParcelInfo(*parcel), number, len(parcels))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label_page(
    canvas: Canvas, data: ShipmentDocumentData, parcel: ParcelInfo, number: int, count: int
) -> None:
    page_width, page_height = LABEL_SIZE
    margin = 8
    x, width = margin, page_width - 2 * margin
    top = page_height - margin
    pad = 6

    # Header band: carrier over service, white on black, as carriers print them.
    band = 40
    _box(canvas, x, top, width, band, fill=INK)
    _draw(
        canvas, _para(data.carrier_name, 15, bold=True, color=colors.white), x + pad, top - 6, width - 2 * pad
    )
    _draw(canvas, _para(data.service_name, 8.5, color=colors.white), x + pad, top - 25, width - 2 * pad)
    top -= band

    # From, with the parcel count beside it.
    from_height = 66
    count_width = 74
    _box(canvas, x, top, width - count_width, from_height)
    _box(canvas, x + width - count_width, top, count_width, from_height)
    _draw(canvas, _caption("FROM"), x + pad, top - 4, 60)
    sender = "\n".join(filter(None, [data.sender.name, _address_text(data.sender)]))
    _draw_fitted(
        canvas,
        lambda scale: [_para(sender, 6.8 * scale)],
        x + pad,
        top - 13,
        width - count_width - 2 * pad,
        from_height - 15,
    )
    cx = x + width - count_width
    _draw(canvas, _caption("PARCEL", 6), cx + pad, top - 4, count_width)
    _draw(canvas, _para(f"{number} of {count}", 15, bold=True, align=TA_CENTER), cx, top - 16, count_width)
    _draw(canvas, _caption("WEIGHT", 6), cx + pad, top - 38, count_width)
    _draw(
        canvas,
        _para(f"{_kg(parcel.weight_kg)} kg", 10, bold=True, align=TA_CENTER),
        cx,
        top - 48,
        count_width,
    )
    top -= from_height

    # Ship to: the biggest text on the label, with the destination country code in a box.
    to_height = 128
    _box(canvas, x, top, width, to_height, line_width=1.6)
    _draw(canvas, _caption("SHIP TO", 6.5), x + pad, top - 4, 60)
    recipient = data.recipient
    body = "\n".join(filter(None, [recipient.company, *recipient.lines]))

    def ship_to(scale: float) -> list[Flowable]:
        return [
            _para(recipient.name, 12.5 * scale, bold=True),
            _para(body, 10 * scale),
            _para(recipient.town_line(), 12.5 * scale, bold=True),
            _para(recipient.country.upper(), 12.5 * scale, bold=True),
        ]

    _draw_fitted(canvas, ship_to, x + pad, top - 15, width - 2 * pad - 58, to_height - 19)
    if len(recipient.country) <= 3:
        code_size = 48
        _box(
            canvas,
            x + width - pad - code_size,
            top - to_height + pad + code_size,
            code_size,
            code_size,
            fill=INK,
        )
        _draw(
            canvas,
            _para(recipient.country.upper(), 22, bold=True, color=colors.white, align=TA_CENTER),
            x + width - pad - code_size,
            top - to_height + pad + code_size - 13,
            code_size,
        )
    top -= to_height

    # Facts row: four cells, caption over value.
    facts = [
        ("DIMENSIONS", _dims(parcel.dims_cm) if any(parcel.dims_cm) else "—"),
        ("INCOTERM", data.incoterm),
        ("SHIP DATE", data.invoice_date.isoformat()),
        ("REFERENCE", data.invoice_number),
    ]
    facts_height = 28
    widths = [width * 0.30, width * 0.17, width * 0.24, width * 0.29]
    cell_x = x
    for (caption, value), cell_width in zip(facts, widths, strict=True):
        _box(canvas, cell_x, top, cell_width, facts_height)
        _draw(canvas, _caption(caption, 5.5), cell_x + 4, top - 4, cell_width - 6)
        _draw(canvas, _para(value, 7.5, bold=True), cell_x + 4, top - 13, cell_width - 6)
        cell_x += cell_width
    top -= facts_height

    # Barcode with the human-readable number under it, centred in what is left.
    bottom = margin
    _box(canvas, x, top, width, top - bottom, line_width=1.6)
    _draw(canvas, _caption("TRACKING NUMBER", 6.5), x + pad, top - 4, 120)
    barcode = _barcode(data.tracking_number, width - 2 * pad, 92)
    text_gap, text_size = 6, 14
    block = barcode.barHeight + text_gap + text_size
    block_bottom = bottom + (top - 12 - bottom - block) / 2
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, block_bottom + text_size + text_gap)
    canvas.setFont("Helvetica-Bold", text_size)
    canvas.drawCentredString(x + width / 2, block_bottom + 2, data.tracking_number, charSpace=1.5)


# --------------------------------------------------------------------------- CN22 (A6)


CATEGORIES = ("Gift", "Documents", "Commercial sample", "Returned goods", "Sale of goods", "Other")


def _category_ticks(reason: str) -> list[tuple[str, bool]]:
    known = reason.strip().lower()
    matches = [label.lower() == known for label in CATEGORIES]
    if not any(matches):
        matches[-1] = True  # "Other", explained in the explanation field
    return list(zip(CATEGORIES, matches, strict=True))


DECLARATION_TEXT = (
    "I, the undersigned, whose name and address are given on the item, certify that the "
    "particulars given in this declaration are correct and that this item does not contain any "
    "dangerous article or articles prohibited by legislation or by postal or customs regulations."
)


def render_cn22(data: ShipmentDocumentData) -> bytes:
    """UPU CN22 customs declaration on A6: for postal items up to 300 SDR (see
    `customs_form_kind`); the layout and numbered boxes (1)-(8) follow the UPU form."""
    if len(data.lines) > CN22_MAX_LINES:
        raise ValueError(f"a CN22 has room for {CN22_MAX_LINES} lines; use a CN23 for {len(data.lines)}")
    buffer = io.BytesIO()
    canvas = _new_canvas(buffer, A6, "CN22", data)
    page_width, page_height = A6
    margin = 5 * mm
    x, width = margin, page_width - 2 * margin
    top = page_height - margin
    pad = 3.5

    # Header: title left, form number right; the operator's name under it.
    head = 34
    _box(canvas, x, top, width, head, line_width=1.2)
    _draw(canvas, _para("CUSTOMS DECLARATION", 11, bold=True), x + pad, top - 5, width * 0.7)
    _draw(
        canvas,
        _para(f"Designated operator: {data.carrier_name}", 6.5, color=MUTED),
        x + pad,
        top - 20,
        width * 0.7,
    )
    _box(canvas, x + width - 52, top, 52, head, fill=INK, line_width=1.2)
    _draw(
        canvas,
        _para("CN 22", 13, bold=True, color=colors.white, align=TA_CENTER),
        x + width - 52,
        top - 7,
        52,
    )
    _draw(
        canvas,
        _para("May be opened officially", 4.4, color=colors.white, align=TA_CENTER),
        x + width - 52,
        top - 24,
        52,
    )
    top -= head

    # Sender and addressee side by side.
    half = width / 2
    party_height = 74
    for offset, caption, party in (
        (0, "FROM (SENDER)", data.sender),
        (half, "TO (ADDRESSEE)", data.recipient),
    ):
        _box(canvas, x + offset, top, half, party_height)
        _draw(canvas, _caption(caption, 5.5), x + offset + pad, top - 3, half)
        body = "\n".join(filter(None, [party.name, _address_text(party)]))
        _draw_fitted(
            canvas,
            lambda scale, body=body: [_para(body, 6.6 * scale, leading=7.8 * scale)],
            x + offset + pad,
            top - 11,
            half - 2 * pad,
            party_height - 13,
        )
    top -= party_height

    # Category of item.
    category_height = 36
    _box(canvas, x, top, width, category_height)
    _draw(canvas, _caption("CATEGORY OF ITEM — tick one or more boxes", 5.5), x + pad, top - 3, width)
    ticks = _category_ticks(data.reason_for_export)
    column = (width - 2 * pad) / 3
    for index, (label, ticked) in enumerate(ticks):
        row, col = divmod(index, 3)
        _draw(canvas, _CheckItem(label, ticked, 6.8), x + pad + col * column, top - 12 - row * 11, column)
    top -= category_height

    # Contents table.
    header = [
        _caption("Quantity and detailed description of contents (1)", 5.2),
        _caption("HS tariff no. (4)", 5.2),
        _caption("Origin (5)", 5.2),
        _caption("Net weight kg (2)", 5.2),
        _caption(f"Value {data.currency} (3)", 5.2),
    ]
    rows: list[list[Flowable]] = [header]
    for line in data.lines:
        rows.append(
            [
                _para(f"{line.quantity} × {line.description}", 6.8, leading=8),
                _para(line.hs_code, 6.8),
                _para(line.origin_country, 6.8, align=TA_CENTER),
                _para(_kg(line.net_weight_kg), 6.8, align=TA_RIGHT),
                _para(_money(line.total_value), 6.8, align=TA_RIGHT),
            ]
        )
    # Empty rows keep the form's shape whatever the number of lines, as on the printed form.
    rows += [[""] * 5 for _ in range(CN22_MAX_LINES - len(data.lines))]
    rows.append(
        [
            _para(
                "HS tariff number (4) and country of origin (5): for commercial items only", 5.2, color=MUTED
            ),
            "",
            "",
            [
                _caption("Total weight kg (6)", 5.2),
                _para(_kg(data.gross_weight_kg), 7, bold=True, align=TA_RIGHT),
            ],
            [
                _caption(f"Total value {data.currency} (7)", 5.2),
                _para(_money(data.goods_value), 7, bold=True, align=TA_RIGHT),
            ],
        ]
    )
    row_heights = [None] + [21] * CN22_MAX_LINES + [None]
    table = Table(
        rows,
        colWidths=[width * 0.41, width * 0.17, width * 0.1, width * 0.15, width * 0.17],
        rowHeights=row_heights,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BOX", (0, 0), (-1, -1), 0.8, RULE),
                ("BACKGROUND", (0, 0), (-1, 0), SHADE),
                ("BACKGROUND", (3, -1), (-1, -1), SHADE),
                ("SPAN", (0, -1), (2, -1)),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
            ]
        )
    )
    top -= _draw(canvas, table, x, top, width)

    # The item's barcode, as on the label, so the form and the parcel match at a glance.
    code_height = 46
    _box(canvas, x, top, width, code_height)
    _draw(canvas, _caption("ITEM NO.", 5.5), x + pad, top - 3, 60)
    barcode = _barcode(data.tracking_number, width * 0.62, 26, max_bar_width=1.0)
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, top - 6 - barcode.barHeight)
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawCentredString(x + width / 2, top - code_height + 5, data.tracking_number, charSpace=0.8)
    top -= code_height

    # Declaration and signature, at the foot of the page.
    bottom = margin
    _box(canvas, x, top, width, top - bottom)
    _draw(canvas, _para(DECLARATION_TEXT, 5.8, leading=7), x + pad, top - pad, width - 2 * pad)
    sign_y = bottom + 11
    canvas.setLineWidth(0.5)
    canvas.line(x + pad, sign_y, x + width * 0.32, sign_y)
    canvas.line(x + width * 0.38, sign_y, x + width - pad, sign_y)
    _draw(canvas, _caption("Date", 5.5), x + pad, sign_y - 1.5, 60)
    _draw(canvas, _caption("Sender's signature (8)", 5.5), x + width * 0.38, sign_y - 1.5, 120)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --------------------------------------------------------------------------- A4 documents


def _a4_document(buffer: io.BytesIO, title: str, data: ShipmentDocumentData) -> BaseDocTemplate:
    _fonts()
    margin = 14 * mm
    document = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=margin + 6 * mm,
        title=f"{title} {data.tracking_number}",
        author=data.sender.company or data.sender.name,
        creator="eWTP Marketplace",
        invariant=1,
    )
    frame = Frame(
        document.leftMargin,
        document.bottomMargin,
        document.width,
        document.height,
        id="body",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(doc.leftMargin, 9 * mm, f"{title} · {data.invoice_number} · {data.tracking_number}")
        canvas.drawRightString(doc.leftMargin + doc.width, 9 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=on_page)])
    return document


def _field(
    caption: str, value: str, size: float = 8.5, *, bold: bool = False, align: int = TA_LEFT
) -> list[Flowable]:
    return [_caption(caption, 6.2), Spacer(0, 1), _para(value, size, bold=bold, align=align)]


def _form_table(
    rows: list[list[object]], col_widths: list[float], extra: list[tuple] | None = None, repeat_rows: int = 0
) -> Table:
    table = Table(rows, colWidths=col_widths, repeatRows=repeat_rows)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, RULE),
                ("BOX", (0, 0), (-1, -1), 1.0, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                *(extra or []),
            ]
        )
    )
    return table


def _party_cell(caption: str, address: Address) -> list[Flowable]:
    return [
        _caption(caption, 6.2),
        Spacer(0, 1.5),
        _para(address.name, 9, bold=True),
        _para(_address_text(address), 8.5, leading=10.5),
    ]


class _BarcodeFlowable(Flowable):
    """A Code 128 barcode with the value printed under it, for the CN23's item number box."""

    def __init__(self, value: str, width: float, height: float) -> None:
        super().__init__()
        self.barcode = _barcode(value, width, height, max_bar_width=1.2)
        self.value = value
        self.width, self.height = self.barcode.width, height + 10

    def draw(self) -> None:
        self.barcode.drawOn(self.canv, 0, 10)
        self.canv.setFont("Helvetica-Bold", 8)
        self.canv.drawCentredString(self.barcode.width / 2, 1, self.value)


def render_cn23(data: ShipmentDocumentData) -> bytes:
    """UPU CN23 customs declaration on A4, for items over 300 SDR; the numbered boxes
    (1)-(16) follow the UPU form, and long contents run onto further pages."""
    buffer = io.BytesIO()
    document = _a4_document(buffer, "CN23", data)
    width = document.width

    head = _form_table(
        [
            [
                [
                    _para("CUSTOMS DECLARATION", 16, bold=True),
                    _para(f"Designated operator: {data.carrier_name} · {data.service_name}", 8, color=MUTED),
                ],
                [
                    _caption("No. of item (barcode)", 6.2),
                    Spacer(0, 2),
                    _BarcodeFlowable(data.tracking_number, width * 0.34 - 8, 26),
                ],
                [
                    _para("CN 23", 18, bold=True, color=colors.white, align=TA_CENTER),
                    _para("May be opened officially", 6.5, color=colors.white, align=TA_CENTER),
                ],
            ]
        ],
        [width * 0.48, width * 0.34, width * 0.18],
        [
            ("BACKGROUND", (2, 0), (2, 0), INK),
            ("VALIGN", (2, 0), (2, 0), "MIDDLE"),
            ("BOX", (0, 0), (-1, -1), 1.4, RULE),
        ],
    )
    parties = _form_table(
        [
            [_party_cell("FROM — sender", data.sender), _party_cell("TO — addressee", data.recipient)],
            [
                _field("Sender's customs reference (if any)", data.invoice_number, 8),
                _field("Importer's reference (if any) / tax code / VAT no.", "", 8),
            ],
        ],
        [width / 2, width / 2],
    )

    column_widths = [width * 0.36, width * 0.08, width * 0.12, width * 0.14, width * 0.16, width * 0.14]
    header = [
        _caption("Detailed description of contents (1)"),
        _caption("Quantity (2)"),
        _caption("Net weight kg (3)"),
        _caption(f"Value {data.currency} (5)"),
        _caption("HS tariff number (7)"),
        _caption("Country of origin of goods (8)"),
    ]
    rows: list[list[object]] = [header]
    for line in data.lines:
        rows.append(
            [
                _para(line.description, 8.5),
                _para(str(line.quantity), 8.5, align=TA_RIGHT),
                _para(_kg(line.net_weight_kg), 8.5, align=TA_RIGHT),
                _para(_money(line.total_value), 8.5, align=TA_RIGHT),
                _para(line.hs_code, 8.5),
                _para(line.origin_country, 8.5, align=TA_CENTER),
            ]
        )
    rows.append(
        [
            _para("Totals", 8.5, bold=True),
            _para(str(sum(line.quantity for line in data.lines)), 8.5, bold=True, align=TA_RIGHT),
            _field("Total gross weight (4)", f"{_kg(data.gross_weight_kg)}", 8.5, bold=True, align=TA_RIGHT),
            _field("Total value (6)", f"{_money(data.goods_value)}", 8.5, bold=True, align=TA_RIGHT),
            _field(
                "Postal charges / fees (9)",
                f"{_money(data.shipping_cost)} {data.shipping_cost.currency}",
                8.5,
                align=TA_RIGHT,
            ),
            _field("Currency", data.currency, 8.5, bold=True, align=TA_CENTER),
        ]
    )
    contents = _form_table(
        rows,
        column_widths,
        repeat_rows=1,
        extra=[
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("BACKGROUND", (0, -1), (-1, -1), SHADE),
            ("LINEABOVE", (0, -1), (-1, -1), 1.0, RULE),
            ("VALIGN", (0, -1), (1, -1), "BOTTOM"),
        ],
    )

    ticks = _category_ticks(data.reason_for_export)
    grid = [[_CheckItem(label, ticked, 8.5) for label, ticked in ticks[row : row + 2]] for row in (0, 2, 4)]
    category = [
        _caption("Category of item (10)"),
        Table(
            grid,
            colWidths=[width * 0.19, width * 0.14],
            style=TableStyle(
                [
                    ("LEFTPADDING", (0, 0), (-1, -1), 0),
                    ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            ),
            hAlign="LEFT",
        ),
    ]
    explanation = data.reason_for_export if ticks[-1][1] else ""
    closing = _form_table(
        [
            [
                category,
                [
                    *_field("Explanation (11)", explanation, 8),
                    Spacer(0, 6),
                    *_field(
                        "Comments (12): e.g. goods subject to quarantine, sanitary/phytosanitary inspection",
                        "",
                        8,
                    ),
                ],
            ],
            [
                _field("Licence (13) / Certificate (14)", "None attached", 8),
                _field(
                    "Invoice (15)",
                    f"No. {data.invoice_number} of {data.invoice_date.isoformat()} — "
                    f"Incoterm {data.incoterm}",
                    8,
                ),
            ],
        ],
        [width * 0.35, width * 0.65],
    )
    declaration = _form_table(
        [
            [
                [
                    _para(
                        DECLARATION_TEXT + " I have met all applicable export filing requirements under the "
                        "applicable laws and regulations.",
                        7.5,
                        leading=9.5,
                    )
                ],
                [_caption("Office of origin / Date of posting"), Spacer(0, 26)],
                [_caption("Date and sender's signature (16)"), Spacer(0, 26)],
            ]
        ],
        [width * 0.5, width * 0.22, width * 0.28],
    )
    document.build(
        [
            head,
            parties,
            Spacer(0, 5),
            contents,
            Spacer(0, 5),
            KeepTogether([closing, declaration]),
        ]
    )
    return buffer.getvalue()


# --------------------------------------------------------------------------- commercial invoice


def render_commercial_invoice(data: ShipmentDocumentData) -> bytes:
    """Commercial invoice on A4: seller, buyer, incoterm, number and date, lines with HS code,
    origin, quantity, unit and total value and net weight, and the totals in one currency."""
    buffer = io.BytesIO()
    document = _a4_document(buffer, "Commercial invoice", data)
    width = document.width

    title = Table(
        [
            [
                [
                    _para("COMMERCIAL INVOICE", 20, bold=True, color=ACCENT),
                    _para(f"{data.sender.company or data.sender.name}", 9, color=MUTED),
                ],
                _form_table(
                    [
                        [
                            _field("Invoice number", data.invoice_number, 9, bold=True),
                            _field("Invoice date", data.invoice_date.isoformat(), 9, bold=True),
                        ],
                        [
                            _field("Tracking number", data.tracking_number, 9),
                            _field("Incoterm", data.incoterm, 9, bold=True),
                        ],
                    ],
                    [width * 0.22, width * 0.2],
                ),
            ]
        ],
        colWidths=[width * 0.58, width * 0.42],
        style=TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        ),
    )
    parties = _form_table(
        [
            [_party_cell("SELLER / EXPORTER", data.sender), _party_cell("BUYER / CONSIGNEE", data.recipient)],
            [
                _field("Carrier and service", f"{data.carrier_name} · {data.service_name}", 8.5),
                _field("Reason for export", data.reason_for_export, 8.5),
            ],
        ],
        [width / 2, width / 2],
    )

    column_widths = [
        width * 0.05,
        width * 0.31,
        width * 0.11,
        width * 0.07,
        width * 0.07,
        width * 0.1,
        width * 0.14,
        width * 0.15,
    ]
    header_names = [
        "#",
        "Description of goods",
        "HS code",
        "Origin",
        "Qty",
        "Net kg",
        f"Unit value {data.currency}",
        f"Total {data.currency}",
    ]
    aligns = [TA_LEFT, TA_LEFT, TA_LEFT, TA_CENTER, TA_RIGHT, TA_RIGHT, TA_RIGHT, TA_RIGHT]
    rows: list[list[object]] = [
        [
            _para(name, 7, bold=True, color=colors.white, align=align)
            for name, align in zip(header_names, aligns, strict=True)
        ]
    ]
    for number, line in enumerate(data.lines, start=1):
        values = [
            str(number),
            line.description,
            line.hs_code,
            line.origin_country,
            str(line.quantity),
            _kg(line.net_weight_kg),
            _money(line.unit_value),
            _money(line.total_value),
        ]
        rows.append([_para(value, 8.5, align=align) for value, align in zip(values, aligns, strict=True)])
    lines_table = Table(rows, colWidths=column_widths, repeatRows=1)
    lines_table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), ACCENT),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F6F7F9")]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#C9CDD3")),
                ("LINEBELOW", (0, -1), (-1, -1), 1.0, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4.5),
            ]
        )
    )

    goods = data.goods_value
    totals_rows = [
        ("Total net weight", f"{_kg(data.net_weight_kg)} kg", False),
        ("Total gross weight", f"{_kg(data.gross_weight_kg)} kg ({len(data.parcels)} parcels)", False),
        ("Goods value", f"{_money(goods)} {data.currency}", False),
        (f"Freight ({data.incoterm})", f"{_money(data.shipping_cost)} {data.shipping_cost.currency}", False),
    ]
    if data.shipping_cost.currency == data.currency:
        totals_rows.append(("Invoice total", f"{_money(goods + data.shipping_cost)} {data.currency}", True))
    else:
        totals_rows.append(("Invoice total (goods)", f"{_money(goods)} {data.currency}", True))
    totals = Table(
        [
            [
                _para(label, 9, bold=strong, align=TA_RIGHT),
                _para(value, 10 if strong else 9, bold=strong, align=TA_RIGHT),
            ]
            for label, value, strong in totals_rows
        ],
        colWidths=[width * 0.22, width * 0.2],
        hAlign="RIGHT",
    )
    totals.setStyle(
        TableStyle(
            [
                ("LINEABOVE", (0, -1), (-1, -1), 1.0, RULE),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )

    declaration = _form_table(
        [
            [
                [
                    _para(
                        "I declare that the information on this invoice is true and correct and that the origin of "
                        "the goods is as stated.",
                        8,
                        leading=10,
                    )
                ],
                [_caption("Name, date and signature of the exporter"), Spacer(0, 28)],
            ]
        ],
        [width * 0.55, width * 0.45],
    )
    document.build(
        [
            title,
            Spacer(0, 8),
            parties,
            Spacer(0, 10),
            lines_table,
            Spacer(0, 6),
            totals,
            Spacer(0, 14),
            KeepTogether([declaration]),
        ]
    )
    return buffer.getvalue()


__all__ = [
    "Address",
    "CN22_LIMIT_SDR",
    "CustomsFormKind",
    "DocumentLine",
    "ILLUSTRATIVE_SDR_RATE_2024",
    "ParcelInfo",
    "ShipmentDocumentData",
    "customs_form_kind",
    "font_runs",
    "render_cn22",
    "render_cn23",
    "render_commercial_invoice",
    "render_label",
]
