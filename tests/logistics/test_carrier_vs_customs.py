"""A carrier cannot overrule customs: a signed "delivered" push for goods customs still holds is
recorded on the timeline, but the shipment stays held, the order is not delivered, escrow is not
released, the officer can still decide the case, and the conflict shows on the case for staff.
Once customs releases the goods, a later "delivered" push delivers them as usual."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from customs.models import ClearanceCase
from customs.services import case_release
from logistics.models import Shipment, TrackingEvent
from logistics.services import shipment_book
from marketplace.models import Order
from marketplace.services.orders import order_book_shipment, order_release_escrow
from tests import factories
from tests.customs.conftest import drive
from tests.logistics.conftest import signed

pytestmark = pytest.mark.django_db
URL = "/api/v1/logistics/webhooks/{carrier}/"


@pytest.fixture
def held(paid_order, settings, django_capture_on_commit_callbacks):
    """(order, shipment, case): booked, picked up, and held by customs for an officer (high value)."""
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    settings.CLEARANCE_HIGH_VALUE_EUR = Decimal("1")
    seller, _, order = paid_order
    with django_capture_on_commit_callbacks():
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    assert drive(case.pk) == "held"
    shipment.refresh_from_db()
    return order, shipment, case


def push(shipment, *events):
    from logistics.selectors import rate_book

    carrier = rate_book().service(shipment.service_code).carrier
    body = {"tracking_number": shipment.tracking_number, "events": [
        {"code": code, "occurred_at": at.isoformat(), "location": "London", "description": code} for code, at in events]}
    return Client().post(URL.format(carrier=carrier), **signed(body))


def officer():
    return factories.officer()


def test_a_delivered_push_on_held_goods_is_recorded_but_moves_nothing(held):
    order, shipment, case = held
    at = timezone.now()
    # when the carrier says the held goods were delivered
    response = push(shipment, ("picked_up", at - timedelta(days=2)), ("out_for_delivery", at - timedelta(hours=3)),
                    ("delivered", at - timedelta(hours=1)))
    # then the events are on the timeline, flagged, and nothing moved past customs
    assert response.status_code == 200 and response.json() == {"stored": 3}
    assert TrackingEvent.objects.filter(shipment=shipment, code="delivered").exists()
    shipment.refresh_from_db()
    order.refresh_from_db()
    case.refresh_from_db()
    assert shipment.status == "customs_hold" and shipment.delivered_at is None
    assert order.status == "shipped" and order.delivered_at is None
    assert case.status == "held"
    assert case.findings.filter(kind="carrier_conflict", superseded_at__isnull=True).count() == 1
    assert case.events.filter(action="carrier_conflict").exists()
    # escrow stays held even if asked to release
    order_release_escrow(order_id=order.pk)
    order.refresh_from_db()
    assert order.status == "shipped"
    # a repeated push does not flag twice
    push(shipment, ("delivered", at - timedelta(hours=1)))
    assert case.findings.filter(kind="carrier_conflict").count() == 1


def test_the_officer_can_still_release_and_a_later_delivered_push_delivers(held):
    order, shipment, case = held
    at = timezone.now()
    push(shipment, ("delivered", at - timedelta(hours=1)))
    # when the officer releases the held case
    case = case_release(case_id=case.pk, officer=officer(), note="Checked the invoice.")
    assert drive(case.pk) == "cleared"
    shipment.refresh_from_db()
    assert shipment.customs_released_at is not None and shipment.status != "delivered"
    # then a delivered push after the release delivers the parcel and the order
    push(shipment, ("delivered", timezone.now() + timedelta(minutes=1)))
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == "delivered"
    assert order.status == "delivered"


def test_the_conflict_shows_on_the_officers_case_page(held, client):
    order, shipment, case = held
    push(shipment, ("delivered", timezone.now() - timedelta(hours=1)))
    client.force_login(officer())
    page = client.get(f"/customs/cases/{case.pk}/")
    assert page.status_code == 200
    assert "Carrier reported delivery before release" in page.content.decode()
    console = client.get("/customs/console/")
    assert "Carrier reported delivery before release" in console.content.decode()
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert Shipment.objects.get(pk=shipment.pk).status == "customs_hold"
