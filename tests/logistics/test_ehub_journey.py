"""The Hangzhou seller books a two-parcel shipment to London through the Hangzhou eHub, with a
real Celery worker (and beat) booking it, polling the simulated carrier and clearing customs,
until the buyer sees it delivered."""

import pytest

from logistics.models import Shipment
from marketplace.models import Order
from tests import factories
from tests.conftest import wait_for
from tests.factories import page_client as client_for
from tests.logistics.conftest import EHUB_AIR, TWO_PARCELS

pytestmark = [pytest.mark.journey, pytest.mark.xdist_group("worker")]


def test_a_two_parcel_ehub_shipment_from_hangzhou_is_delivered_in_london(reference_data, celery_worker_process):
    # given a paid order of two tins (below the worker's review threshold) from Hangzhou to London
    seller, buyer, order = factories.paid_order(quantity=2)

    # when the seller splits it into two parcels and books the Hangzhou eHub's air route
    response = client_for(seller).post(f"/orders/{order.pk}/book/",
                                       {**TWO_PARCELS, "service_code": EHUB_AIR, "action": "book"})
    assert response.status_code == 302
    shipment = Shipment.objects.get(order_reference=order.reference)

    # then the worker books it with a tracking number, and the parcel goes through the hub
    booked = wait_for(lambda: Shipment.objects.filter(pk=shipment.pk).exclude(tracking_number="").first(),
                      what="the booking")
    assert booked.service_code == EHUB_AIR and booked.parcels.count() == 2
    wait_for(lambda: Shipment.objects.get(pk=shipment.pk).status == "delivered", timeout=90,
             what="the parcel to be delivered")
    timeline = [e.code for e in Shipment.objects.get(pk=shipment.pk).events.all()]
    assert timeline[0] == "label_created" and timeline[-1] == "delivered"
    assert {"picked_up", "arrived_at_hub", "departed_hub", "arrived_in_destination", "released_by_customs",
            "out_for_delivery"} <= set(timeline)
    assert "Hangzhou" in Shipment.objects.get(pk=shipment.pk).events.get(code="arrived_at_hub").location

    # and the order follows; the buyer sees the delivery on the parcel's page
    wait_for(lambda: Order.objects.get(pk=order.pk).status in ("delivered", "completed"), what="the order")
    page = client_for(buyer).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert booked.tracking_number in page and "Delivered" in page and "Arrived at hub" in page
