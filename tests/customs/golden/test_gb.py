"""Great Britain: HMRC's method and HMRC's own duty calculator, on the UK Global Tariff.

Customs value = invoice + freight + insurance to the UK border (HMRC Notice 252, 'Valuation of imported goods
for customs purposes, VAT and trade statistics', GOV.UK, last updated 31 December 2020); import VAT on the
customs value + duty (VAT Act 1994 s.21(2)). No HMRC page found with the search tool works a whole consignment
in figures, so the first example is a customs software vendor's worked one (said so below) and the second
reads HMRC's open-source duty calculator's spec."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from tests.customs.golden.conftest import fx_of, line, m, money, quote

ON = date(2026, 1, 15)
FX = fx_of({"GBP": "0.8"})


def test_langdon_invoice_10000_freight_100_insurance_50_duty_10_percent(book):
    """Langdon Systems, 'Calculating customs duty and VAT: how is it done?' (langdonsystems.com/blog, a widely
    cited worked example of HMRC's method, not HMRC's own): invoice £10,000, freight £100, insurance £50, duty
    10% -> customs value £10,150, duty £1,015; value for VAT = customs value + duty + VAT value adjustment
    (£500, UK-side charges, not part of a quote) -> here VAT 20% x £11,165 = £2,233. The example names no
    goods: live horses carry UKGT 10.0%."""
    # given live horses from the US, freight and insurance to the UK border
    goods = [line("01012990", "10000.00", "GBP", origin="US", kg="500", description="live horse")]

    # when quoted
    quote_ = quote(book, FX, "GB", goods, on=ON, shipping="100.00", insurance="50.00")

    # then
    assert quote_.customs_value == money("10150.00", "GBP")
    assert quote_.duty == money("1015.00", "GBP")
    assert [(t.name, t.rate, t.base, t.amount) for t in quote_.taxes] == [
        ("VAT", Decimal("20"), money("11165.00", "GBP"), money("2233.00", "GBP"))]
    assert quote_.total_duties_and_taxes == money("3248.00", "GBP")
    assert quote_.landed_cost == money("13398.00", "GBP")
    assert quote_.lines[0].rule == "mfn" and quote_.lines[0].measure == "10.0%"
    assert "global-uk-tariff.csv" in quote_.lines[0].source
    assert any("VAT Act 1994 s.21(2)" in sentence for sentence in quote_.explanation)


def test_langdon_example_through_the_api(api_quote):
    """The same example (Langdon Systems, above), quoted through POST /api/v1/customs/landed-cost/."""
    body = {"origin": "US", "destination": "GB", "date": "2026-01-15",
            "shipping": m("100.00", "GBP"), "insurance": m("50.00", "GBP"),
            "lines": [{"hs_code": "01012990", "description": "live horse", "quantity": 1,
                       "unit_value": m("10000.00", "GBP"), "net_weight_kg": "500"}]}
    answer = api_quote(body)
    assert answer["customs_value"] == m("10150.00", "GBP")
    assert answer["duty"] == m("1015.00", "GBP")
    assert answer["taxes"] == [{**answer["taxes"][0], "name": "VAT", "rate": "20", "base": m("11165.00", "GBP"),
                                "amount": m("2233.00", "GBP")}]
    assert answer["total_duties_and_taxes"] == m("3248.00", "GBP")
    assert answer["lines"][0]["rule"] == "mfn" and answer["lines"][0]["measure"] == "10.0%"


def test_hmrc_duty_calculator_vat_on_customs_value_plus_duty(api_quote):
    """HMRC's own open-source duty calculator (github.com/trade-tariff/trade-tariff-duty-calculator,
    spec/services/expression_evaluators/vat_spec.rb): VAT is charged on customs value + duty, '8.00% * £1,030.00'
    for a customs value of £30 and £1,000 duty. The same base at the UK's 20%: T-shirts (UKGT 12%) worth £200 +
    £20 freight + £10 insurance = £230 customs value, duty £27.60, VAT 20% x £257.60 = £51.52 (figures worked
    here from the calculator's rule, not printed by HMRC)."""
    body = {"origin": "CN", "destination": "GB", "date": "2026-01-15",
            "shipping": m("20.00", "GBP"), "insurance": m("10.00", "GBP"),
            "lines": [{"hs_code": "6109100010", "quantity": 40, "unit_value": m("5.00", "GBP"), "net_weight_kg": "8"}]}
    answer = api_quote(body)
    assert (answer["customs_value"], answer["duty"]) == (m("230.00", "GBP"), m("27.60", "GBP"))
    assert (answer["taxes"][0]["base"], answer["taxes"][0]["amount"]) == (m("257.60", "GBP"), m("51.52", "GBP"))


def test_the_api_contract_example_under_135_pounds(book, api_quote):
    """The API contract's own example (not an authority's): 10 T-shirts at £5 + £12 shipping. £50 of goods is
    under the £135 low-value limit (GOV.UK 'VAT and overseas goods sold directly to customers in the UK',
    1 January 2021): no duty, UK supply VAT charged by the seller at the sale on the price incl. delivery,
    20% x £62 = £12.40."""
    # given / when: on the engine
    quote_ = quote(book, FX, "GB", [line("6109100010", "5.00", "GBP", quantity=10, kg="0.5")], on=ON,
                   shipping="12.00")

    # then
    assert quote_.de_minimis.duty_applied and not quote_.de_minimis.tax_applied
    assert quote_.lines[0].rule == "de_minimis"
    assert quote_.duty == money("0.00", "GBP")
    assert [(t.amount, t.collected) for t in quote_.taxes] == [(money("12.40", "GBP"), "at_sale")]
    assert quote_.landed_cost == money("74.40", "GBP")

    # and through the API, as the contract states it
    body = {"origin": "CN", "destination": "GB", "date": "2026-01-15", "incoterm": "DDP", "currency": "GBP",
            "shipping": m("12.00", "GBP"), "insurance": m("0.00", "GBP"),
            "lines": [{"hs_code": "6109100010", "description": "cotton T-shirt", "quantity": 10,
                       "unit_value": m("5.00", "GBP"), "net_weight_kg": "2.0", "origin": "CN",
                       "claim_preference": False}]}
    answer = api_quote(body)
    assert answer["landed_cost"] == m("74.40", "GBP") and answer["lines"][0]["rule"] == "de_minimis"


def test_hmrc_duty_calculator_customs_value_is_goods_plus_shipping_plus_insurance(book):
    """HMRC's duty calculator (github.com/trade-tariff/trade-tariff-duty-calculator,
    spec/services/duty_options/third_country_tariff_spec.rb): monetary value £1,000, shipping cost £40, insurance
    cost £10 -> 'Customs value £1,050.00'; third-country duty '5.0% * £1,050.00' = £52.50. The UK Global Tariff has
    no 5% line (the spec's own commodity is seasonal), so the duty runs on rattan furniture (9403.83, UKGT 4.0%):
    £42.00, and import VAT 20% x (£1,050 + £42) = £218.40."""
    quote_ = quote(book, FX, "GB", [line("94038300", "1000.00", "GBP", kg="30", description="rattan chair")], on=ON,
                   shipping="40.00", insurance="10.00")
    assert quote_.customs_value == money("1050.00", "GBP")
    assert (quote_.lines[0].measure, quote_.duty) == ("4.0%", money("42.00", "GBP"))
    assert [(t.base, t.amount, t.collected) for t in quote_.taxes] == [
        (money("1092.00", "GBP"), money("218.40", "GBP"), "border")]
