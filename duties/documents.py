"""The tax invoice of VAT charged at the sale (A4 PDF, reportlab, drawn like logistics/documents): the
platform as deemed supplier with its IOSS or UK VAT number, the seller, the buyer, the goods, and the
VAT per rate with its base, rate and amount."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from duties.models import TaxInvoice
from logistics.documents.drawing import ACCENT, MUTED, RULE, SHADE, para
from logistics.documents.fonts import register_fonts

SCHEME_TEXT = {
    "IOSS": ("IOSS VAT identification number",
             "VAT charged at the point of sale under the EU Import One-Stop Shop (Council Directive 2006/112/EC, "
             "Articles 369l-369x), for goods in consignments of an intrinsic value up to EUR 150."),
    "UK": ("UK VAT registration number",
           "UK VAT charged at the point of sale on goods in consignments of GBP 135 or less (VAT Act 1994, "
           "section 5A; the online marketplace is the deemed supplier)."),
}


def _money(amount, currency: str) -> str:
    return f"{Decimal(amount):,.2f} {currency}"


def render_tax_invoice(invoice: TaxInvoice) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    margin = 16 * mm
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=margin, rightMargin=margin, topMargin=margin,
                                 bottomMargin=margin, title=f"Tax invoice {invoice.number}",
                                 author="eWTP Marketplace", creator="eWTP Marketplace", invariant=1)
    width = document.width
    number_label, legal = SCHEME_TEXT[invoice.scheme]
    issued = timezone.localtime(invoice.issued_at).date().isoformat()
    buyer = invoice.buyer
    buyer_text = "\n".join(part for part in [buyer.get("name", ""), *buyer.get("lines", []),
                                             f"{buyer.get('postcode', '')} {buyer.get('city', '')}".strip(),
                                             buyer.get("country", "")] if part)
    story = [
        para("TAX INVOICE", 20, bold=True, color=ACCENT),
        para(f"Invoice number {invoice.number} · Date of issue {issued} · Order {invoice.reference}", 9,
             color=MUTED),
        Spacer(1, 6 * mm),
        Table([[
            [para("Supplier (deemed, as the marketplace)", 7, color=MUTED), para("eWTP Marketplace", 10, bold=True),
             para(f"{number_label}: {invoice.vat_number}", 9, bold=True),
             para(f"Goods sold by {invoice.seller.get('name', '')} ({invoice.seller.get('country', '')})", 8)],
            [para("Customer", 7, color=MUTED), para(buyer_text, 9)],
        ]], colWidths=[width / 2, width / 2], style=TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOX", (0, 0), (-1, -1), 0.5, RULE),
            ("INNERGRID", (0, 0), (-1, -1), 0.5, RULE), ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("LEFTPADDING", (0, 0), (-1, -1), 6)])),
        Spacer(1, 6 * mm),
        para("Goods", 10, bold=True),
    ]
    goods = [[para("Description", 8, bold=True), para("Quantity", 8, bold=True, align=TA_RIGHT)]]
    goods += [[para(line["description"], 9), para(str(line["quantity"]), 9, align=TA_RIGHT)]
              for line in invoice.lines]
    story.append(Table(goods, colWidths=[width * 0.8, width * 0.2], style=TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)])))
    story += [Spacer(1, 6 * mm), para("VAT", 10, bold=True)]
    vat = [[para(text, 8, bold=True, align=align) for text, align in (
        ("Tax", 0), ("Rate", TA_RIGHT), ("Taxable amount", TA_RIGHT), ("VAT amount", TA_RIGHT))]]
    vat += [[para(line["name"], 9), para(f"{line['rate']}%", 9, align=TA_RIGHT),
             para(_money(line["base"], invoice.currency), 9, align=TA_RIGHT),
             para(_money(line["amount"], invoice.currency), 9, align=TA_RIGHT)] for line in invoice.vat_lines]
    vat += [[para("Total excluding VAT", 9, bold=True), "", "", para(_money(invoice.net_amount, invoice.currency), 9,
                                                                     bold=True, align=TA_RIGHT)],
            [para("Total VAT", 9, bold=True), "", "", para(_money(invoice.vat_amount, invoice.currency), 9,
                                                           bold=True, align=TA_RIGHT)],
            [para("Total including VAT", 10, bold=True), "", "", para(_money(invoice.gross.amount, invoice.currency),
                                                                      10, bold=True, align=TA_RIGHT)]]
    story.append(Table(vat, colWidths=[width * 0.4, width * 0.15, width * 0.225, width * 0.225], style=TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), SHADE), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)])))
    story += [Spacer(1, 8 * mm), para(legal, 7, color=MUTED),
              para(f"Member state of consumption: {invoice.country}. Amounts in {invoice.currency}.", 7, color=MUTED)]
    document.build(story)
    return buffer.getvalue()
