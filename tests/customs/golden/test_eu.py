"""European Union (France, Germany, the Netherlands): the intrinsic-value examples of the low-value consignment
guidance, and duty with import VAT above EUR 150.

Agencia Tributaria (Spain's tax and customs administration), 'Import and Export Manual for low value shipments',
2.2.1.2 l) 'The ED 14 14 000 000 "Intrinsic value"' (sede.agenciatributaria.gob.es; the examples of the European
Commission's customs guidance on low value consignments, at the Commission's illustrative 20% VAT):

  Example 1: intrinsic value of 140 EUR: winter coat 140 EUR, VAT 28 EUR, total 168 EUR.
  Example 2: intrinsic value of 140 EUR: winter coat 140 EUR (VAT 28 EUR) + transport fee 15 EUR (VAT 3 EUR).
  Example 3: intrinsic value of 140 EUR: winter coat 120 EUR (VAT 24) + T-shirt 20 EUR (VAT 4) + transport fee
             15 EUR (VAT 3).
  Example 4: intrinsic value of 160 EUR: winter coat 160 EUR, VAT 32 EUR. 'Since the intrinsic value in example 4
             is greater than 150 EUR, it is not possible to file the declaration with data set H7' (no IOSS).

Intrinsic value = the price of the goods themselves, excluding transport and insurance (Regulation (EU) 2015/2446
art. 1(48)); up to EUR 150 there is no duty (Regulation (EC) No 1186/2009 art. 23) and VAT is charged at the sale
under the IOSS on the price incl. transport (Directive 2006/112/EC art. 369l et seq.). France's VAT is 20%, the
examples' own rate; Germany's (19%) and the Netherlands' (21%) figures are worked here on the same consignment.
The coat is 6201.93 (men's anoraks of man-made fibres, EU CET 12%), the T-shirt 6109.10 (12%). Above EUR 150:
customs value CIF (Union Customs Code art. 70-71), duty, VAT on customs value + duty (Directive 2006/112/EC
art. 85-86), the figures worked here from the book's CET rate."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.customs.golden.conftest import fx_of, line, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"EUR": "1"})
COAT, T_SHIRT = "620193", "610910"


def test_example_1_coat_of_140_euros_vat_28_at_the_sale(book):
    quote_ = quote(book, FX, "FR", [line(COAT, "140.00", "EUR", description="winter coat")], on=ON)
    assert quote_.lines[0].rule == "de_minimis" and quote_.duty == money("0.00", "EUR")
    assert [(t.rate, t.amount, t.collected) for t in quote_.taxes] == [(Decimal("20"), money("28.00", "EUR"), "at_sale")]
    assert quote_.landed_cost == money("168.00", "EUR")


@pytest.mark.parametrize("goods", [
    [line(COAT, "140.00", "EUR")],  # Example 2
    [line(COAT, "120.00", "EUR"), line(T_SHIRT, "20.00", "EUR")],  # Example 3
], ids=["example 2", "example 3"])
def test_examples_2_and_3_transport_is_outside_the_intrinsic_value_but_inside_the_vat(book, goods):
    # intrinsic value 140 EUR with a 15 EUR transport fee: IOSS; VAT 28 + 3 (or 24 + 4 + 3) = 31 EUR on 155 EUR
    quote_ = quote(book, FX, "FR", goods, on=ON, shipping="15.00")
    assert all(ql.rule == "de_minimis" for ql in quote_.lines)
    assert [(t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (money("155.00", "EUR"), money("31.00", "EUR"), "at_sale")]
    assert quote_.landed_cost == money("186.00", "EUR")


def test_example_4_coat_of_160_euros_is_not_a_low_value_consignment(book):
    # over EUR 150: no IOSS; duty 12% x 160 = 19.20 and import VAT 20% x 179.20 = 35.84 at the border
    quote_ = quote(book, FX, "FR", [line(COAT, "160.00", "EUR")], on=ON)
    assert not quote_.de_minimis.duty_applied
    assert (quote_.lines[0].rule, quote_.lines[0].measure, quote_.duty) == ("mfn", "12.0%", money("19.20", "EUR"))
    assert [(t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (money("179.20", "EUR"), money("35.84", "EUR"), "border")]


@pytest.mark.parametrize(("destination", "rate", "vat"), [("DE", "19", "29.45"), ("NL", "21", "32.55")])
def test_example_2_in_germany_and_the_netherlands_at_their_own_rate(book, destination, rate, vat):
    quote_ = quote(book, FX, destination, [line(COAT, "140.00", "EUR")], on=ON, shipping="15.00")
    assert [(t.rate, t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (Decimal(rate), money("155.00", "EUR"), money(vat, "EUR"), "at_sale")]


def test_example_4_with_transport_in_the_netherlands_duty_and_vat_on_the_cif_value(book):
    # 160 EUR coat + 15 EUR transport to the EU border: customs value 175, duty 12% = 21.00, VAT 21% x 196 = 41.16
    quote_ = quote(book, FX, "NL", [line(COAT, "160.00", "EUR")], on=ON, shipping="15.00")
    assert (quote_.customs_value, quote_.duty) == (money("175.00", "EUR"), money("21.00", "EUR"))
    assert [(t.base, t.amount) for t in quote_.taxes] == [(money("196.00", "EUR"), money("41.16", "EUR"))]
    assert quote_.total_duties_and_taxes == money("62.16", "EUR")
