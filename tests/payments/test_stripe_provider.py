"""The Stripe provider against localstripe: PaymentIntents, confirmation, declines, 3-D Secure,
refunds, and signed webhooks — with the ledger balanced after each."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
import requests
from django.test import Client

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from marketplace.services.checkout import order_place
from payments import services
from payments.models import LedgerTransaction, ProviderEvent
from payments.selectors import ledger_check
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(stripe_mode):
    listing = factories.listing(factories.seller())
    buyer = factories.buyer()
    placed = order_place(buyer=buyer, listing_id=listing.pk, quantity=2)
    return placed, placed.checkout.payment


def test_an_order_creates_one_payment_intent_in_the_buyers_currency(order):
    placed, payment = order
    assert payment.provider == "stripe" and payment.provider_id.startswith("pi_")
    assert payment.reference == f"CHK-{placed.pk:06d}"  # a "buy now" order is a checkout of one
    assert payment.currency == "EUR" and payment.total == placed.total
    assert payment.client_secret


def test_a_good_card_captures_into_escrow_once(order, card):
    placed, payment = order
    # when
    paid = services.payment_confirm(payment_id=payment.pk, buyer=placed.buyer, payment_method=card("4242424242424242"))
    services.payment_sync(payment_id=payment.pk)  # a second look changes nothing
    # then
    assert paid.status == "succeeded"
    placed.refresh_from_db()
    assert placed.status == "paid"
    assert LedgerTransaction.objects.filter(kind="payment_captured", reference=payment.reference).count() == 1
    assert ledger_check().ok


def test_a_declined_card_moves_no_money(order, card):
    placed, payment = order
    declined = services.payment_confirm(payment_id=payment.pk, buyer=placed.buyer,
                                        payment_method=card("4000000000000341"))
    assert declined.status == "failed" and "declined" in declined.failure_reason
    assert not LedgerTransaction.objects.exists()
    placed.refresh_from_db()
    assert placed.status == "pending_payment"


def test_3d_secure_waits_for_the_buyer_then_captures(order, card, stripe_mode):
    placed, payment = order
    pending = services.payment_confirm(payment_id=payment.pk, buyer=placed.buyer,
                                       payment_method=card("4000002760003184"))
    assert pending.status == "requires_action"
    assert not LedgerTransaction.objects.exists()
    # the buyer passes the bank's challenge (localstripe's stand-in for Stripe.js)
    requests.post(f"{stripe_mode}/v1/payment_intents/{payment.provider_id}/_authenticate",
                  data={"client_secret": payment.client_secret, "success": "true"}, auth=("sk_test_localstripe", ""),
                  timeout=5).raise_for_status()
    assert services.payment_sync(payment_id=payment.pk).status == "succeeded"
    assert ledger_check().ok


def test_refunds_partial_then_full_and_never_more_than_paid(order, card):
    placed, payment = order
    services.payment_confirm(payment_id=payment.pk, buyer=placed.buyer, payment_method=card("4242424242424242"))
    services.payment_refund(reference=placed.reference, amount=Money(Decimal("1.00"), "EUR"), reason="damaged tin")
    with pytest.raises(ApplicationError) as too_much:
        services.payment_refund(reference=placed.reference, amount=Money(payment.amount, "EUR"), reason="again")
    assert too_much.value.code == "invalid_amount"
    services.payment_refund(reference=placed.reference, reason="order cancelled")
    payment.refresh_from_db()
    assert payment.refunded_amount == payment.amount
    assert ledger_check().ok


def _signed(payload: dict, secret: str, at: int | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    timestamp = at or int(time.time())
    signature = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={signature}"


def _event(event_id: str, intent_id: str, kind: str = "payment_intent.succeeded") -> dict:
    return {"id": event_id, "object": "event", "type": kind, "data": {"object": {"id": intent_id,
                                                                               "object": "payment_intent"}}}


@pytest.mark.parametrize("secret, age", [("whsec_wrong", 0), ("whsec_test_secret", 3600)])
def test_a_forged_or_stale_webhook_is_refused_and_stores_nothing(stripe_mode, secret, age):
    body, signature = _signed(_event("evt_1", "pi_x"), secret, at=int(time.time()) - age)
    response = Client().post("/payments/webhooks/stripe/", body, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=signature)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert not ProviderEvent.objects.exists()


def test_a_webhook_is_processed_once_however_often_it_comes(order, card, django_capture_on_commit_callbacks):
    placed, payment = order
    services.payment_confirm(payment_id=payment.pk, buyer=placed.buyer, payment_method=card("4242424242424242"))
    body, signature = _signed(_event("evt_2", payment.provider_id), "whsec_test_secret")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = client.post("/payments/webhooks/stripe/", body, content_type="application/json",
                            HTTP_STRIPE_SIGNATURE=signature)
        replay = client.post("/payments/webhooks/stripe/", body, content_type="application/json",
                             HTTP_STRIPE_SIGNATURE=signature)
    assert first.json() == {"received": True, "duplicate": False}
    assert replay.json() == {"received": True, "duplicate": True}
    assert len(callbacks) == 1
    services.provider_event_process(event_pk=ProviderEvent.objects.get().pk)  # the worker's step, run here
    assert ProviderEvent.objects.get().processed_at is not None
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1


def test_a_late_failure_event_does_not_undo_a_success(order, card):
    placed, payment = order
    services.payment_confirm(payment_id=payment.pk, buyer=placed.buyer, payment_method=card("4242424242424242"))
    body, signature = _signed(_event("evt_3", payment.provider_id, "payment_intent.payment_failed"),
                              "whsec_test_secret")
    Client().post("/payments/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)
    services.provider_event_process(event_pk=ProviderEvent.objects.get().pk)
    payment.refresh_from_db()
    assert payment.status == "succeeded"
