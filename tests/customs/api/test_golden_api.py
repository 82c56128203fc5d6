"""Published worked examples, quoted through the API exactly as a client would ask (the same figures are
checked on the pure engine in tests/customs/domain/test_landed_cost.py)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()


def quote(body):
    response = APIClient().post("/api/v1/customs/landed-cost/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def m(amount, currency):
    return {"amount": amount, "currency": currency}


def test_hmrc_method_customs_value_plus_duty_is_the_vat_value():
    """HMRC: customs value = invoice + freight + insurance to the UK border (Notice 252, 'Valuation of
    imported goods for customs purposes'); import VAT on customs value + duty (VAT Act 1994 s.21(2)). Worked
    by Langdon Systems, 'Calculating customs duty and VAT: how is it done?': invoice £10,000, freight £100,
    insurance £50, duty 10% -> customs value £10,150, duty £1,015 (VAT 20% x £11,165 = £2,233)."""
    body = {"origin": "US", "destination": "GB", "date": "2026-01-15",
            "shipping": m("100.00", "GBP"), "insurance": m("50.00", "GBP"),
            "lines": [{"hs_code": "01012990", "description": "live horse", "quantity": 1,
                       "unit_value": m("10000.00", "GBP"), "net_weight_kg": "500"}]}
    answer = quote(body)
    assert answer["customs_value"] == m("10150.00", "GBP")
    assert answer["duty"] == m("1015.00", "GBP")
    assert answer["taxes"] == [{**answer["taxes"][0], "name": "VAT", "rate": "20", "base": m("11165.00", "GBP"),
                                "amount": m("2233.00", "GBP")}]
    assert answer["total_duties_and_taxes"] == m("3248.00", "GBP")
    assert answer["lines"][0]["rule"] == "mfn" and answer["lines"][0]["measure"] == "10.0%"


def test_hmrc_duty_calculator_vat_on_customs_value_plus_duty():
    """HMRC's own open-source duty calculator (trade-tariff/trade-tariff-duty-calculator,
    spec/services/expression_evaluators/vat_spec.rb): VAT is charged on customs value + duty, '8.00% * £1,030.00'
    for a customs value of £30 and £1,000 duty. Same base here at the UK's 20%: T-shirts (UKGT 12%) worth
    £200 + £20 freight + £10 insurance = £230 customs value, duty £27.60, VAT 20% x £257.60 = £51.52."""
    body = {"origin": "CN", "destination": "GB", "date": "2026-01-15",
            "shipping": m("20.00", "GBP"), "insurance": m("10.00", "GBP"),
            "lines": [{"hs_code": "6109100010", "quantity": 40, "unit_value": m("5.00", "GBP"), "net_weight_kg": "8"}]}
    answer = quote(body)
    assert (answer["customs_value"], answer["duty"]) == (m("230.00", "GBP"), m("27.60", "GBP"))
    assert (answer["taxes"][0]["base"], answer["taxes"][0]["amount"]) == (m("257.60", "GBP"), m("51.52", "GBP"))


def test_abf_value_of_the_taxable_importation():
    """Australian Customs and Border Protection Service, 'How is duty and GST calculated?'
    (customs.gov.au/site/page5549, as quoted in customs/data/regimes/import-regimes.json): customs value
    A$1,200, duty 5% = A$60, international transport and insurance A$150, VoTI = A$1,410, GST 10% = A$141,
    total payable A$201. The example names no goods: T-shirts carry the 5% general rate."""
    body = {"origin": "CN", "destination": "AU", "date": "2026-01-15", "shipping": m("150.00", "AUD"),
            "lines": [{"hs_code": "610910", "quantity": 1, "unit_value": m("1200.00", "AUD"), "net_weight_kg": "3"}]}
    answer = quote(body)
    assert answer["customs_value"] == m("1200.00", "AUD")  # FOB: transport is not dutiable in Australia
    assert answer["duty"] == m("60.00", "AUD")
    assert (answer["taxes"][0]["name"], answer["taxes"][0]["base"], answer["taxes"][0]["amount"]) == (
        "GST", m("1410.00", "AUD"), m("141.00", "AUD"))
    assert answer["total_duties_and_taxes"] == m("201.00", "AUD")


def test_the_issue_contract_example():
    body = {"origin": "CN", "destination": "GB", "date": "2026-01-15", "incoterm": "DDP", "currency": "GBP",
            "shipping": m("12.00", "GBP"), "insurance": m("0.00", "GBP"),
            "lines": [{"hs_code": "6109100010", "description": "cotton T-shirt", "quantity": 10,
                       "unit_value": m("5.00", "GBP"), "net_weight_kg": "2.0", "origin": "CN",
                       "claim_preference": False}]}
    answer = quote(body)
    assert answer["landed_cost"] == m("74.40", "GBP") and answer["lines"][0]["rule"] == "de_minimis"


def test_us_china_origin_mfn_plus_section_301_and_ieepa_duties():
    """HTS 6109.10.00.40 MFN 16.5% + USTR Section 301 List 4A 7.5% + IEEPA fentanyl duty 10% (EO 14195 as
    reduced from 10 Nov 2025) + IEEPA reciprocal 10% (EO 14257), sources in customs/data/tariffs/: USD 100 of
    Chinese cotton T-shirts -> USD 44.00 duty. Worked by hand from those rates, not an authority's example."""
    body = {"origin": "CN", "destination": "US", "date": "2026-01-15",
            "lines": [{"hs_code": "6109100040", "quantity": 1, "unit_value": m("100.00", "USD"), "net_weight_kg": "1"}]}
    answer = quote(body)
    assert answer["duty"] == m("44.00", "USD")
    assert answer["de_minimis"]["duty_applied"] is False  # suspended from 29 August 2025


def test_preference_claimed_under_cptpp_into_japan():
    body = {"origin": "VN", "destination": "JP", "date": "2026-01-15",
            "lines": [{"hs_code": "0902100000", "quantity": 1, "unit_value": m("100000", "JPY"), "net_weight_kg": "2",
                       "claim_preference": True}]}
    answer = quote(body)
    assert answer["lines"][0]["rule"] == "preference:CPTPP"
    assert answer["duty"] == m("0", "JPY")
    assert answer["taxes"][0]["rate"] == "8" and answer["taxes"][0]["amount"] == m("8000", "JPY")
