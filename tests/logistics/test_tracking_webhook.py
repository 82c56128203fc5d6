"""A carrier pushes tracking events to the signed webhook: a forged, tampered or replayed push is
refused with nothing stored, a repeat is ignored, a late event takes its place by time, and the
order follows the parcel to delivered."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.test import Client

from logistics.models import Shipment, TrackingEvent
from logistics.services import shipment_book
from marketplace.services.orders import order_book_shipment
from tests.logistics.conftest import signed

pytestmark = pytest.mark.django_db
URL = "/api/v1/logistics/webhooks/{carrier}/"


@pytest.fixture
def booked(paid_order, django_capture_on_commit_callbacks):
    seller, buyer, order = paid_order
    with django_capture_on_commit_callbacks():
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)  # the worker's part
    shipment.refresh_from_db()
    return order, shipment


def carrier_of(shipment) -> str:
    from logistics.selectors import rate_book

    return rate_book().service(shipment.service_code).carrier


def push(shipment, *events, **signing):
    body = {"tracking_number": shipment.tracking_number, "events": [
        {"code": code, "occurred_at": at.isoformat(), "location": "Hangzhou", "description": code} for code, at in events]}
    return Client().post(URL.format(carrier=carrier_of(shipment)), **signed(body, **signing))


def codes(shipment) -> list[str]:
    return list(TrackingEvent.objects.filter(shipment=shipment).values_list("code", flat=True))


def test_a_signed_push_is_stored_and_moves_the_shipment(booked):
    order, shipment = booked
    at = shipment.booked_at
    response = push(shipment, ("picked_up", at + timedelta(hours=1)))
    assert response.status_code == 200 and response.json() == {"stored": 1}
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
    assert codes(shipment) == ["label_created", "picked_up"]


def test_a_repeated_push_is_ignored(booked):
    _, shipment = booked
    event = ("picked_up", shipment.booked_at + timedelta(hours=1))
    assert push(shipment, event).json() == {"stored": 1}
    assert push(shipment, event).json() == {"stored": 0}
    assert codes(shipment) == ["label_created", "picked_up"]


def test_a_late_event_takes_its_place_by_time_and_does_not_move_the_parcel_back(booked):
    _, shipment = booked
    at = shipment.booked_at
    push(shipment, ("departed_hub", at + timedelta(hours=5)))
    push(shipment, ("picked_up", at + timedelta(hours=1)), ("arrived_at_hub", at + timedelta(hours=3)))
    assert codes(shipment) == ["label_created", "picked_up", "arrived_at_hub", "departed_hub"]
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"


@pytest.mark.parametrize("forgery", ["wrong_secret", "tampered_body", "stale", "unsigned"])
def test_a_forged_or_replayed_push_is_refused_and_nothing_is_stored(booked, forgery):
    _, shipment = booked
    body = {"tracking_number": shipment.tracking_number,
            "events": [{"code": "delivered", "occurred_at": (shipment.booked_at + timedelta(days=3)).isoformat()}]}
    kwargs = signed(body, secret="guessed" if forgery == "wrong_secret" else None,
                    at=int(time.time()) - 3600 if forgery == "stale" else None)
    if forgery == "tampered_body":
        kwargs["data"] = kwargs["data"].replace(b"delivered", b"exception")
    if forgery == "unsigned":
        kwargs["headers"] = {}
    response = Client().post(URL.format(carrier=carrier_of(shipment)), **kwargs)
    assert response.status_code == 400
    assert response.json()["error"]["code"] in {"bad_signature", "stale_timestamp", "missing_signature"}
    assert codes(shipment) == ["label_created"]
    shipment.refresh_from_db()
    assert shipment.status == "booked"


def test_carriers_cannot_push_customs_decisions(booked):
    _, shipment = booked
    response = push(shipment, ("released_by_customs", shipment.booked_at + timedelta(hours=1)))
    assert response.status_code == 400 and response.json()["error"]["field"].startswith("events[0]")
    assert codes(shipment) == ["label_created"]


def test_another_carriers_push_or_an_unknown_number_finds_nothing(booked):
    _, shipment = booked
    body = {"tracking_number": shipment.tracking_number,
            "events": [{"code": "picked_up", "occurred_at": shipment.booked_at.isoformat()}]}
    other = "dhl_express" if carrier_of(shipment) != "dhl_express" else "china_post"
    assert Client().post(URL.format(carrier=other), **signed(body)).status_code == 404
    assert Client().post(URL.format(carrier="no_such_carrier"), **signed(body)).status_code == 404
    unknown = {**body, "tracking_number": "LX000000000CN"}
    assert Client().post(URL.format(carrier=carrier_of(shipment)), **signed(unknown)).status_code == 404
    assert codes(shipment) == ["label_created"]


def test_the_order_follows_the_parcel_to_delivered(booked, settings):
    from customs.models import ClearanceCase
    from tests.customs.conftest import drive

    order, shipment = booked
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    assert drive(ClearanceCase.objects.get(shipment_reference=order.reference).pk) == "cleared"
    at = shipment.booked_at
    push(shipment, ("picked_up", at + timedelta(hours=1)), ("arrived_in_destination", at + timedelta(days=2)),
         ("out_for_delivery", at + timedelta(days=3)), ("delivered", at + timedelta(days=3, hours=4)))
    shipment.refresh_from_db()
    order.refresh_from_db()
    assert shipment.status == "delivered" and shipment.delivered_at == at + timedelta(days=3, hours=4)
    assert order.status == "delivered"
    assert Shipment.objects.count() == 1
