"""A buyer whose name is on OFAC's SDN list signs up and checks out in headless Chromium, with Stripe (a
localstripe server) as the payment provider and a real worker running beat: the checkout is held for
compliance before any money is taken — no payment record, no PaymentIntent at Stripe, nothing in the
ledger — and the worker leaves it alone while it cancels an ordinary expired checkout. Compliance staff
find it in their queue with the list entry, clear it, and only then is there a PaymentIntent to pay."""

import re
from datetime import timedelta

import pytest
import stripe
from django.utils import timezone

from accounts.models import User
from accounts.services import profile_update
from marketplace.models import Checkout, ComplianceHold, Order
from marketplace.services.checkout import checkout_pay, order_place
from payments.models import LedgerTransaction, Payment
from payments.selectors import ledger_check
from tests import factories
from tests.browser import log_in
from tests.conftest import wait_for
from tests.payments.conftest import localstripe_url  # noqa: F401  (the fake Stripe server, a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("worker")]

DENIED_PERSON = "Oleg Vladimirovich Deripaska"  # OFAC SDN entry 24283


@pytest.fixture
def stripe_everywhere(monkeypatch, settings, localstripe_url):  # noqa: F811
    """Stripe (localstripe) as the provider of this process, the live server and the worker started after it."""
    values = {"PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": "sk_test_localstripe",
              "STRIPE_API_BASE": localstripe_url, "STRIPE_WEBHOOK_SECRET": "whsec_test_secret"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
        setattr(settings, key, value)
    stripe.api_key, stripe.api_base = values["STRIPE_SECRET_KEY"], localstripe_url
    return localstripe_url


def intents_for(reference: str) -> list:
    return [intent for intent in stripe.PaymentIntent.list(limit=100).auto_paging_iter()
            if intent.to_dict().get("transfer_group") == reference]


def test_a_denied_buyer_is_held_before_any_charge_and_staff_clear_it(stripe_everywhere, page, live_server,
                                                                    reference_data, celery_worker_process):
    base = live_server.url
    tea = factories.listing(factories.seller(), stock=10)
    # an ordinary buyer's checkout left unpaid long past its quote: the worker's beat cancels it
    ordinary = factories.buyer(country="GB", currency="GBP")
    expired = order_place(buyer=ordinary, listing_id=tea.pk, quantity=1)
    Order.objects.filter(pk=expired.pk).update(quote_expires_at=timezone.now() - timedelta(days=1))
    intents_before = len(list(stripe.PaymentIntent.list(limit=100).auto_paging_iter()))

    # the buyer signs up in the browser: the name matches, the sign-up completes, the account is flagged
    page.goto(f"{base}/accounts/signup/")
    page.fill("#id_email", "oleg@buyer.example")
    page.fill("#id_password", factories.PASSWORD)
    page.fill("#id_full_name", DENIED_PERSON)
    page.fill("#id_country", "GB")
    page.select_option("#id_account_type", "buyer")
    page.click("form.form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/profile/$"))
    buyer = User.objects.get(email="oleg@buyer.example")
    assert buyer.screening == "flagged" and buyer.screening_hits[0]["entry_id"] == "24283"
    profile_update(user=buyer, data={"address_line": "1 Strand", "city": "London", "postcode": "WC2N 5HR"})

    # and checks out two tins of tea
    page.goto(f"{base}/listings/{tea.pk}/")
    page.fill("#cart_quantity", "2")
    page.click("[data-testid=add-to-cart]")
    page.wait_for_url(re.compile(r"/cart/$"))
    page.click("[data-testid=checkout]")
    page.wait_for_url(re.compile(r"/checkout/CHK-\d+/$"))

    # the checkout is held: the page says nothing was charged, and offers no way to pay
    assert "Nothing has been charged" in page.locator("[data-testid=compliance-hold]").inner_text()
    assert page.locator("[data-testid=pay]").count() == 0
    held = Order.objects.get(buyer=buyer)
    checkout = Checkout.objects.get(pk=held.checkout_id)
    assert held.status == "compliance_hold" and checkout.payment is None
    # no payment record, nothing captured in the ledger, no PaymentIntent at Stripe
    assert not Payment.objects.filter(buyer=buyer).exists()
    assert not LedgerTransaction.objects.filter(reference__startswith=checkout.reference).exists()
    assert not LedgerTransaction.objects.filter(kind="payment_captured").exists()
    assert intents_for(checkout.reference) == []
    assert len(list(stripe.PaymentIntent.list(limit=100).auto_paging_iter())) == intents_before
    assert ledger_check().ok

    # the worker's beat cancels the expired ordinary checkout and leaves the held one as it is
    wait_for(lambda: Order.objects.get(pk=expired.pk).status == "cancelled", what="the beat to cancel")
    assert Order.objects.get(pk=held.pk).status == "compliance_hold" and Checkout.objects.get(
        pk=checkout.pk).payment is None

    # compliance staff find it in their queue, with the list entry it matched
    staff = factories.compliance()
    log_in(page, base, staff.email)
    page.goto(f"{base}/staff/compliance/")
    row = page.locator("[data-testid=compliance-hold-row]", has_text=checkout.reference)
    assert "24283" in row.inner_text() and "OFAC-SDN" in row.inner_text()
    row.get_by_role("link").click()
    hits = page.locator("[data-testid=screening-hits]").inner_text()
    assert "DERIPASKA, Oleg Vladimirovich" in hits and DENIED_PERSON in hits
    # deciding without a reason is refused at the field, nothing changes
    page.check("input[name=decision][value=clear]")
    page.click("[data-testid=decide]")
    page.wait_for_load_state()
    assert page.locator(".field--invalid").count() >= 1
    assert ComplianceHold.objects.get(checkout=checkout).status == "held"
    # with the reason, it is cleared, and the queue is empty
    page.check("input[name=decision][value=clear]")
    page.fill("#id_reason", "Different person: passport and date of birth checked.")
    page.click("[data-testid=decide]")
    page.wait_for_url(re.compile(r"/staff/compliance/$"))
    assert page.locator("[data-testid=compliance-hold-row]").count() == 0

    # only now is there a PaymentIntent, for the checkout's total; the buyer pays it, the ledger balances
    checkout.refresh_from_db()
    [intent] = intents_for(checkout.reference)
    assert checkout.payment is not None and intent.id == checkout.payment.provider_id
    card = stripe.PaymentMethod.create(type="card", card={"number": "4242424242424242", "exp_month": 12,
                                                          "exp_year": 2030, "cvc": "123"}).id
    paid = checkout_pay(buyer=User.objects.get(pk=buyer.pk), reference=checkout.reference, payment_method=card)
    assert paid.status == "succeeded" and Order.objects.get(pk=held.pk).status == "paid"
    assert LedgerTransaction.objects.filter(kind="payment_captured").count() == 1
    assert ledger_check().ok
