"""Viet Nam: duty and VAT on low-value express goods before and after Decision 01/2025/QD-TTg, and the VAT base.

Decision 78/2010/QD-TTg exempted goods imported by express delivery of a customs value of VND 1,000,000 or less
from import duty and import VAT; Decision 01/2025/QD-TTg repealed it from 18 February 2025, so both are due on
them from that day.
VAT on imports is charged on the import price at the border (CIF, Circular 39/2015/TT-BTC) + import duty +
special consumption tax (Law on VAT art. 7). No Vietnam Customs example in figures was found with the search
tool: the amounts are worked here from those rules at a chosen rate of VND 25,000 per USD. The book holds no
Vietnamese tariff lines, so import duty (when due) is manual assessment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.customs.golden.conftest import fx_of, line, money, quote

FX = fx_of({"USD": "1", "VND": "25000"})


def vat_due(tax) -> bool:
    """The tax line is the rate in force on its base (the 10% rate, or a temporary 8% reduction by HS code)."""
    return tax.amount.amount == tax.base.amount * tax.rate / 100 and tax.rate in (Decimal("8"), Decimal("10"))


@pytest.mark.parametrize(("on", "taxed"), [
    (date(2025, 2, 17), False),  # Decision 78/2010: VAT exempt at VND 1,000,000 or less
    (date(2025, 2, 18), True),  # repealed: VAT on the VND 1,000,000
])
def test_vat_on_express_goods_of_1_million_dong(book, on, taxed):
    quote_ = quote(book, FX, "VN", [line("610910", "40.00", "USD")], on=on, currency="VND")
    assert quote_.customs_value == money("1000000", "VND")
    assert quote_.de_minimis.tax_applied is not taxed
    assert quote_.de_minimis.duty_applied is not taxed
    assert quote_.lines[0].rule == ("manual_assessment" if taxed else "de_minimis")
    assert [(t.base, vat_due(t)) for t in quote_.taxes] == ([(money("1000000", "VND"), True)] if taxed else [])


def test_vat_on_the_cif_value_above_the_threshold(book):
    # USD 100 of goods + USD 10 freight: CIF VND 2,750,000; VAT on CIF (+ duty, manual here)
    quote_ = quote(book, FX, "VN", [line("610910", "100.00", "USD")], on=date(2026, 1, 15), shipping="10.00",
                   currency="VND")
    assert quote_.lines[0].rule == "manual_assessment"
    assert [(t.base, vat_due(t)) for t in quote_.taxes] == [(money("2750000", "VND"), True)]
