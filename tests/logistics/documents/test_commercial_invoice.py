"""The commercial invoice: every line, and totals that add up, in one currency."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from ewtp.money import CurrencyMismatch, Money
from logistics.documents import render_commercial_invoice
from tests.logistics.documents.pdf import all_text, goods_line, make_shipment


def test_commercial_invoice_lists_every_line_and_adds_up():
    # given
    data = make_shipment()

    # when
    text = all_text(render_commercial_invoice(data))

    # then
    assert "COMMERCIAL INVOICE" in text
    assert "INV-2025-00042" in text and "2025-10-21" in text and "DDP" in text
    # unit value x quantity for each line
    assert re.search(r"18\.50\s+222\.00", text)
    assert re.search(r"42\.00\s+210\.00", text)
    assert re.search(r"65\.00\s+130\.00", text)
    assert "562.00 USD" in text  # goods
    assert "38.90 USD" in text  # freight
    assert "600.90 USD" in text  # invoice total
    assert "5.550 kg" in text  # net weight of the lines


def test_lines_in_another_currency_than_the_invoice_are_refused():
    euro_line = goods_line("Tea", "0902.10", 1, Money(Decimal("5.00"), "EUR"), "0.1")
    with pytest.raises(CurrencyMismatch):
        render_commercial_invoice(make_shipment(lines=[euro_line]))


def test_the_statement_on_origin_is_printed_when_given():
    from dataclasses import replace

    statement = ("Line 1 — Statement on origin: The exporter of the products covered by this document (Exporter "
                 "Reference No GB123456789000) declares that these products are of JP preferential origin.")
    text = all_text(render_commercial_invoice(replace(make_shipment(), origin_statements=(statement,))))
    assert "PROOF OF ORIGIN" in text and "GB123456789000" in text
    assert "PROOF OF ORIGIN" not in all_text(render_commercial_invoice(make_shipment()))
