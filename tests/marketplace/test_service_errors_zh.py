"""Service refusals read in the client's language: the same code and field, the message in Chinese when
the request asks for zh-hans (Accept-Language), in English otherwise."""

from __future__ import annotations

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_an_rfq_below_the_listed_tiers_is_refused_in_chinese():
    seller = factories.seller()
    item = factories.listing(seller, moq=10)
    client = factories.api_client(factories.buyer())

    chinese = client.post("/api/v1/rfqs/", {"listing": item.pk, "quantity": 5}, format="json",
                          HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = client.post("/api/v1/rfqs/", {"listing": item.pk, "quantity": 5}, format="json",
                          HTTP_ACCEPT_LANGUAGE="en")

    assert chinese.status_code == english.status_code == 400
    assert chinese.json()["error"] == {"code": "below_tiers", "field": "quantity",
                                       "message": "标价适用于最多 10 件；请询价超过 10 件的数量，或直接加入购物车。"}
    assert english.json()["error"]["message"] == ("Listed prices cover up to 10 units; ask for more than 10, or add "
                                                  "it to your cart.")


def test_the_rfq_page_shows_the_refusal_in_chinese():
    seller = factories.seller()
    item = factories.listing(seller, moq=10)
    client = factories.page_client(factories.buyer())
    answer = client.post(f"/listings/{item.pk}/rfq/", {"quantity": 5}, HTTP_ACCEPT_LANGUAGE="zh-hans", follow=True)
    assert "标价适用于最多 10 件" in answer.content.decode()
