"""Stripe Connect (Express onboarding, transfers) at the HTTP boundary of the stripe library:
localstripe lacks Connect, so a small fake of those endpoints records what the library sends."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from accounts.selectors import company_of
from ewtp.exceptions import Conflict
from marketplace.services.checkout import order_place
from payments import services
from payments.models import Payout, SellerAccount
from payments.selectors import ledger_check
from tests import factories

pytestmark = pytest.mark.django_db


class FakeConnect(BaseHTTPRequestHandler):
    requests: list = []
    payouts_enabled = False

    def _reply(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):  # noqa: N802 (http.server's naming)
        form = parse_qs(self.rfile.read(int(self.headers["Content-Length"] or 0)).decode())
        FakeConnect.requests.append((self.path, form, self.headers.get("Idempotency-Key")))
        if self.path == "/v1/accounts":
            self._reply({"id": "acct_seller1", "object": "account", "details_submitted": False,
                         "payouts_enabled": False})
        elif self.path == "/v1/account_links":
            self._reply({"object": "account_link", "url": "https://connect.stripe.com/setup/e/acct_seller1/x"})
        elif self.path == "/v1/transfers":
            self._reply({"id": f"tr_{len(FakeConnect.requests)}", "object": "transfer",
                         "amount": int(form["amount"][0]), "currency": form["currency"][0]})

    def do_GET(self):  # noqa: N802
        self._reply({"id": "acct_seller1", "object": "account", "details_submitted": FakeConnect.payouts_enabled,
                     "payouts_enabled": FakeConnect.payouts_enabled})

    def log_message(self, *args):
        pass


@pytest.fixture
def connect_api():
    FakeConnect.requests, FakeConnect.payouts_enabled = [], False
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeConnect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_escrow_is_transferred_to_the_onboarded_seller_once(stripe_mode, card, settings, connect_api):
    # given a paid Stripe order (on localstripe) and a seller company
    seller = factories.seller()
    buyer = factories.buyer()
    order = order_place(buyer=buyer, listing_id=factories.listing(seller).pk, quantity=2)
    payment = order.checkout.payment
    services.payment_confirm(payment_id=payment.pk, buyer=buyer, payment_method=card("4242424242424242"))
    settings.STRIPE_API_BASE = connect_api  # Connect calls go to the fake from here on
    company = company_of(seller)

    # when the seller onboards: one Express account, a Stripe-hosted link
    link = services.seller_account_onboarding_link(company_id=company.pk, country="CN", email=seller.email,
                                                   return_url="https://x/r", refresh_url="https://x/f")
    services.seller_account_onboarding_link(company_id=company.pk, country="CN", email=seller.email,
                                            return_url="https://x/r", refresh_url="https://x/f")
    assert link.startswith("https://connect.stripe.com/")
    assert [path for path, _, _ in FakeConnect.requests].count("/v1/accounts") == 1

    # then escrow is not released before onboarding is complete ...
    with pytest.raises(Conflict) as not_ready:
        services.escrow_release(reference=order.reference, company_id=company.pk, seller_currency="CNY")
    assert not_ready.value.code == "seller_not_onboarded"
    assert not Payout.objects.exists()

    # ... and once it is, one transfer of the net share, with an idempotency key
    FakeConnect.payouts_enabled = True
    assert services.seller_account_refresh(company_id=company.pk).payouts_enabled
    payout = services.escrow_release(reference=order.reference, company_id=company.pk, seller_currency="CNY")
    services.escrow_release(reference=order.reference, company_id=company.pk, seller_currency="CNY")
    transfers = [(form, key) for path, form, key in FakeConnect.requests if path == "/v1/transfers"]
    assert len(transfers) == 1
    form, key = transfers[0]
    assert key == f"transfer:{order.reference}" and form["destination"] == ["acct_seller1"]
    assert form["transfer_group"] == [payment.reference]  # the checkout's one charge
    assert form["currency"] == ["eur"] and int(form["amount"][0]) < int(payment.amount * 100)
    assert payout.status == "transferred" and payout.provider_id.startswith("tr_")
    assert SellerAccount.objects.get(company_id=company.pk).stripe_account_id == "acct_seller1"
    assert ledger_check().ok
