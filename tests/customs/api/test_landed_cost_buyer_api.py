"""POST /api/v1/customs/landed-cost/ with "buyer": a consumer into China gets the cross-border e-commerce channel."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

URL = "/api/v1/customs/landed-cost/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def a_body(**top):
    return {"origin": "JP", "destination": "CN", "date": "2026-01-15", "currency": "CNY", **top,
            "lines": [{"hs_code": "6109100000", "quantity": 1, "unit_value": {"amount": "1000.00", "currency": "CNY"},
                       "net_weight_kg": "0.5"}]}


@pytest.mark.django_db
def test_consumer_buyer_gets_cbec_and_a_bad_buyer_is_a_400():
    consumer = APIClient().post(URL, a_body(buyer="consumer"), format="json")
    assert consumer.status_code == 200, consumer.json()
    assert consumer.json()["taxes"][0]["amount"] == {"amount": "91.00", "currency": "CNY"}
    business = APIClient().post(URL, a_body(buyer="business"), format="json")
    assert business.json()["taxes"][0]["rate"] != consumer.json()["taxes"][0]["rate"]
    bad = APIClient().post(URL, a_body(buyer="shop"), format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "buyer"
