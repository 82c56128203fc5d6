"""The drawing helpers every document shares: colours, paragraphs in the right fonts, number
formats, boxes, tick boxes, Code 128 barcodes, the canvas of a one-page form and the A4 page
template with its footer."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from ewtp.money import Money
from ewtp.trade import Party
from logistics.documents.data import ShipmentDocumentData
from logistics.documents.fonts import has_cjk, markup, register_fonts

INK = colors.HexColor("#111111")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#222222")
SHADE = colors.HexColor("#ECEEF1")
ACCENT = colors.HexColor("#1F3A5F")


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


def para(
    text: str,
    size: float = 8,
    *,
    bold: bool = False,
    color: colors.Color = INK,
    align: int = TA_LEFT,
    leading: float | None = None,
) -> Paragraph:
    style = _style(size, bold=bold, color=color, align=align, leading=leading)
    if has_cjk(text):
        style.wordWrap = "CJK"  # Chinese has no spaces: allow a break between any two hanzi
    return Paragraph(markup(text, bold=bold).replace("\n", "<br/>"), style)


def caption_para(text: str, size: float = 6) -> Paragraph:
    """The small grey field name printed above a value, as on the UPU forms."""
    return para(text, size, color=MUTED)


def address_text(address: Party) -> str:
    lines = [address.company, *address.lines, address.town_line(), address.country]
    return "\n".join(line for line in lines if line)


def money_text(money: Money) -> str:
    return f"{money.rounded().amount:,}"


def kg_text(weight: Decimal) -> str:
    return f"{Decimal(weight).quantize(Decimal('0.001'), rounding=ROUND_HALF_UP)}"


def dims_text(dims: Sequence[Decimal]) -> str:
    return " × ".join(f"{Decimal(side).normalize():f}" for side in dims) + " cm"


class CheckItem(Flowable):
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


def new_canvas(
    buffer: io.BytesIO, pagesize: tuple[float, float], title: str, data: ShipmentDocumentData
) -> Canvas:
    register_fonts()
    canvas = Canvas(buffer, pagesize=pagesize, pageCompression=1, invariant=1)
    canvas.setTitle(f"{title} {data.tracking_number}")
    canvas.setAuthor(data.sender.company or data.sender.name)
    canvas.setCreator("eWTP Marketplace")
    return canvas


def draw(canvas: Canvas, flowable: Flowable, x: float, top: float, width: float) -> float:
    """Draw a flowable with its top-left corner at (x, top); return its height."""
    _, height = flowable.wrapOn(canvas, width, 10_000)
    flowable.drawOn(canvas, x, top - height)
    return height


def draw_fitted(
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


def box(
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


def code128(value: str, max_width: float, height: float, max_bar_width: float = 1.6) -> Code128:
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


def a4_document(buffer: io.BytesIO, title: str, data: ShipmentDocumentData) -> BaseDocTemplate:
    register_fonts()
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


def field(
    caption: str, value: str, size: float = 8.5, *, bold: bool = False, align: int = TA_LEFT
) -> list[Flowable]:
    return [caption_para(caption, 6.2), Spacer(0, 1), para(value, size, bold=bold, align=align)]


def form_table(
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


def party_cell(caption: str, address: Party) -> list[Flowable]:
    return [
        caption_para(caption, 6.2),
        Spacer(0, 1.5),
        para(address.name, 9, bold=True),
        para(address_text(address), 8.5, leading=10.5),
    ]


class BarcodeFlowable(Flowable):
    """A Code 128 barcode with the value printed under it, for the CN23's item number box."""

    def __init__(self, value: str, width: float, height: float) -> None:
        super().__init__()
        self.barcode = code128(value, width, height, max_bar_width=1.2)
        self.value = value
        self.width, self.height = self.barcode.width, height + 10

    def draw(self) -> None:
        self.barcode.drawOn(self.canv, 0, 10)
        self.canv.setFont("Helvetica-Bold", 8)
        self.canv.drawCentredString(self.barcode.width / 2, 1, self.value)
