"""A Thai seller, who could not ship at all before Thailand Post joined the rate book, sells coffee
to a buyer in Lithuania (a state no card reached before) and books it end to end on the simulated
carrier: the order is quoted, paid, booked with Thailand Post, cleared by customs and tracked."""

from __future__ import annotations

from decimal import Decimal

import pytest

from logistics.domain.tracking import parse_s10
from logistics.models import Shipment
from logistics.services import shipment_book, shipment_track
from marketplace.services.checkout import order_pay, order_place
from tests import factories
from tests.factories import page_client as client_for
from tests.logistics.conftest import TWO_PARCELS

pytestmark = pytest.mark.django_db


def test_a_thai_seller_books_an_order_to_lithuania_with_thailand_post(settings):
    from customs.models import ClearanceCase
    from tests.customs.conftest import drive

    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    settings.CARRIER_SIM_SECONDS_PER_STEP = 0.001
    # given a verified Thai coffee roaster and a buyer in Vilnius who paid for two bags
    seller = factories.seller(country="TH", currency="THB", legal_name="Chiang Mai Highland Coffee Co., Ltd.")
    coffee = factories.listing(seller, title_en="Roasted arabica coffee 500 g", title_zh="", hs_code="090121",
                               price_amount=Decimal("450.00"), weight_kg=Decimal("0.550"))
    buyer = factories.buyer(country="LT", currency="EUR")
    order = order_place(buyer=buyer, listing_id=coffee.pk, quantity=2)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    # then checkout quoted a service from Thailand, in baht
    assert order.shipping_service
    # when the seller opens the booking page, Thailand Post is offered to Lithuania
    page = client_for(seller).get(f"/orders/{order.pk}/book/").content.decode()
    assert 'data-code="thailand_post_ems"' in page
    # and books it with Thailand Post EMS in two parcels
    response = client_for(seller).post(f"/orders/{order.pk}/book/",
                                       {**TWO_PARCELS, "service_code": "thailand_post_ems", "action": "book"})
    assert response.status_code == 302
    shipment = Shipment.objects.get(order_reference=order.reference)
    shipment_book(shipment_id=shipment.pk)  # the worker's part
    # then the carrier issued a Thailand Post EMS number (UPU S10, TH) and customs opened the case
    shipment.refresh_from_db()
    assert shipment.status == "booked"
    assert parse_s10(shipment.tracking_number)[0] == "EE" and shipment.tracking_number.endswith("TH")
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    # when clearance runs and the carrier is polled, the parcel moves on to delivery
    drive(case.pk)
    shipment_track(shipment_id=shipment.pk)
    shipment.refresh_from_db()
    codes = list(shipment.events.order_by("occurred_at").values_list("code", flat=True))
    assert codes[:2] == ["label_created", "picked_up"]
    assert shipment.status in ("in_transit", "delivered")
