"""The commercial invoice (A4): seller, buyer, lines and totals in one currency."""

from __future__ import annotations

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.platypus import (
    KeepTogether,
    Spacer,
    Table,
    TableStyle,
)

from logistics.documents.data import ShipmentDocumentData
from logistics.documents.drawing import (
    ACCENT,
    MUTED,
    RULE,
    SHADE,
    a4_document,
    caption_para,
    field,
    form_table,
    kg_text,
    money_text,
    para,
    party_cell,
)


def render_commercial_invoice(data: ShipmentDocumentData) -> bytes:
    """Commercial invoice on A4: seller, buyer, incoterm, number and date, lines with HS code,
    origin, quantity, unit and total value and net weight, and the totals in one currency."""
    buffer = io.BytesIO()
    document = a4_document(buffer, "Commercial invoice", data)
    width = document.width

    title = Table(
        [
            [
                [
                    para("COMMERCIAL INVOICE", 20, bold=True, color=ACCENT),
                    para(f"{data.sender.company or data.sender.name}", 9, color=MUTED),
                ],
                form_table(
                    [
                        [
                            field("Invoice number", data.invoice_number, 9, bold=True),
                            field("Invoice date", data.invoice_date.isoformat(), 9, bold=True),
                        ],
                        [
                            field("Tracking number", data.tracking_number, 9),
                            field("Incoterm", data.incoterm, 9, bold=True),
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
    parties = form_table(
        [
            [party_cell("SELLER / EXPORTER", data.sender), party_cell("BUYER / CONSIGNEE", data.recipient)],
            [
                field("Carrier and service", f"{data.carrier_name} · {data.service_name}", 8.5),
                field("Reason for export", data.reason_for_export, 8.5),
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
            para(name, 7, bold=True, color=colors.white, align=align)
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
            kg_text(line.net_weight_kg),
            money_text(line.unit_value),
            money_text(line.total_value),
        ]
        rows.append([para(value, 8.5, align=align) for value, align in zip(values, aligns, strict=True)])
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
        ("Total net weight", f"{kg_text(data.net_weight_kg)} kg", False),
        ("Total gross weight", f"{kg_text(data.gross_weight_kg)} kg ({len(data.parcels)} parcels)", False),
        ("Goods value", f"{money_text(goods)} {data.currency}", False),
        (
            f"Freight ({data.incoterm})",
            f"{money_text(data.shipping_cost)} {data.shipping_cost.currency}",
            False,
        ),
    ]
    if data.shipping_cost.currency == data.currency:
        totals_rows.append(
            ("Invoice total", f"{money_text(goods + data.shipping_cost)} {data.currency}", True)
        )
    else:
        totals_rows.append(("Invoice total (goods)", f"{money_text(goods)} {data.currency}", True))
    totals = Table(
        [
            [
                para(label, 9, bold=strong, align=TA_RIGHT),
                para(value, 10 if strong else 9, bold=strong, align=TA_RIGHT),
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

    declaration = form_table(
        [
            [
                [
                    para(
                        "I declare that the information on this invoice is true and correct and that the origin of "
                        "the goods is as stated.",
                        8,
                        leading=10,
                    )
                ],
                [caption_para("Name, date and signature of the exporter"), Spacer(0, 28)],
            ]
        ],
        [width * 0.55, width * 0.45],
    )
    origin = []
    if data.origin_statements:
        origin = [
            Spacer(0, 10),
            KeepTogether(
                [
                    form_table(
                        [[[caption_para("PROOF OF ORIGIN"), *(para(text, 8, leading=10) for text in data.origin_statements)]]],
                        [width],
                    )
                ]
            ),
        ]
    document.build(
        [
            title,
            Spacer(0, 8),
            parties,
            Spacer(0, 10),
            lines_table,
            Spacer(0, 6),
            totals,
            *origin,
            Spacer(0, 14),
            KeepTogether([declaration]),
        ]
    )
    return buffer.getvalue()
