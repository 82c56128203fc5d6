"""One PaymentIntent per checkout on Stripe (localstripe): a cart from two sellers is one charge
in the buyer's currency grouped under the checkout's reference; refunds take one order's share
back from that charge; a re-quote changes the intent before the buyer confirms; the pay page
uses Stripe's Payment Element and takes Stripe's word when the buyer comes back."""

from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.test import Client
from django.utils import timezone

from ewtp.fx import fx_rates_store, fx_table
from marketplace.models import Order
from marketplace.services.checkout import QuoteChanged, cart_checkout, checkout_pay, checkout_prepare
from payments import services
from payments.integrations.stripe_gateway import to_minor
from payments.models import LedgerTransaction, Payment
from payments.selectors import ledger_check
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def checkout(stripe_mode):
    """A buyer in Germany checks out tea from China and a batik scarf from Malaysia."""
    tea = factories.listing(factories.seller(), stock=10)
    batik = factories.batik_listing(stock=5)
    buyer = factories.buyer()
    factories.cart_with(buyer, {tea: 3, batik: 1})
    return cart_checkout(buyer=buyer)


def test_a_cart_of_two_sellers_is_one_payment_intent_grouped_by_the_checkout(checkout, card):
    payment = checkout.payment
    intent = stripe.PaymentIntent.retrieve(payment.provider_id)
    assert intent.amount == to_minor(checkout.total) and intent.currency == "eur"
    assert intent.transfer_group == checkout.reference and Payment.objects.count() == 1

    paid = checkout_pay(buyer=payment.buyer, reference=checkout.reference,
                        expected_total=checkout.total, payment_method=card("4242424242424242"))

    assert paid.status == "succeeded"
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert ledger_check().ok


def test_refunding_one_order_takes_its_share_back_from_the_one_charge(checkout, card):
    buyer = checkout.payment.buyer
    checkout_pay(buyer=buyer, reference=checkout.reference, expected_total=checkout.total,
                 payment_method=card("4242424242424242"))
    first, second = checkout.orders
    services.payment_refund(reference=first.reference, amount=first.total * Decimal("0.5"), reason="dented tin")
    services.payment_refund(reference=first.reference, reason="seller cancelled")
    refunds = [r for r in stripe.Refund.list().data if r.payment_intent == checkout.payment.provider_id]
    assert sorted(r.amount for r in refunds) == sorted([to_minor(first.total * Decimal("0.5")),
                                                        to_minor(first.total - (first.total * Decimal("0.5")).rounded())])
    payment = Payment.objects.get()
    assert payment.refunded_amount == first.total_amount
    assert payment.allocations.get(reference=second.reference).refunded_amount == 0
    assert ledger_check().ok


def test_a_requote_changes_the_payment_intent_before_the_buyer_confirms(checkout):
    Order.objects.update(quote_expires_at=timezone.now() - timedelta(minutes=1))
    today = fx_table()
    fx_rates_store(as_of=today.as_of + timedelta(days=1), source="test", rates_per_eur={
        code: rate * Decimal("0.9") if code in ("CNY", "MYR") else rate
        for code, rate in today.rates_per_eur.items() if code != "EUR"})
    with pytest.raises(QuoteChanged):
        checkout_prepare(buyer=checkout.payment.buyer, reference=checkout.reference,
                         expected_total=checkout.total)
    payment = Payment.objects.get()
    assert payment.total > checkout.total
    assert stripe.PaymentIntent.retrieve(payment.provider_id).amount == to_minor(payment.total)
    fx_table.cache_clear()


def test_the_pay_page_uses_stripes_payment_element_and_trusts_stripe_on_return(checkout, card, settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_localstripe"
    buyer, payment = checkout.payment.buyer, checkout.payment
    client = Client()
    client.force_login(buyer)
    url = f"/checkout/{checkout.reference}/"

    # the page mounts Stripe's Payment Element: no card field of ours
    response = client.get(url)
    page = response.content.decode()
    assert '<script src="https://js.stripe.com/v3/"></script>' in page
    assert f'data-client-secret="{payment.client_secret}"' in page and 'data-stripe-key="pk_test_localstripe"' in page
    assert 'name="card_number"' not in page
    # and its policy lets Stripe.js, its frames and its API in: this page's alone
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' https://js.stripe.com https://*.js.stripe.com" in policy
    assert "frame-src https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com" in policy
    assert "connect-src 'self' https://api.stripe.com" in policy and "unsafe-inline" not in policy
    assert 'payment=(self "https://js.stripe.com")' in response["Permissions-Policy"]
    assert "stripe.com" not in client.get("/orders/")["Content-Security-Policy"]

    # before confirming with Stripe, the page asks us: a tampered total is refused, the right one accepted
    tampered = client.post(url, {"expected_amount": "1.00", "expected_currency": "EUR"})
    assert tampered.status_code == 409 and tampered.json()["error"]["code"] == "total_mismatch"
    ready = client.post(url, {"expected_amount": str(payment.amount), "expected_currency": "EUR"})
    assert ready.json() == {"ok": True}

    # Stripe.js confirms with Stripe and sends the buyer back; the page takes Stripe's word
    stripe.PaymentIntent.modify(payment.provider_id, payment_method=card("4242424242424242"))
    stripe.PaymentIntent.confirm(payment.provider_id)
    back = client.get(url, {"payment_intent": payment.provider_id, "redirect_status": "succeeded"})
    assert back.status_code == 302 and back.url == "/orders/"
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}
    assert ledger_check().ok
