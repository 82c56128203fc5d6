"""The seller dashboard says how the company is paid: by the platform on the sandbox, or through
its Stripe Connect (Express) account, which the seller sets up from there; and its recent payouts."""

import socket

import pytest

from accounts.selectors import company_of
from payments import services as payments
from payments.models import SellerAccount
from tests import factories
from tests.payments.test_stripe_connect import FakeConnect, connect_api  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stripe_connect(settings, connect_api):  # noqa: F811 (the imported fixture)
    """The Stripe provider, its Connect endpoints answered by the fake at the library's HTTP boundary."""
    settings.PAYMENT_PROVIDER, settings.STRIPE_SECRET_KEY = "stripe", "sk_test_dashboard"
    settings.STRIPE_API_BASE = connect_api
    return FakeConnect


def _payout_section(client) -> str:
    content = client.get("/sell/").content.decode()
    return content[content.index('data-testid="payouts"'):]


def test_on_the_sandbox_the_platform_records_payouts_and_the_dashboard_lists_them():
    # given a delivered order's escrow released to a Chinese seller
    seller, buyer, order = factories.paid_order(quantity=1, country="DE", currency="EUR")
    payout = payments.escrow_release(reference=order.reference, company_id=company_of(seller).pk, seller_currency="CNY")
    # when the seller opens the dashboard
    section = _payout_section(factories.page_client(seller))
    # then it says who pays out, and shows the payout in yuan; there is nothing to set up
    assert "Payouts are recorded by the platform (sandbox)." in section
    assert order.reference in section and "CNY" in section and payout.get_status_display() in section
    assert "stripe-onboarding" not in section
    assert "stripe.com" not in factories.page_client(seller).get("/sell/")["Content-Security-Policy"]


def test_on_stripe_the_seller_sets_up_payouts_from_the_dashboard(stripe_connect):
    seller = factories.seller()
    client = factories.page_client(seller)
    # given no Stripe account yet: the dashboard offers to set one up, and its policy lets the button's post
    # go on to Stripe's onboarding page
    assert "Set up payouts with Stripe" in _payout_section(client)
    assert "form-action 'self' https://connect.stripe.com" in client.get("/sell/")["Content-Security-Policy"]
    # and Stripe's "link expired" visit before any account changes nothing
    assert client.get("/payments/onboarding/")["Location"] == "/sell/"
    assert stripe_connect.requests == []

    # when the seller presses the button
    response = client.post("/payments/onboarding/")

    # then one Express account is made and the seller goes to Stripe's onboarding, which returns here
    assert response.status_code == 302 and response["Location"].startswith("https://connect.stripe.com/")
    link = next(form for path, form, _ in stripe_connect.requests if path == "/v1/account_links")
    assert link["return_url"] == ["http://testserver/payments/onboarding/return/"]
    assert link["refresh_url"] == ["http://testserver/payments/onboarding/"]
    section = _payout_section(client)
    assert "Continue Stripe onboarding" in section and "not yet" in section

    # when Stripe has what it needs and the seller comes back
    stripe_connect.payouts_enabled = True
    back = client.get("/payments/onboarding/return/", follow=True)

    # then the dashboard says payouts are on, and no second account was made
    assert back.redirect_chain[-1][0] == "/sell/"
    section = _payout_section(client)
    assert "Stripe payouts enabled" in section and "stripe-onboarding" not in section
    assert SellerAccount.objects.get(company_id=company_of(seller).pk).payouts_enabled
    assert [path for path, _, _ in stripe_connect.requests].count("/v1/accounts") == 1


def test_when_stripe_cannot_be_reached_the_seller_is_told_and_no_account_is_recorded(stripe_connect, settings):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        settings.STRIPE_API_BASE = f"http://127.0.0.1:{sock.getsockname()[1]}"
    seller = factories.seller()
    response = factories.page_client(seller).post("/payments/onboarding/", follow=True)
    assert response.redirect_chain[-1][0] == "/sell/"
    assert "Stripe could not start onboarding" in response.content.decode()
    assert not SellerAccount.objects.exists()


def test_only_a_seller_can_start_onboarding(stripe_connect):
    assert factories.page_client(factories.buyer()).post("/payments/onboarding/").status_code == 404
    assert stripe_connect.requests == []
