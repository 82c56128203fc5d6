"""Korea: the Korea Customs Service's duty example, and the list-clearance de minimis.

Korea Customs Service, 통관정보의 문 (customs information portal), as quoted by AK Woongjin Customs
(akcustoms.com, '수입시의 관세 내국세의 세액계산', 21 April 2021): '관세는 운임·보험료포함조건(CIF)가격에 수입신고일의
과세환율을 적용한 금액에 해당 물품의 관세율을 곱해 산출 ... 예시: 가격 CIF US$1,000, 과세환율 1,200원/$, 관세율 8%(해당 품목)인
경우 CIF $1,000 x 1,200원 x 8% = 96,000원' (duty is the CIF price at the customs exchange rate of the day of
declaration times the line's rate: CIF US$1,000 at KRW 1,200/$ and 8% -> KRW 96,000). VAT on imports is charged
on the customs value + duty + other taxes (VAT Act art. 29(2)).

The book holds no Korean tariff lines, so every Korean duty is manual assessment: the tests check the example's
CIF value in won, that the line is sent to manual assessment rather than guessed, and that VAT is charged on what
is known (a floor until the duty is assessed)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.customs.golden.conftest import fx_of, line, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"USD": "1", "KRW": "1200"})  # KRW 1,200 per US$


def test_kcs_cif_1000_dollars_at_1200_won(book):
    # given goods of US$1,000 CIF (here US$950 + US$50 freight)
    goods = [line("610910", "950.00", "USD", origin="CN")]

    # when quoted in won
    quote_ = quote(book, FX, "KR", goods, on=ON, shipping="50.00", currency="KRW")

    # then the dutiable value is the example's CIF US$1,000 x 1,200 = KRW 1,200,000
    assert quote_.customs_value == money("1200000", "KRW")
    # the 8% line is not held: manual assessment (the example's duty would be KRW 96,000), never a guess
    assert quote_.lines[0].rule == "manual_assessment" and quote_.needs_manual_assessment
    # VAT 10% on the customs value (+ the duty, once assessed): at least KRW 120,000
    [vat] = quote_.taxes
    assert (vat.rate, vat.base, vat.amount) == (Decimal("10"), money("1200000", "KRW"), money("120000", "KRW"))


@pytest.mark.parametrize(("origin", "goods", "free"), [
    ("CN", "150.00", True), ("CN", "150.01", False),  # list clearance: US$150 of goods for personal use
    ("US", "200.00", True), ("US", "200.01", False),  # US$200 for goods from the United States (KORUS)
])
def test_kcs_list_clearance_de_minimis_on_the_goods_value(book, origin, goods, free):
    """KCS: personal-use goods of US$150 or less (US$200 from the United States) clear duty- and VAT-free
    (customs/data/regimes/import-regimes.json countries.KR); the test is on the goods' price, international
    freight excluded."""
    quote_ = quote(book, FX, "KR", [line("610910", goods, "USD", origin=origin)], on=ON, shipping="30.00",
                   currency="KRW")
    assert (quote_.de_minimis.duty_applied, quote_.de_minimis.tax_applied) == (free, free)
    assert (quote_.taxes == ()) is free
