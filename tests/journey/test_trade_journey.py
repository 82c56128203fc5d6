"""The whole trade journey through the API, with a real Celery worker (and beat) on the
configured broker: list → quote → order → pay → book → clear (hold → release) → deliver → payout."""

import pytest
from rest_framework.test import APIClient

from customs.models import ClearanceCase
from marketplace.models import Order
from payments.models import Payout
from payments.selectors import ledger_check
from tests import factories
from tests.conftest import wait_for
from tests.factories import api_client as client_for

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]



def order_status(order_id: int) -> str:
    return Order.objects.get(pk=order_id).status


def test_a_held_shipment_is_released_by_an_officer_and_the_seller_is_paid(reference_data, celery_worker_process):
    # given a verified seller in China, a buyer in Germany and a customs officer
    seller, buyer, officer = factories.seller(), factories.buyer(country="DE"), factories.officer()
    listing = client_for(seller).post("/api/v1/listings/", {
        "title_en": "Longjing green tea 250 g", "title_zh": "龙井绿茶", "hs_code": "090210", "origin_country": "CN",
        "price_amount": "168.00", "stock": 20, "weight_kg": "0.350", "publish": True}, format="json").json()

    # when the buyer finds it with a landed cost in euros, orders and pays
    catalog = APIClient().get("/api/v1/catalog/?q=green tea&country=DE").json()
    card = next(r for r in catalog["results"] if r["id"] == listing["id"])
    assert card["landed_cost"]["currency"] == "EUR"
    # (six tins are worth about 120 EUR: above the worker's 100 EUR review threshold)
    order = client_for(buyer).post("/api/v1/orders/", {"listing": listing["id"], "quantity": 6},
                                   format="json").json()
    paid = client_for(buyer).post(f"/api/v1/orders/{order['id']}/pay/", {"card_number": "4242 4242 4242 4242"},
                                  format="json")
    assert paid.json()["status"] == "succeeded"
    assert order_status(order["id"]) == "paid"

    # and the seller books the shipment, which the worker books with the carrier and declares
    booked = client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/")
    assert booked.status_code == 202
    case = wait_for(lambda: ClearanceCase.objects.filter(shipment_reference=order["reference"], status="held").first(),
                    what="the clearance case to be held")
    assert {f.kind for f in case.findings.all()} == {"high_value"}

    # then the hold waits for an officer: a buyer may not release it, the officer does
    assert client_for(buyer).post(f"/api/v1/customs/cases/{case.pk}/release/").status_code == 403
    holds = client_for(officer).get("/api/v1/customs/cases/").json()["results"]
    assert [h["shipment_reference"] for h in holds] == [order["reference"]]
    released = client_for(officer).post(f"/api/v1/customs/cases/{case.pk}/release/", {"note": "Invoice checked."},
                                        format="json")
    # (the officer's release lodges the declaration with the customs authority, which answers later)
    assert released.json()["status"] == "submitted"

    # and the parcel is delivered, escrow released, and the seller paid in yuan, once
    wait_for(lambda: order_status(order["id"]) == "completed", what="the order to complete")
    payout = Payout.objects.get(reference=order["reference"])
    assert payout.currency == "CNY" and payout.amount > 0
    report = ledger_check()
    assert report.ok, report.problems


def test_a_rejected_shipment_refunds_the_buyer(reference_data, celery_worker_process):
    # given a paid order whose value asks for a human look
    seller, buyer, officer = factories.seller(), factories.buyer(), factories.officer()
    listing = factories.listing(seller)
    order = client_for(buyer).post("/api/v1/orders/", {"listing": listing.pk, "quantity": 8}, format="json").json()
    client_for(buyer).post(f"/api/v1/orders/{order['id']}/pay/", {"card_number": "4242424242424242"}, format="json")
    client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/")
    case = wait_for(lambda: ClearanceCase.objects.filter(shipment_reference=order["reference"], status="held").first(),
                    what="the hold")

    # when the officer rejects it without a reason, nothing happens; with one, it is rejected
    no_reason = client_for(officer).post(f"/api/v1/customs/cases/{case.pk}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    client_for(officer).post(f"/api/v1/customs/cases/{case.pk}/reject/", {"reason": "Goods not as declared."},
                             format="json")

    # then the buyer is refunded in full and the ledger balances
    assert order_status(order["id"]) == "refunded"
    from payments.models import Payment

    payment = Payment.objects.get(reference=order["reference"])
    assert payment.refunded_amount == payment.amount
    assert ledger_check().ok


def test_a_low_value_shipment_is_released_without_a_human_and_delivered(reference_data, celery_worker_process):
    # given a paid order of one tin (about 20 EUR)
    seller, buyer = factories.seller(), factories.buyer(country="GB", currency="GBP")
    listing = factories.listing(seller)
    order = client_for(buyer).post("/api/v1/orders/", {"listing": listing.pk, "quantity": 1}, format="json").json()
    assert order["total"]["currency"] == "GBP"
    client_for(buyer).post(f"/api/v1/orders/{order['id']}/pay/", {"card_number": "4242424242424242"}, format="json")
    # when the seller books it
    client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/")
    # then clearance releases it by itself and the order completes
    wait_for(lambda: order_status(order["id"]) == "completed", what="the order to complete")
    case = ClearanceCase.objects.get(shipment_reference=order["reference"])
    assert case.status == "cleared"
    assert [e.action for e in case.events.all()][:10] == [
        "opened", "declared", "screening_started", "screened", "assessed", "auto_released", "submitted", "lodged",
        "authority_released", "cleared"]
    assert ledger_check().ok
