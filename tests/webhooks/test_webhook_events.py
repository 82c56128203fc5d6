"""Events come from what the apps really report (through their services and the carrier's signed push):
an order paid, held and released by customs, delivered, and paid out to the seller."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from accounts.selectors import company_of
from customs.models import ClearanceCase
from customs.services import case_release
from logistics.services import shipment_book
from marketplace.services.orders import order_book_shipment, order_release_escrow
from tests import factories
from tests.customs.conftest import drive
from tests.logistics.conftest import signed
from webhooks.models import Delivery, Event

pytestmark = pytest.mark.django_db


def push_delivered(shipment):
    from logistics.selectors import rate_book

    carrier = rate_book().service(shipment.service_code).carrier
    body = {"tracking_number": shipment.tracking_number, "events": [
        {"code": "delivered", "occurred_at": (timezone.now() + timedelta(minutes=1)).isoformat(),
         "location": "London", "description": "delivered"}]}
    return Client().post(f"/api/v1/logistics/webhooks/{carrier}/", **signed(body))


def test_an_order_paid_held_released_delivered_and_paid_out_makes_five_events(
        settings, django_capture_on_commit_callbacks):
    from webhooks.services import endpoint_create

    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    settings.CLEARANCE_HIGH_VALUE_EUR = Decimal("1")  # customs holds it for an officer
    # given a seller with an endpoint for payouts and holds only, and its order paid
    seller, _buyer, order = factories.paid_order(quantity=6)
    company_id = company_of(seller).pk
    endpoint = endpoint_create(user=seller, url="http://127.0.0.1:9/hooks",
                               events=["payout.created", "shipment.customs_held"])
    # when it is shipped, held by customs, released by an officer, delivered and paid out
    with django_capture_on_commit_callbacks():
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    assert drive(case.pk) == "held"
    case_release(case_id=case.pk, officer=factories.officer(), note="Invoice checked.")
    assert drive(case.pk) == "cleared"
    shipment.refresh_from_db()
    assert push_delivered(shipment).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        order_release_escrow(order_id=order.pk)
    # then the seller's company has each event once, about the order
    events = {e.type: e for e in Event.objects.filter(company_id=company_id)}
    assert set(events) == {"order.paid", "shipment.customs_held", "shipment.customs_released", "order.delivered",
                           "payout.created"}
    assert all(e.data["order"] == order.reference for e in events.values())
    assert events["payout.created"].data["amount"]["currency"] == "CNY"
    # and only the types the endpoint asked for were delivered to it
    assert sorted(Delivery.objects.filter(endpoint=endpoint).values_list("event__type", flat=True)) == [
        "payout.created", "shipment.customs_held"]


def test_a_paid_order_makes_its_event(django_capture_on_commit_callbacks):
    seller, buyer = factories.seller(), factories.buyer()
    from tests.finance.conftest import paid_order

    order = paid_order(seller, buyer)
    [event] = Event.objects.filter(company_id=company_of(seller).pk)
    assert event.type == "order.paid" and event.data["order"] == order.reference
    assert event.data["amount"]["currency"] == order.checkout.payment.currency
