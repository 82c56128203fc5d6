"""Disputes, checkouts held for compliance and buyer-seller messages tell their people too: the other party of
a dispute at each step, the buyer of a held checkout when it is held, cleared or refused, the other side of a
thread when a message is posted (in each recipient's language)."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.selectors import company_of
from conversations.services import message_post
from disputes.services import dispute_answer, dispute_decide, dispute_open
from marketplace.models import ComplianceHold
from marketplace.services.checkout import order_place
from marketplace.services.compliance import compliance_hold_clear, compliance_hold_refuse
from notifications.services import notification_email_send
from tests import factories
from tests.finance.conftest import deliver, paid_order
from tests.notifications.conftest import told

pytestmark = pytest.mark.django_db
DENIED_PERSON = "Oleg Vladimirovich Deripaska"  # on the shipped OFAC SDN list (entry 24283)


def test_a_dispute_tells_the_seller_then_the_buyer_then_both(reference_data, django_capture_on_commit_callbacks):
    seller, buyer = factories.seller(), factories.buyer()
    buyer.language = "zh-hans"
    buyer.save(update_fields=["language"])
    order = deliver(seller, paid_order(seller, buyer))
    with django_capture_on_commit_callbacks(execute=True):
        dispute = dispute_open(buyer=buyer, order_id=order.pk, reason="damaged", description="Crushed tins.")
    (opened,) = told(seller, "dispute_opened")
    assert opened.url == f"/disputes/{dispute.pk}/" and opened.context["reference"] == order.reference
    assert not told(buyer, "dispute_opened")
    with django_capture_on_commit_callbacks(execute=True):
        dispute_answer(user=seller, dispute_id=dispute.pk, answer="Packed well.")
    assert told(buyer, "dispute_answered") and not told(seller, "dispute_answered")
    with django_capture_on_commit_callbacks(execute=True):
        dispute_decide(staff=factories.dispute_staff(), dispute_id=dispute.pk, outcome="reject",
                       note="The photos show no damage.")
    assert told(buyer, "dispute_decided") and told(seller, "dispute_decided")
    # the buyer reads it in Chinese
    assert notification_email_send(notification_id=told(buyer, "dispute_decided")[0].pk) == "sent"
    assert "争议" in mail.outbox[-1].subject and mail.outbox[-1].to == [buyer.email]


def test_a_held_checkout_tells_its_buyer_when_held_and_when_cleared(reference_data, django_capture_on_commit_callbacks):
    buyer = factories.buyer(country="GB", currency="GBP", full_name=DENIED_PERSON)
    tea = factories.listing(factories.seller())
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(buyer=buyer, listing_id=tea.pk, quantity=2)
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    (held,) = told(buyer, "checkout_held")
    assert held.url == f"/checkout/{order.checkout.reference}/"
    assert not told(buyer, "order_placed")  # its orders are placed when cleared
    with django_capture_on_commit_callbacks(execute=True):
        compliance_hold_clear(staff=factories.compliance(), hold_id=hold.pk, reason="Different person.")
    assert told(buyer, "checkout_hold_cleared") and not told(buyer, "checkout_hold_refused")


def test_a_refused_checkout_tells_its_buyer(reference_data, django_capture_on_commit_callbacks):
    buyer = factories.buyer(country="GB", currency="GBP", full_name=DENIED_PERSON)
    order = order_place(buyer=buyer, listing_id=factories.listing(factories.seller()).pk, quantity=1)
    hold = ComplianceHold.objects.get(checkout_id=order.checkout_id)
    with django_capture_on_commit_callbacks(execute=True):
        compliance_hold_refuse(staff=factories.compliance(), hold_id=hold.pk, reason="The listed person.")
    assert told(buyer, "checkout_hold_refused")


def test_a_message_tells_the_other_side_of_the_thread(reference_data, django_capture_on_commit_callbacks):
    seller, buyer = factories.seller(), factories.buyer()
    order = paid_order(seller, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        message_post(user=buyer, kind="order", object_id=order.pk, body="Can you ship before Friday?")
    (posted,) = told(seller, "message_posted")
    assert posted.url == f"/messages/orders/{order.pk}/" and "Friday" in posted.context["excerpt"]
    assert not told(buyer, "message_posted")
    with django_capture_on_commit_callbacks(execute=True):
        message_post(user=seller, kind="order", object_id=order.pk, body="Yes, on Thursday.")
    assert told(buyer, "message_posted") and company_of(seller) is not None
