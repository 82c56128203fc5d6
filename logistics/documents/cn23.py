"""The UPU CN23 customs declaration (A4), for items over 300 SDR or too many lines for a CN22."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.platypus import (
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from logistics.documents.customs_form import DECLARATION_TEXT, category_ticks
from logistics.documents.data import ShipmentDocumentData
from logistics.documents.drawing import (
    INK,
    MUTED,
    RULE,
    SHADE,
    BarcodeFlowable,
    CheckItem,
    a4_document,
    caption_para,
    field,
    form_table,
    kg_text,
    money_text,
    para,
    party_cell,
)


def render_cn23(data: ShipmentDocumentData) -> bytes:
    """UPU CN23 customs declaration on A4, for items over 300 SDR; the numbered boxes
    (1)-(16) follow the UPU form, and long contents run onto further pages."""
    buffer = io.BytesIO()
    document = a4_document(buffer, "CN23", data)
    width = document.width

    head = form_table(
        [
            [
                [
                    para("CUSTOMS DECLARATION", 16, bold=True),
                    para(f"Designated operator: {data.carrier_name} · {data.service_name}", 8, color=MUTED),
                ],
                [
                    caption_para("No. of item (barcode)", 6.2),
                    Spacer(0, 2),
                    BarcodeFlowable(data.tracking_number, width * 0.34 - 8, 26),
                ],
                [
                    para("CN 23", 18, bold=True, color=colors.white, align=TA_CENTER),
                    para("May be opened officially", 6.5, color=colors.white, align=TA_CENTER),
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
    parties = form_table(
        [
            [party_cell("FROM — sender", data.sender), party_cell("TO — addressee", data.recipient)],
            [
                field("Sender's customs reference (if any)", data.invoice_number, 8),
                field("Importer's reference (if any) / tax code / VAT no.", "", 8),
            ],
        ],
        [width / 2, width / 2],
    )

    column_widths = [width * 0.36, width * 0.08, width * 0.12, width * 0.14, width * 0.16, width * 0.14]
    header = [
        caption_para("Detailed description of contents (1)"),
        caption_para("Quantity (2)"),
        caption_para("Net weight kg (3)"),
        caption_para(f"Value {data.currency} (5)"),
        caption_para("HS tariff number (7)"),
        caption_para("Country of origin of goods (8)"),
    ]
    rows: list[list[object]] = [header]
    for line in data.lines:
        rows.append(
            [
                para(line.description, 8.5),
                para(str(line.quantity), 8.5, align=TA_RIGHT),
                para(kg_text(line.net_weight_kg), 8.5, align=TA_RIGHT),
                para(money_text(line.total_value), 8.5, align=TA_RIGHT),
                para(line.hs_code, 8.5),
                para(line.origin_country, 8.5, align=TA_CENTER),
            ]
        )
    rows.append(
        [
            para("Totals", 8.5, bold=True),
            para(str(sum(line.quantity for line in data.lines)), 8.5, bold=True, align=TA_RIGHT),
            field(
                "Total gross weight (4)", f"{kg_text(data.gross_weight_kg)}", 8.5, bold=True, align=TA_RIGHT
            ),
            field("Total value (6)", f"{money_text(data.goods_value)}", 8.5, bold=True, align=TA_RIGHT),
            field(
                "Postal charges / fees (9)",
                f"{money_text(data.shipping_cost)} {data.shipping_cost.currency}",
                8.5,
                align=TA_RIGHT,
            ),
            field("Currency", data.currency, 8.5, bold=True, align=TA_CENTER),
        ]
    )
    contents = form_table(
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

    ticks = category_ticks(data.reason_for_export)
    grid = [[CheckItem(label, ticked, 8.5) for label, ticked in ticks[row : row + 2]] for row in (0, 2, 4)]
    category = [
        caption_para("Category of item (10)"),
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
    closing = form_table(
        [
            [
                category,
                [
                    *field("Explanation (11)", explanation, 8),
                    Spacer(0, 6),
                    *field(
                        "Comments (12): e.g. goods subject to quarantine, sanitary/phytosanitary inspection",
                        "",
                        8,
                    ),
                ],
            ],
            [
                field("Licence (13) / Certificate (14)", "None attached", 8),
                field(
                    "Invoice (15)",
                    f"No. {data.invoice_number} of {data.invoice_date.isoformat()} — "
                    f"Incoterm {data.incoterm}",
                    8,
                ),
            ],
        ],
        [width * 0.35, width * 0.65],
    )
    declaration = form_table(
        [
            [
                [
                    para(
                        DECLARATION_TEXT + " I have met all applicable export filing requirements under the "
                        "applicable laws and regulations.",
                        7.5,
                        leading=9.5,
                    )
                ],
                [caption_para("Office of origin / Date of posting"), Spacer(0, 26)],
                [caption_para("Date and sender's signature (16)"), Spacer(0, 26)],
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
