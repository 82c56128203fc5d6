"""Published worked examples, quoted through the API exactly as a client would ask. The other destinations'
examples are in tests/customs/golden/, one file per destination."""

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


def test_us_china_origin_mfn_plus_section_301_and_ieepa_duties():
    """HTS 6109.10.00.40 MFN 16.5% + USTR Section 301 List 4A 7.5% + IEEPA fentanyl duty 10% (EO 14195 as
    reduced from 10 Nov 2025) + IEEPA reciprocal 10% (EO 14257), sources in customs/data/tariffs/: USD 100 of
    Chinese cotton T-shirts -> USD 44.00 duty. Worked by hand from those rates, not an authority's example."""
    body = {"origin": "CN", "destination": "US", "date": "2026-01-15",
            "lines": [{"hs_code": "6109100040", "quantity": 1, "unit_value": m("100.00", "USD"), "net_weight_kg": "1"}]}
    answer = quote(body)
    assert answer["duty"] == m("44.00", "USD")
    assert answer["de_minimis"]["duty_applied"] is False  # suspended from 29 August 2025


def test_a_us_quote_before_the_us_tariff_held_is_refused_with_the_range():
    # the HTSUS held starts with 2025 Revision 13 (22 Apr 2025): an earlier date is not quoted
    body = {"origin": "CN", "destination": "US", "date": "2025-04-21",
            "lines": [{"hs_code": "6109100040", "quantity": 1, "unit_value": m("100.00", "USD"), "net_weight_kg": "1"}]}
    response = APIClient().post("/api/v1/customs/landed-cost/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_date", "date")
    assert "2025-04-22 onwards" in error["message"]
