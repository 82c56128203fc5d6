"""The parcel label: 4×6 inch, one page per parcel."""

from __future__ import annotations

import io
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import inch
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from ewtp.trade import Parcel
from logistics.documents.data import ShipmentDocumentData
from logistics.documents.drawing import (
    INK,
    address_text,
    box,
    caption_para,
    code128,
    dims_text,
    draw,
    draw_fitted,
    kg_text,
    new_canvas,
    para,
)

LABEL_SIZE = (4 * inch, 6 * inch)


def render_label(data: ShipmentDocumentData) -> bytes:
    """A 4×6 inch thermal label per parcel: carrier, service, from, ship-to, parcel n of m,
    weight, and a Code 128 barcode of the tracking number with the number printed under it."""
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, LABEL_SIZE, "Shipping label", data)
    parcels = data.parcels or [Parcel(data.gross_weight_kg, Decimal(0), Decimal(0), Decimal(0))]
    for number, parcel in enumerate(parcels, start=1):
        _draw_label_page(canvas, data, parcel, number, len(parcels))
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_label_page(
    canvas: Canvas, data: ShipmentDocumentData, parcel: Parcel, number: int, count: int
) -> None:
    page_width, page_height = LABEL_SIZE
    margin = 8
    x, width = margin, page_width - 2 * margin
    top = page_height - margin
    pad = 6

    # Header band: carrier over service, white on black, as carriers print them.
    band = 40
    box(canvas, x, top, width, band, fill=INK)
    draw(
        canvas, para(data.carrier_name, 15, bold=True, color=colors.white), x + pad, top - 6, width - 2 * pad
    )
    draw(canvas, para(data.service_name, 8.5, color=colors.white), x + pad, top - 25, width - 2 * pad)
    top -= band

    # From, with the parcel count beside it.
    from_height = 66
    count_width = 74
    box(canvas, x, top, width - count_width, from_height)
    box(canvas, x + width - count_width, top, count_width, from_height)
    draw(canvas, caption_para("FROM"), x + pad, top - 4, 60)
    sender = "\n".join(filter(None, [data.sender.name, address_text(data.sender)]))
    draw_fitted(
        canvas,
        lambda scale: [para(sender, 6.8 * scale)],
        x + pad,
        top - 13,
        width - count_width - 2 * pad,
        from_height - 15,
    )
    cx = x + width - count_width
    draw(canvas, caption_para("PARCEL", 6), cx + pad, top - 4, count_width)
    draw(canvas, para(f"{number} of {count}", 15, bold=True, align=TA_CENTER), cx, top - 16, count_width)
    draw(canvas, caption_para("WEIGHT", 6), cx + pad, top - 38, count_width)
    draw(
        canvas,
        para(f"{kg_text(parcel.weight_kg)} kg", 10, bold=True, align=TA_CENTER),
        cx,
        top - 48,
        count_width,
    )
    top -= from_height

    # Ship to: the biggest text on the label, with the destination country code in a box.
    to_height = 128
    box(canvas, x, top, width, to_height, line_width=1.6)
    draw(canvas, caption_para("SHIP TO", 6.5), x + pad, top - 4, 60)
    recipient = data.recipient
    body = "\n".join(filter(None, [recipient.company, *recipient.lines]))

    def ship_to(scale: float) -> list[Flowable]:
        return [
            para(recipient.name, 12.5 * scale, bold=True),
            para(body, 10 * scale),
            para(recipient.town_line(), 12.5 * scale, bold=True),
            para(recipient.country.upper(), 12.5 * scale, bold=True),
        ]

    draw_fitted(canvas, ship_to, x + pad, top - 15, width - 2 * pad - 58, to_height - 19)
    if len(recipient.country) <= 3:
        code_size = 48
        box(
            canvas,
            x + width - pad - code_size,
            top - to_height + pad + code_size,
            code_size,
            code_size,
            fill=INK,
        )
        draw(
            canvas,
            para(recipient.country.upper(), 22, bold=True, color=colors.white, align=TA_CENTER),
            x + width - pad - code_size,
            top - to_height + pad + code_size - 13,
            code_size,
        )
    top -= to_height

    # Facts row: four cells, caption over value.
    facts = [
        ("DIMENSIONS", dims_text(parcel.dims_cm) if any(parcel.dims_cm) else "—"),
        ("INCOTERM", data.incoterm),
        ("SHIP DATE", data.invoice_date.isoformat()),
        ("REFERENCE", data.invoice_number),
    ]
    facts_height = 28
    widths = [width * 0.30, width * 0.17, width * 0.24, width * 0.29]
    cell_x = x
    for (caption, value), cell_width in zip(facts, widths, strict=True):
        box(canvas, cell_x, top, cell_width, facts_height)
        draw(canvas, caption_para(caption, 5.5), cell_x + 4, top - 4, cell_width - 6)
        draw(canvas, para(value, 7.5, bold=True), cell_x + 4, top - 13, cell_width - 6)
        cell_x += cell_width
    top -= facts_height

    # Barcode with the human-readable number under it, centred in what is left.
    bottom = margin
    box(canvas, x, top, width, top - bottom, line_width=1.6)
    draw(canvas, caption_para("TRACKING NUMBER", 6.5), x + pad, top - 4, 120)
    barcode = code128(data.tracking_number, width - 2 * pad, 92)
    text_gap, text_size = 6, 14
    block = barcode.barHeight + text_gap + text_size
    block_bottom = bottom + (top - 12 - bottom - block) / 2
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, block_bottom + text_size + text_gap)
    canvas.setFont("Helvetica-Bold", text_size)
    canvas.drawCentredString(x + width / 2, block_bottom + 2, data.tracking_number, charSpace=1.5)
