"""With a real worker: an order placed and paid in the web process is emailed by the worker after commit, once
per person and event, through the file email backend the worker writes into this test's folder."""

from __future__ import annotations

import email
from email.header import decode_header, make_header

import pytest

from notifications.models import Notification
from tests import factories
from tests.conftest import wait_for


@pytest.fixture
def mail_dir(tmp_path, monkeypatch):
    """The worker started after this fixture writes its emails as files here."""
    folder = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    return folder


def written(folder) -> list[email.message.Message]:
    """Every message the file backend wrote (a file holds the messages of one connection, each followed by a
    line of 79 dashes)."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_bytes().split(b"-" * 79):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk.strip()))
    return messages


def subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


@pytest.mark.journey
def test_the_worker_emails_an_order_placed_and_paid_once_after_commit(mail_dir, reference_data,
                                                                        celery_worker_process):
    from marketplace.services.checkout import order_pay, order_place

    # given a seller and a buyer who reads Chinese
    seller, buyer = factories.seller(), factories.buyer(country="GB", currency="GBP")
    buyer.language = "zh-hans"
    buyer.save(update_fields=["language"])
    listing = factories.listing(seller)
    # when the buyer places and pays an order (each service commits its own transaction)
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=6)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    # then the worker sends the five emails (the seller's company verified; placed and paid, to each), and marks
    # each sent
    wait_for(lambda: Notification.objects.filter(email_status="sent").count() >= 5 and len(written(mail_dir)) >= 5,
             timeout=60, what="the worker to send five emails")
    messages = written(mail_dir)
    by_person = {(m["To"], subject(m)) for m in messages}
    assert (seller.email, f"Order {order.reference} placed") in by_person
    assert (seller.email, f"Order {order.reference} paid") in by_person
    assert (buyer.email, f"订单 {order.reference} 已付款") in by_person
    assert (buyer.email, f"订单 {order.reference} 已下单") in by_person
    assert (seller.email, "Hangzhou West Lake Tea Co., Ltd. is verified") in by_person
    assert len(messages) == len(by_person) == Notification.objects.count() == 5  # one per person and event
    assert Notification.objects.filter(recipient=buyer).count() == 2
