"""The whole trade journey through the API, with a real Celery worker (and beat) on the
configured broker: list → quote → cart → one payment → book → clear (hold → release) → deliver →
a payout per seller."""

from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from customs.models import ClearanceCase
from marketplace.models import Order
from payments.models import Payment, Payout
from payments.selectors import ledger_check
from tests import factories
from tests.conftest import wait_for
from tests.factories import api_client as client_for

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]



def order_status(order_id: int) -> str:
    return Order.objects.get(pk=order_id).status


def pay(buyer, checkout: dict):
    """One payment for every order of the checkout, for the total the buyer was shown."""
    return client_for(buyer).post(f"/api/v1/checkouts/{checkout['reference']}/pay/", {
        "card_number": "4242 4242 4242 4242", "expected_total": checkout["total"]}, format="json")


def buy_now(buyer, listing_id: int, quantity: int) -> dict:
    """A "buy now" order: a checkout of one order, paid."""
    order = client_for(buyer).post("/api/v1/orders/", {"listing": listing_id, "quantity": quantity},
                                   format="json").json()
    checkout = client_for(buyer).get(f"/api/v1/checkouts/{order['checkout']}/").json()
    assert pay(buyer, checkout).json()["status"] == "succeeded"
    return order


def cart_checkout(buyer, lines: list[tuple[int, int]]) -> dict:
    for listing_id, quantity in lines:
        client_for(buyer).post("/api/v1/cart/lines/", {"listing": listing_id, "quantity": quantity}, format="json")
    return client_for(buyer).post("/api/v1/cart/checkout/", {}, format="json").json()


def test_a_german_buyer_pays_two_sellers_once_and_each_is_paid_in_its_own_currency(
        reference_data, celery_worker_process):
    # given a verified tea seller in China, a batik seller in Malaysia, a buyer in Germany and an officer
    seller, buyer, officer = factories.seller(), factories.buyer(country="DE"), factories.officer()
    batik_seller = factories.seller(country="MY", currency="MYR", legal_name="KL Batik Sdn. Bhd.")
    batik = factories.listing(batik_seller, title_en="Batik scarf", title_zh="", hs_code="621410")
    listing = client_for(seller).post("/api/v1/listings/", {
        "title_en": "Longjing green tea 250 g", "title_zh": "龙井绿茶", "hs_code": "090210", "origin_country": "CN",
        "price_amount": "168.00", "stock": 40, "weight_kg": "0.350", "publish": True}, format="json").json()

    # when the buyer finds the tea with a landed cost in euros, puts both in the cart, checks out
    catalog = APIClient().get("/api/v1/catalog/?q=green tea&country=DE").json()
    card = next(r for r in catalog["results"] if r["id"] == listing["id"])
    assert card["landed_cost"]["currency"] == "EUR"
    # (twenty tins are worth about 400 EUR: above the worker's 300 EUR review threshold; one scarf is not)
    checkout = cart_checkout(buyer, [(listing["id"], 20), (batik.pk, 1)])
    tea_order, batik_order = sorted(checkout["orders"], key=lambda o: o["id"])

    # and pays once, in euros
    paid = pay(buyer, checkout)
    assert paid.json()["status"] == "succeeded" and paid.json()["total"]["currency"] == "EUR"
    assert order_status(tea_order["id"]) == order_status(batik_order["id"]) == "paid"
    assert Payment.objects.filter(buyer=buyer).count() == 1

    # and each seller books its shipment, which the worker books with the carrier and declares
    assert client_for(seller).post(f"/api/v1/orders/{tea_order['id']}/book-shipment/").status_code == 202
    assert client_for(batik_seller).post(f"/api/v1/orders/{batik_order['id']}/book-shipment/").status_code == 202
    case = wait_for(lambda: ClearanceCase.objects.filter(shipment_reference=tea_order["reference"],
                                                         status="held").first(),
                    what="the clearance case to be held")
    assert {f.kind for f in case.findings.all()} == {"high_value"}

    # then the hold waits for an officer: a buyer may not release it, the officer does
    assert client_for(buyer).post(f"/api/v1/customs/cases/{case.pk}/release/").status_code == 403
    holds = client_for(officer).get("/api/v1/customs/cases/").json()["results"]
    assert [h["shipment_reference"] for h in holds] == [tea_order["reference"]]
    released = client_for(officer).post(f"/api/v1/customs/cases/{case.pk}/release/", {"note": "Invoice checked."},
                                        format="json")
    # (the officer's release lodges the declaration with the customs authority, which answers later)
    assert released.json()["status"] == "submitted"

    # and both parcels are delivered, escrow released per order, each seller paid in its currency, once
    wait_for(lambda: order_status(tea_order["id"]) == "completed", what="the tea order to complete")
    wait_for(lambda: order_status(batik_order["id"]) == "completed", what="the batik order to complete")
    payouts = {p.reference: p for p in Payout.objects.all()}
    assert payouts[tea_order["reference"]].currency == "CNY" and payouts[tea_order["reference"]].amount > 0
    assert payouts[batik_order["reference"]].currency == "MYR" and payouts[batik_order["reference"]].amount > 0
    assert len(payouts) == 2
    report = ledger_check()
    assert report.ok, report.problems


