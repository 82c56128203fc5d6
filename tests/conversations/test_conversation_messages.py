"""Messages between a buyer and a seller on an order and on an RFQ: the pages, the services' refusals
(empty, huge, wrong owner, replayed: a clear error and nothing changed), attachments and read markers."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conversations.models import Message, ReadMarker, Thread
from conversations.services import message_post
from conversations.signals import message_posted
from ewtp.exceptions import ApplicationError, NotFound
from marketplace.services.rfq import rfq_create
from tests import factories

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def order():
    seller, buyer, order = factories.paid_order(quantity=2)
    return seller, buyer, order


@pytest.fixture
def received():
    got = []

    def receiver(sender, **kwargs):
        got.append(kwargs)

    message_posted.connect(receiver)
    yield got
    message_posted.disconnect(receiver)


def test_buyer_and_seller_talk_on_the_order_page(order, received, django_capture_on_commit_callbacks):
    seller, buyer, order = order
    buyer_page, seller_page = factories.page_client(buyer), factories.page_client(seller)

    # given the order page shows an empty conversation to the buyer
    page = buyer_page.get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="conversation-panel"' in page and 'data-testid="no-messages"' in page

    # when the buyer writes from it
    with django_capture_on_commit_callbacks(execute=True):
        answer = buyer_page.post(f"/messages/orders/{order.pk}/", {"body": "Can you ship by Friday?",
                                                                   "client_key": "k1"})
    assert answer.status_code == 302

    # then the seller sees it, marked new, on the order page and the thread page, and it is read once opened
    assert "Can you ship by Friday?" in seller_page.get(f"/orders/{order.pk}/").content.decode()
    thread_page = seller_page.get(f"/messages/orders/{order.pk}/").content.decode()
    assert 'data-testid="unread"' in thread_page
    assert 'data-testid="unread"' not in seller_page.get(f"/messages/orders/{order.pk}/").content.decode()
    # and the signal went out once, after commit, to the seller's members
    assert len(received) == 1 and received[0]["recipient_ids"] == [seller.pk]
    assert received[0]["author_id"] == buyer.pk

    # when the seller answers, the buyer reads it in Chinese too
    seller_page.post(f"/messages/orders/{order.pk}/", {"body": "Yes, it leaves Thursday.", "client_key": "k2"})
    chinese = buyer_page.get(f"/messages/orders/{order.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Yes, it leaves Thursday." in chinese and "发送消息" in chinese


def test_another_user_gets_404_and_changes_nothing(order):
    seller, buyer, order = order
    stranger = factories.buyer()
    other_seller = factories.seller(legal_name="Other Tea Co.")
    for someone in (stranger, other_seller):
        client = factories.page_client(someone)
        assert client.get(f"/messages/orders/{order.pk}/").status_code == 404
        assert client.post(f"/messages/orders/{order.pk}/", {"body": "hello"}).status_code == 404
        with pytest.raises(NotFound):
            message_post(user=someone, kind="order", object_id=order.pk, body="hello")
    assert factories.page_client(stranger).get("/messages/orders/999999/").status_code == 404
    assert not Message.objects.exists() and not Thread.objects.exists()


@pytest.mark.parametrize("body, code", [("", "required"), ("   \n ", "required"), ("x" * 2001, "too_long")])
def test_empty_or_huge_messages_are_refused_at_the_field(order, body, code):
    seller, buyer, order = order
    with pytest.raises(ApplicationError) as refused:
        message_post(user=buyer, kind="order", object_id=order.pk, body=body)
    assert (refused.value.code, refused.value.field) == (code, "body")
    page = factories.page_client(buyer).post(f"/messages/orders/{order.pk}/", {"body": body})
    assert page.status_code == 400
    assert not Message.objects.exists() and not Thread.objects.exists()


def test_a_replayed_post_returns_the_first_message_and_sends_nothing(order, received,
                                                                     django_capture_on_commit_callbacks):
    seller, buyer, order = order
    with django_capture_on_commit_callbacks(execute=True):
        first = message_post(user=buyer, kind="order", object_id=order.pk, body="Hello", client_key="same")
    with django_capture_on_commit_callbacks(execute=True):
        again = message_post(user=buyer, kind="order", object_id=order.pk, body="Hello", client_key="same")
    assert again.pk == first.pk and Message.objects.count() == 1 and len(received) == 1


def test_attachments_are_typed_by_their_bytes_and_served_to_the_parties_only(order):
    seller, buyer, order = order
    pdf = SimpleUploadedFile("../../spec sheet.pdf", PDF, content_type="application/pdf")
    message = message_post(user=seller, kind="order", object_id=order.pk, body="The spec sheet", attachment=pdf)
    assert message.attachment_kind == "pdf" and message.attachment_name == "spec sheet.pdf"
    assert ".." not in message.attachment.name and "spec" not in message.attachment.name

    download = factories.page_client(buyer).get(f"/messages/attachments/{message.pk}/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]
    assert factories.page_client(factories.buyer()).get(f"/messages/attachments/{message.pk}/").status_code == 404

    fake = SimpleUploadedFile("evil.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(ApplicationError) as refused:
        message_post(user=seller, kind="order", object_id=order.pk, body="Another", attachment=fake)
    assert (refused.value.code, refused.value.field) == ("invalid_file_type", "attachment")
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024), content_type="application/pdf")
    with pytest.raises(ApplicationError) as refused:
        message_post(user=seller, kind="order", object_id=order.pk, body="Big", attachment=big)
    assert refused.value.code == "file_too_large"
    assert Message.objects.count() == 1


def test_rfq_thread_between_the_asking_buyer_and_the_seller():
    seller = factories.seller()
    item = factories.listing(seller)
    buyer = factories.buyer()
    rfq = rfq_create(buyer=buyer, listing_id=item.pk, quantity=500, message="Price for 500?")

    # the buyer writes from the RFQ list's thread, the seller reads it on the answer page
    factories.page_client(buyer).post(f"/messages/rfqs/{rfq.pk}/", {"body": "Also, can you do gift boxes?"})
    answer_page = factories.page_client(seller).get(f"/sell/rfqs/{rfq.pk}/").content.decode()
    assert "Also, can you do gift boxes?" in answer_page
    assert f"/messages/rfqs/{rfq.pk}/" in factories.page_client(buyer).get("/quotations/").content.decode()
    assert factories.page_client(factories.buyer()).get(f"/messages/rfqs/{rfq.pk}/").status_code == 404
    assert ReadMarker.objects.get(user=buyer).last_read_id == Message.objects.get().pk
