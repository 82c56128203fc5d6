"""The conversations API: the two parties only (anyone else 404 in the one error shape), bad input a 400 at
its field, a replay answers 200 with the first message, read markers, and errors in Chinese on request."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Message
from tests import factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


def test_post_read_and_mark_read_over_the_api():
    seller, buyer, order = factories.paid_order(quantity=2)
    url = f"/api/v1/conversations/orders/{order.pk}/"
    buyer_api, seller_api = factories.api_client(buyer), factories.api_client(seller)

    made = buyer_api.post(url + "messages/", {"body": "Invoice please", "client_key": "a1"}, format="json")
    assert made.status_code == 201, made.content
    assert made.json()["author"] == "buyer" and made.json()["mine"] is True
    replay = buyer_api.post(url + "messages/", {"body": "Invoice please", "client_key": "a1"}, format="json")
    assert replay.status_code == 200 and replay.json()["id"] == made.json()["id"]

    upload = SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")
    with_file = seller_api.post(url + "messages/", {"body": "Here it is", "attachment": upload}, format="multipart")
    assert with_file.status_code == 201, with_file.content
    assert buyer_api.get(with_file.json()["attachment"]["url"]).status_code == 200

    thread = buyer_api.get(url).json()
    assert [m["body"] for m in thread["messages"]] == ["Invoice please", "Here it is"]
    assert thread["unread"] == 1
    assert buyer_api.post(url + "read/").json()["last_read_id"] == with_file.json()["id"]
    assert buyer_api.get(url).json()["unread"] == 0


@pytest.mark.parametrize("body, code", [({"body": ""}, "required"), ({"body": "x" * 2001}, "too_long"),
                                        ({"body": ["a list"]}, "required"), ({}, "required")])
def test_bad_bodies_are_a_400_at_the_field_and_change_nothing(body, code):
    seller, buyer, order = factories.paid_order(quantity=2)
    answer = factories.api_client(buyer).post(f"/api/v1/conversations/orders/{order.pk}/messages/", body,
                                              format="json")
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": code, "message": answer.json()["error"]["message"], "field": "body"}}
    assert not Message.objects.exists()


def test_strangers_get_404_in_the_error_shape_and_anonymous_401():
    seller, buyer, order = factories.paid_order(quantity=2)
    stranger = factories.api_client(factories.buyer())
    for url in (f"/api/v1/conversations/orders/{order.pk}/", f"/api/v1/conversations/orders/{order.pk}/read/"):
        answer = stranger.get(url) if url.endswith(f"{order.pk}/") else stranger.post(url)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"
    posted = stranger.post(f"/api/v1/conversations/orders/{order.pk}/messages/", {"body": "hi"}, format="json")
    assert posted.status_code == 404 and not Message.objects.exists()
    assert factories.api_client().get(f"/api/v1/conversations/orders/{order.pk}/").status_code in (401, 403)


def test_an_error_reads_in_chinese_with_accept_language():
    seller, buyer, order = factories.paid_order(quantity=2)
    answer = factories.api_client(buyer).post(f"/api/v1/conversations/orders/{order.pk}/messages/", {"body": " "},
                                              format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert answer.status_code == 400 and answer.json()["error"]["message"] == "请输入消息内容。"
