"""POST /api/v1/customs/landed-cost/ answers in the language the client asks for (Accept-Language)."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

URL = "/api/v1/customs/landed-cost/"


@pytest.fixture(autouse=True)
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def a_body(destination="GB", code="6109100010", amount="500.00"):
    return {"origin": "CN", "destination": destination, "date": "2026-01-15",
            "lines": [{"hs_code": code, "quantity": 1, "unit_value": {"amount": amount, "currency": "GBP"},
                       "net_weight_kg": "0.5"}]}


def test_a_400_reads_in_chinese_with_accept_language_zh_hans():
    # given a quote to a destination no regime is held for, asked in Chinese, then in English
    chinese = APIClient().post(URL, a_body(destination="XX"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = APIClient().post(URL, a_body(destination="XX"), format="json", HTTP_ACCEPT_LANGUAGE="en")

    # then both are the one error shape, with the same code and field, the message in each language
    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["error"]["code"] == english.json()["error"]["code"]
    assert chinese.json()["error"]["field"] == english.json()["error"]["field"] == "destination"
    assert chinese.json()["error"]["message"] == "我们不提供进口至 XX 的报价。"
    assert english.json()["error"]["message"] == "We do not quote imports into XX."


def test_an_unknown_hs_code_reads_in_chinese():
    answer = APIClient().post(URL, a_body(code="0000000000"), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400
    assert answer.json()["error"]["field"] == "lines[0].hs_code"
    assert "不是已知的 HS 编码" in answer.json()["error"]["message"]


def test_the_explanation_reads_in_chinese_over_the_api():
    answer = APIClient().post(URL, a_body(), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 200, answer.content
    explanation = "\n".join(answer.json()["explanation"])
    assert "完税价格" in explanation and "最惠国" in explanation and "进口环节增值税" in explanation
    english = APIClient().post(URL, a_body(), format="json", HTTP_ACCEPT_LANGUAGE="en").json()["explanation"]
    assert any(sentence.startswith("Customs value") for sentence in english)
