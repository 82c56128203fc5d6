"""Trade finance end to end, through the API with a real Celery worker (and beat): a seller with a
delivered order behind it asks for an advance against a new paid order, accepts the offer and is paid
out at once; the order ships, clears, is delivered, and its escrow release repays the advance first,
the seller getting the rest. The ledger proves it all at the end."""

from decimal import Decimal

import pytest

from accounts.selectors import company_of
from payments.models import LedgerTransaction, Payout
from payments.selectors import account_balances, ledger_check
from tests import factories
from tests.conftest import wait_for
from tests.factories import api_client as client_for
from tests.finance.conftest import backdate
from tests.journey.test_trade_journey import buy_now, order_status

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]


def test_an_advance_is_paid_out_and_repaid_from_the_escrow_release(reference_data, celery_worker_process):
    # given a verified tea seller, on the platform for a year, with one order of ten tins delivered and paid out
    seller, buyer = factories.seller(), factories.buyer(country="DE")
    backdate(seller, days=365)
    listing = factories.listing(seller)
    first = buy_now(buyer, listing.pk, 10)
    assert client_for(seller).post(f"/api/v1/orders/{first['id']}/book-shipment/").status_code == 202
    wait_for(lambda: order_status(first["id"]) == "completed", what="the first order to complete")

    # and a new paid order of six tins, its money in escrow
    order = buy_now(buyer, listing.pk, 6)
    assert order_status(order["id"]) == "paid"

    # when the seller asks for an offer against it, it is shown its limit, the order's rate and the fee
    seller_api = client_for(seller)
    limit = seller_api.get("/api/v1/finance/limit/").json()
    assert Decimal(limit["limit"]["amount"]) > 0 and limit["history"]["delivered_orders"] == 1
    offer = seller_api.post("/api/v1/finance/offers/", {"orders": [order["id"]]}, format="json").json()
    assert offer["orders"][0]["stage"] == "in_escrow" and offer["orders"][0]["rate"] == "0.50"
    release = Decimal(offer["orders"][0]["base"]["amount"])  # what the order's release will pay the seller

    # and accepts all of it: it is paid out at once, less the fee, and owes the whole advance
    accepted = seller_api.post(f"/api/v1/finance/offers/{offer['id']}/accept/",
                               {"amount": offer["maximum"]}, format="json")
    assert accepted.status_code == 201, accepted.json()
    advance = accepted.json()
    owed = Decimal(advance["amount"]["amount"])
    assert Decimal(advance["paid_out"]["amount"]) == owed - Decimal(advance["fee"]["amount"])
    assert LedgerTransaction.objects.filter(kind="advance_paid_out", reference=advance["reference"]).exists()

    # then the order ships, clears customs, is delivered; its escrow release repays the advance first
    assert seller_api.post(f"/api/v1/orders/{order['id']}/book-shipment/").status_code == 202
    wait_for(lambda: order_status(order["id"]) == "completed", what="the financed order to complete")
    repaid = seller_api.get(f"/api/v1/finance/advances/{advance['id']}/").json()
    assert repaid["status"] == "repaid" and repaid["outstanding"]["amount"] == "0.00"
    assert [h["kind"] for h in repaid["history"]] == ["paid_out", "repaid"]
    assert repaid["history"][1]["order"] == order["reference"]

    # and the seller is paid what is left of the release
    payout = Payout.objects.get(reference=order["reference"])
    assert payout.currency == "CNY" and payout.amount == release - owed
    balances = {row["account"]: row["balance"] for row in account_balances(prefix="")
                if row["currency"] == "CNY"}
    assert balances[f"advances_receivable:{company_of(seller).pk}"] == 0
    assert balances[f"seller_payable:{company_of(seller).pk}"] == 0
    assert balances["finance_fees"] == -Decimal(advance["fee"]["amount"])
    report = ledger_check()
    assert report.ok, report.problems
