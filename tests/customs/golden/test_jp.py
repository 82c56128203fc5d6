"""Japan: Japan Customs' own worked example, on the national tariff (実行関税率表).

Japan Customs, Customs Answer 1111 'Calculation Method of Amount of Tariff Duty, Consumption Tax, etc'
(customs.go.jp/english/c-answer_e/imtsukan/1111_e.htm; its chart as reproduced in scribd.com/document/533923890,
the 7.8% + 2.2% consumption tax in force from 1 October 2019):

  A: CIF 534,795 yen, tariff 14%, consumption tax 7.8% (standard): 534,000 yen x 0.14 = 74,760 yen;
     tax base 609,495 yen -> 609,000 yen x 0.078 = 47,502 yen; local consumption tax 47,500 x 22/78 = 13,397 yen.
  B: CIF 126,258 yen, tariff 14%, consumption tax 6.24% (reduced): 126,000 yen x 0.14 = 17,640 yen;
     tax base 143,858 yen -> 143,000 yen x 0.0624 = 8,923 yen; local 8,900 x 22/78 = 2,510 yen.
  Totals: tariff duty 92,400 yen; consumption tax 56,425 -> 56,400 yen; local consumption tax 15,907 -> 15,900 yen.

The example names no goods: A runs on 4202.21.110 (handbags with an outer surface of leather, WTO 14%, standard
rate) and B on 2005.51.110 (prepared beans, 14%, a food at the reduced rate), both from Brazil (no agreement
with Japan), so the book's 14% lines and the 10%/8% consumption tax split are the example's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.customs.golden.conftest import fx_of, line, m, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"JPY": "1"})


def the_1111_example(book):
    return quote(book, FX, "JP", [line("420221110", "534795", "JPY", origin="BR", description="A"),
                                  line("200551110", "126258", "JPY", origin="BR", description="B")], on=ON)


def test_japan_customs_1111_cif_value_rates_and_the_duty_inclusive_tax_base(book):
    """Customs Answer 1111 line by line: CIF values, 14% duty on the value cut to the 1,000 yen below, the
    standard and reduced consumption tax rates, each on CIF + its line's duty cut to 100 yen (Consumption Tax
    Act art. 28(4)), the sum cut to the 1,000 yen below (Act on General Rules for National Taxes art. 118(1))."""
    # when
    quote_ = the_1111_example(book)

    # then each line is valued CIF and carries the example's 14% on 534,000 and 126,000 yen
    assert [(ql.customs_value, ql.measure, ql.rule, ql.duty) for ql in quote_.lines] == [
        (money("534795", "JPY"), "14.00%", "mfn", money("74760", "JPY")),
        (money("126258", "JPY"), "14.00%", "mfn", money("17640", "JPY"))]
    assert quote_.customs_value == money("661053", "JPY")
    # consumption tax (national + local) at 10% standard and 8% reduced, on 609,495 -> 609,000 and
    # 143,858 -> 143,000 yen
    assert [(t.rate, t.base) for t in quote_.taxes] == [(Decimal("10"), money("609000", "JPY")),
                                                        (Decimal("8"), money("143000", "JPY"))]
    # and the explanation gives the example's national and local figures for line A
    assert any("609,495" in s and "47,502" in s and "13,397" in s for s in quote_.explanation), quote_.explanation


def test_japan_customs_1111_amounts_as_assessed(book):
    """Customs Answer 1111's totals: tariff duty 92,400 yen; consumption tax 56,425 -> 56,400 + local
    consumption tax 15,907 -> 15,900 = 72,300 yen (Act on General Rules for National Taxes art. 119(1))."""
    quote_ = the_1111_example(book)
    assert quote_.duty == money("92400", "JPY")
    assert sum(t.amount.amount for t in quote_.taxes) == Decimal("72300")
    assert quote_.total_duties_and_taxes == money("164700", "JPY")


def test_preference_claimed_under_cptpp_into_japan(api_quote):
    """Not an authority's example: green tea (0902.10.000, WTO 17%) from Viet Nam with the CPTPP preference
    claimed (CPTPP 0.00% in the national tariff), quoted through the API: no duty, consumption tax at the 8%
    reduced rate for food on the CIF value of 100,000 yen: national 6.24% = 6,240 -> 6,200 yen, local 22/78 of
    6,200 = 1,748 -> 1,700 yen, JPY 7,900."""
    body = {"origin": "VN", "destination": "JP", "date": "2026-01-15",
            "lines": [{"hs_code": "0902100000", "quantity": 1, "unit_value": m("100000", "JPY"), "net_weight_kg": "2",
                       "claim_preference": True,
                           "origin_declaration": {"ex_works_price": "90000", "wholly_obtained": True}}]}
    answer = api_quote(body)
    assert answer["lines"][0]["rule"] == "preference:CPTPP"
    assert answer["duty"] == m("0", "JPY")
    assert answer["taxes"][0]["rate"] == "8" and answer["taxes"][0]["amount"] == m("7900", "JPY")
