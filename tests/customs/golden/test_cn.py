"""China: cross-border e-commerce retail import (CBEC) for consumers, and general trade.

No GACC or MOF page working a consignment in figures was found with the search tool; the tests apply the
authorities' published rules to figures chosen here and say so:

- MOF/GACC/SAT Announcement 2018 No. 49 (from 1 January 2019), on Caishui [2016] No. 18: the single-transaction
  limit is CNY 5,000 and the annual limit per person CNY 26,000; within the limits the tariff rate is
  provisionally 0% and import VAT and consumption tax are levied at 70% of the statutory amount; the dutiable
  price is the actual transaction price incl. the goods' retail price, freight and insurance; a transaction over
  the single limit (or over the annual limit once added) is taxed in full as general trade.
- General trade: duty = dutiable price (CIF, PRC Regulations on Import and Export Duties art. 18) x rate;
  VAT = (dutiable price + duty + consumption tax) x VAT rate (PRC Provisional Regulations on VAT art. 14).
  Widely cited in this form, e.g. ssopdot.com 'tax calculation of general trade', whose formulas these are.

Consumption tax is not modelled: the goods chosen carry none (T-shirts, tea)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.customs.golden.conftest import fx_of, line, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"CNY": "1", "JPY": "20"})


def test_cbec_within_the_limits_no_duty_and_70_percent_of_the_vat(book):
    # given a consumer's CNY 1,000 of T-shirts (VAT 13%) with CNY 50 freight
    goods = [line("610910", "1000.00", "CNY", origin="JP")]

    # when quoted
    quote_ = quote(book, FX, "CN", goods, on=ON, shipping="50.00", consumer=True)

    # then: duty 0%; VAT 13% x 70% = 9.1% of the dutiable price 1,050 (goods + freight) = 95.55
    assert quote_.duty == money("0.00", "CNY") and quote_.lines[0].rule == "de_minimis"
    [vat] = quote_.taxes
    assert (vat.rate, vat.base, vat.amount, vat.collected) == (
        Decimal("9.1"), money("1050.00", "CNY"), money("95.55", "CNY"), "border")
    assert "70% of the statutory amount under CN_CBEC" in vat.name


@pytest.mark.parametrize(("goods", "year_to_date", "cbec"), [
    ("5000.00", None, True),  # at the single-transaction limit
    ("5000.01", None, False),  # over it: general trade
    ("1000.00", "25000.00", True),  # 25,000 + 1,000 = 26,000: at the annual limit
    ("1000.00", "25000.01", False),  # over it once added
])
def test_cbec_single_transaction_and_annual_limits(book, goods, year_to_date, cbec):
    ytd = money(year_to_date, "CNY") if year_to_date else None
    quote_ = quote(book, FX, "CN", [line("610910", goods, "CNY", origin="JP")], on=ON, consumer=True,
                   year_to_date=ytd)
    assert (quote_.lines[0].rule == "de_minimis") is cbec
    assert (quote_.taxes[0].rate == Decimal("9.1")) is cbec


def test_cbec_is_for_consumers_a_business_buyer_is_general_trade(book):
    # the same CNY 1,000 + 50 bought by a company: full VAT 13% on the dutiable price (+ duty, manual here)
    quote_ = quote(book, FX, "CN", [line("610910", "1000.00", "CNY", origin="JP")], on=ON, shipping="50.00")
    assert quote_.taxes[0].rate == Decimal("13")
    assert quote_.lines[0].rule == "manual_assessment"  # the book holds no Chinese T-shirt line
    assert any("General trade applies: the buyer is a business" in s for s in quote_.explanation)


def test_general_trade_duty_on_cif_and_vat_on_cif_plus_duty(book):
    # given JPY 200,000 of green tea (0902.20.90, MFN 15%, VAT 9% for agricultural products) + JPY 10,000
    # freight, at CNY 1 = JPY 20: dutiable price CNY 10,500
    goods = [line("0902209000", "200000", "JPY", origin="JP")]

    # when a business imports it
    quote_ = quote(book, FX, "CN", goods, on=ON, shipping="10000", currency="CNY")

    # then duty 15% x 10,500 = 1,575.00 and VAT 9% x (10,500 + 1,575) = 1,086.75
    assert quote_.customs_value == money("10500.00", "CNY")
    assert quote_.duty == money("1575.00", "CNY")
    [vat] = quote_.taxes
    assert (vat.rate, vat.base, vat.amount) == (Decimal("9"), money("12075.00", "CNY"), money("1086.75", "CNY"))
    assert quote_.total_duties_and_taxes == money("2661.75", "CNY")


def test_cbec_through_the_api_with_the_buyer_and_the_year_so_far(api_quote):
    """The same rule as a client asks it: "buyer": "consumer" and the buyer's CBEC purchases this year. CNY 1,000 +
    50 freight within both limits: 9.1% x 1,050 = CNY 95.55; with CNY 25,500 already bought this year the
    transaction would take the year to 26,550, over CNY 26,000, so general trade (VAT 13%) applies."""
    body = {"origin": "JP", "destination": "CN", "date": "2026-01-15", "currency": "CNY", "buyer": "consumer",
            "shipping": {"amount": "50.00", "currency": "CNY"},
            "lines": [{"hs_code": "6109100000", "quantity": 1, "unit_value": {"amount": "1000.00", "currency": "CNY"},
                       "net_weight_kg": "0.5"}]}
    within = api_quote(body)
    assert (within["taxes"][0]["rate"], within["taxes"][0]["amount"]) == ("9.1", {"amount": "95.55", "currency": "CNY"})
    over = api_quote({**body, "consumer_year_to_date": {"amount": "25500.00", "currency": "CNY"}})
    assert over["taxes"][0]["rate"] == "13"
