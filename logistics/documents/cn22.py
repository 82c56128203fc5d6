"""The UPU CN22 customs declaration (A6), for postal items up to 300 SDR."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Table,
    TableStyle,
)

from logistics.documents.customs_form import CN22_MAX_LINES, DECLARATION_TEXT, category_ticks
from logistics.documents.data import ShipmentDocumentData
from logistics.documents.drawing import (
    INK,
    MUTED,
    RULE,
    SHADE,
    CheckItem,
    address_text,
    box,
    caption_para,
    code128,
    draw,
    draw_fitted,
    kg_text,
    money_text,
    new_canvas,
    para,
)


def render_cn22(data: ShipmentDocumentData) -> bytes:
    """UPU CN22 customs declaration on A6: for postal items up to 300 SDR (see
    `customs_form_kind`); the layout and numbered boxes (1)-(8) follow the UPU form."""
    if len(data.lines) > CN22_MAX_LINES:
        raise ValueError(f"a CN22 has room for {CN22_MAX_LINES} lines; use a CN23 for {len(data.lines)}")
    buffer = io.BytesIO()
    canvas = new_canvas(buffer, A6, "CN22", data)
    page_width, page_height = A6
    margin = 5 * mm
    x, width = margin, page_width - 2 * margin
    top = page_height - margin
    pad = 3.5

    # Header: title left, form number right; the operator's name under it.
    head = 34
    box(canvas, x, top, width, head, line_width=1.2)
    draw(canvas, para("CUSTOMS DECLARATION", 11, bold=True), x + pad, top - 5, width * 0.7)
    draw(
        canvas,
        para(f"Designated operator: {data.carrier_name}", 6.5, color=MUTED),
        x + pad,
        top - 20,
        width * 0.7,
    )
    box(canvas, x + width - 52, top, 52, head, fill=INK, line_width=1.2)
    draw(
        canvas,
        para("CN 22", 13, bold=True, color=colors.white, align=TA_CENTER),
        x + width - 52,
        top - 7,
        52,
    )
    draw(
        canvas,
        para("May be opened officially", 4.4, color=colors.white, align=TA_CENTER),
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
        box(canvas, x + offset, top, half, party_height)
        draw(canvas, caption_para(caption, 5.5), x + offset + pad, top - 3, half)
        body = "\n".join(filter(None, [party.name, address_text(party)]))
        draw_fitted(
            canvas,
            lambda scale, body=body: [para(body, 6.6 * scale, leading=7.8 * scale)],
            x + offset + pad,
            top - 11,
            half - 2 * pad,
            party_height - 13,
        )
    top -= party_height

    # Category of item.
    category_height = 36
    box(canvas, x, top, width, category_height)
    draw(canvas, caption_para("CATEGORY OF ITEM — tick one or more boxes", 5.5), x + pad, top - 3, width)
    ticks = category_ticks(data.reason_for_export)
    column = (width - 2 * pad) / 3
    for index, (label, ticked) in enumerate(ticks):
        row, col = divmod(index, 3)
        draw(canvas, CheckItem(label, ticked, 6.8), x + pad + col * column, top - 12 - row * 11, column)
    top -= category_height

    # Contents table.
    header = [
        caption_para("Quantity and detailed description of contents (1)", 5.2),
        caption_para("HS tariff no. (4)", 5.2),
        caption_para("Origin (5)", 5.2),
        caption_para("Net weight kg (2)", 5.2),
        caption_para(f"Value {data.currency} (3)", 5.2),
    ]
    rows: list[list[Flowable]] = [header]
    for line in data.lines:
        rows.append(
            [
                para(f"{line.quantity} × {line.description}", 6.8, leading=8),
                para(line.hs_code, 6.8),
                para(line.origin_country, 6.8, align=TA_CENTER),
                para(kg_text(line.net_weight_kg), 6.8, align=TA_RIGHT),
                para(money_text(line.total_value), 6.8, align=TA_RIGHT),
            ]
        )
    # Empty rows keep the form's shape whatever the number of lines, as on the printed form.
    rows += [[""] * 5 for _ in range(CN22_MAX_LINES - len(data.lines))]
    rows.append(
        [
            para(
                "HS tariff number (4) and country of origin (5): for commercial items only", 5.2, color=MUTED
            ),
            "",
            "",
            [
                caption_para("Total weight kg (6)", 5.2),
                para(kg_text(data.gross_weight_kg), 7, bold=True, align=TA_RIGHT),
            ],
            [
                caption_para(f"Total value {data.currency} (7)", 5.2),
                para(money_text(data.goods_value), 7, bold=True, align=TA_RIGHT),
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
    top -= draw(canvas, table, x, top, width)

    # The item's barcode, as on the label, so the form and the parcel match at a glance.
    code_height = 46
    box(canvas, x, top, width, code_height)
    draw(canvas, caption_para("ITEM NO.", 5.5), x + pad, top - 3, 60)
    barcode = code128(data.tracking_number, width * 0.62, 26, max_bar_width=1.0)
    barcode.drawOn(canvas, x + (width - barcode.width) / 2, top - 6 - barcode.barHeight)
    canvas.setFont("Helvetica-Bold", 8)
    canvas.drawCentredString(x + width / 2, top - code_height + 5, data.tracking_number, charSpace=0.8)
    top -= code_height

    # Declaration and signature, at the foot of the page.
    bottom = margin
    box(canvas, x, top, width, top - bottom)
    draw(canvas, para(DECLARATION_TEXT, 5.8, leading=7), x + pad, top - pad, width - 2 * pad)
    sign_y = bottom + 11
    canvas.setLineWidth(0.5)
    canvas.line(x + pad, sign_y, x + width * 0.32, sign_y)
    canvas.line(x + width * 0.38, sign_y, x + width - pad, sign_y)
    draw(canvas, caption_para("Date", 5.5), x + pad, sign_y - 1.5, 60)
    draw(canvas, caption_para("Sender's signature (8)", 5.5), x + width * 0.38, sign_y - 1.5, 120)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
