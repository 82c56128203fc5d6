"""A Thai seller books an order to Berlin with UPS, connected through karrio (CARRIER_ADAPTER), the
way the booking task and the tracking poll do it: the label printed is UPS's own, a rerun of the
task buys no second label, UPS's scans move the shipment on, and a UPS refusal reaches the seller."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from logistics.models import CarrierBooking, Shipment
from logistics.services import shipment_book, shipment_document, shipment_track
from logistics.tasks import shipment_book as shipment_book_task
from marketplace.services.checkout import order_pay, order_place
from tests import factories
from tests.factories import page_client as client_for
from tests.logistics.conftest import TWO_PARCELS
from tests.logistics.fake_carriers import FakeCarriers

pytestmark = pytest.mark.django_db


@pytest.fixture
def ups(settings):
    fake = FakeCarriers().start()
    settings.CARRIER_ADAPTER = "logistics.integrations.karrio_carrier.KarrioCarrier"
    settings.CARRIER_CONNECTIONS = {"ups": fake.connections()["ups"]}
    settings.CARRIER_HTTP_TIMEOUT_SECONDS = 5
    yield fake
    fake.stop()


def _thai_order_booked_with_ups(client_reference: str = "") -> Shipment:
    seller = factories.seller(country="TH", currency="THB", legal_name="Chiang Mai Highland Coffee Co., Ltd.")
    coffee = factories.listing(seller, title_en="Roasted arabica coffee 500 g", title_zh="", hs_code="090121",
                               price_amount=Decimal("450.00"), weight_kg=Decimal("0.550"))
    buyer = factories.buyer(country="DE", currency="EUR")
    order = order_place(buyer=buyer, listing_id=coffee.pk, quantity=2)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    page = client_for(seller).get(f"/orders/{order.pk}/book/").content.decode()
    assert 'data-code="ups_worldwide_saver"' in page and page.count('data-testid="live-rate"') == 1
    client_for(seller).post(f"/orders/{order.pk}/book/",
                            {**TWO_PARCELS, "service_code": "ups_worldwide_saver", "action": "book"})
    return Shipment.objects.get(order_reference=order.reference)


def test_a_thai_seller_ships_to_berlin_with_ups_through_karrio(ups):
    # given a paid order the seller booked with UPS Worldwide Saver, at UPS's live rate on the booking page
    shipment = _thai_order_booked_with_ups()
    # when the booking task runs, and runs again
    shipment_book(shipment_id=shipment.pk)
    shipment_book_task.run(shipment.pk)
    # then UPS made one label, with a UPS tracking number, and the label printed is UPS's own
    shipment.refresh_from_db()
    assert shipment.status == "booked" and shipment.tracking_number.startswith("1Z")
    assert ups.labels("ups") == 1
    assert CarrierBooking.objects.get().tracking_number == shipment.tracking_number
    name, pdf = shipment_document(shipment=shipment, kind="label")
    assert name.startswith("carrier-label-") and pdf[:4] == b"%PDF"
    name, pdf = shipment_document(shipment=shipment, kind="commercial-invoice")  # UPS's paperless invoice
    assert name.startswith("carrier-invoice-") and pdf[:4] == b"%PDF"
    sent = json.dumps(ups.shipments[shipment.tracking_number].request)
    assert shipment.order_reference in sent and "090121" in sent  # the goods declared to UPS
    # when UPS scans the parcel and we poll
    ups.scan(shipment.tracking_number, "OR", "Origin Scan", "2026-01-01T08:00:00", "Bangkok", "TH")
    ups.scan(shipment.tracking_number, "DP", "Departed from Facility", "2026-01-01T20:00:00", "Bangkok", "TH")
    shipment_track(shipment_id=shipment.pk)
    # then the shipment is in transit with UPS's words on its timeline
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"
    assert "Departed from Facility" in list(shipment.events.values_list("description", flat=True))


def test_a_ups_refusal_fails_the_booking_with_its_reason(ups):
    shipment = _thai_order_booked_with_ups()
    ups.answer_next("/ups/api/shipments/", 400, {"response": {"errors": [
        {"code": "120202", "message": "Missing or invalid ship to postal code"}]}})
    shipment_book_task.run(shipment.pk)
    shipment.refresh_from_db()
    assert shipment.status == "booking_failed"
    assert "invalid ship to postal code" in shipment.failure_reason and ups.labels("ups") == 0