def test_a_rejected_shipment_refunds_the_buyer_that_orders_share_only(reference_data, celery_worker_process):
    # given a checkout of two sellers, paid once, whose tea order's value asks for a human look
    seller, buyer, officer = factories.seller(), factories.buyer(), factories.officer()
    batik = factories.batik_listing()
    checkout = cart_checkout(buyer, [(factories.listing(seller).pk, 20), (batik.pk, 1)])
    pay(buyer, checkout)
    order, other = sorted(checkout["orders"], key=lambda o: o["id"])
    client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/")
    case = wait_for(lambda: ClearanceCase.objects.filter(shipment_reference=order["reference"], status="held").first(),
                    what="the hold")

    # when the officer rejects it without a reason, nothing happens; with one, it is rejected
    no_reason = client_for(officer).post(f"/api/v1/customs/cases/{case.pk}/reject/", {}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    client_for(officer).post(f"/api/v1/customs/cases/{case.pk}/reject/", {"reason": "Goods not as declared."},
                             format="json")

    # then the buyer gets that order's share back (a partial refund of the one payment), not the other's
    assert order_status(order["id"]) == "refunded"
    assert order_status(other["id"]) == "paid"
    payment = Payment.objects.get(reference=checkout["reference"])
    assert payment.refunded_amount == Order.objects.get(pk=order["id"]).total_amount < payment.amount
    assert ledger_check().ok


def test_a_low_value_shipment_is_released_without_a_human_and_delivered(reference_data, celery_worker_process):
    # given a paid order of one tin (about 20 EUR)
    seller, buyer = factories.seller(), factories.buyer(country="GB", currency="GBP")
    listing = factories.listing(seller)
    order = buy_now(buyer, listing.pk, 1)
    assert order["total"]["currency"] == "GBP"
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


def test_a_ddp_order_to_germany_above_the_de_minimis_is_assessed_as_quoted_and_released(
        reference_data, celery_worker_process):
    # given a German buyer's DDP order of ten tins (about 200 EUR: above the EU's 150 EUR, so duty and import
    # VAT are paid with the order on the CIF value, shipping included)
    seller, buyer = factories.seller(), factories.buyer(country="DE")
    order = buy_now(buyer, factories.listing(seller).pk, 10)
    quoted = Order.objects.get(pk=order["id"]).quote
    assert quoted["incoterm"] == "DDP" and quoted["customs"]["de_minimis"]["duty_applied"] is False

    # when the seller books it and clearance assesses the declaration
    client_for(seller).post(f"/api/v1/orders/{order['id']}/book-shipment/")
    wait_for(lambda: order_status(order["id"]) == "completed", what="the order to complete")

    # then the assessed duty is the quoted one (the declaration carries the shipping the buyer paid) and no
    # human was needed
    case = ClearanceCase.objects.get(shipment_reference=order["reference"])
    assert case.status == "cleared"
    assert not case.findings.exists()
    assert case.declaration["shipping"] == quoted["shipping"]
    assert abs(Decimal(case.assessment["difference"]["amount"])) <= Decimal(case.assessment["tolerance"]["amount"])
    assert ledger_check().ok
