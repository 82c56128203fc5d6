"""The shipment page and API: the seller prints and cancels, the buyer follows the parcel, anyone
else gets a 404. Cancelling is possible until the carrier picks the parcel up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.selectors import company_of
from logistics.models import Shipment
from logistics.services import shipment_book
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.orders import order_book_shipment
from tests import factories
from tests.factories import api_client as api
from tests.factories import page_client as client_for
from tests.logistics.conftest import EHUB_AIR, signed
from tests.logistics.documents.pdf import decoded_barcodes, pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(paid_order, django_capture_on_commit_callbacks):
    seller, buyer, order = paid_order
    with django_capture_on_commit_callbacks():
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    return seller, buyer, order, Shipment.objects.get(pk=shipment.pk)



def test_the_seller_sees_status_tracking_number_documents_and_can_cancel(booked):
    seller, _, _, shipment = booked
    html = client_for(seller).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert shipment.tracking_number in html and "Label created" in html
    for testid in ("label", "customs-declaration", "commercial-invoice", "cancel"):
        assert f'data-testid="{testid}"' in html
    label = client_for(seller).get(f"/logistics/shipments/{shipment.pk}/documents/label.pdf")
    assert label["Content-Type"] == "application/pdf"
    assert shipment.tracking_number in [text for text, _ in decoded_barcodes(pdf_pages(label.content)[0])]


def test_the_buyer_follows_the_parcel_but_gets_no_documents(booked):
    _, buyer, order, shipment = booked
    html = client_for(buyer).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert shipment.tracking_number in html and "Label created" in html
    assert 'data-testid="label"' not in html and 'data-testid="cancel"' not in html
    assert client_for(buyer).get(f"/logistics/shipments/{shipment.pk}/documents/label.pdf").status_code == 404
    order_page = client_for(buyer).get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/logistics/shipments/{shipment.pk}/"' in order_page


@pytest.mark.parametrize("path", ["/logistics/shipments/{pk}/", "/logistics/shipments/{pk}/documents/label.pdf"])
def test_others_get_a_404(booked, path):
    _, _, _, shipment = booked
    for stranger in (factories.seller(legal_name="Another Tea Co."), factories.buyer()):
        assert client_for(stranger).get(path.format(pk=shipment.pk)).status_code == 404
        assert client_for(stranger).post(f"/logistics/shipments/{shipment.pk}/cancel/").status_code == 404
    shipment.refresh_from_db()
    assert shipment.status == "booked"


def test_the_seller_cancels_before_pickup(booked):
    seller, buyer, _, shipment = booked
    response = client_for(seller).post(f"/logistics/shipments/{shipment.pk}/cancel/", follow=True)
    assert "The booking is cancelled." in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == "cancelled"
    assert "cancelled by the seller" in client_for(buyer).get(f"/logistics/shipments/{shipment.pk}/").content.decode()


def test_a_picked_up_parcel_cannot_be_cancelled(booked):
    seller, _, _, shipment = booked
    from django.test import Client

    from logistics.selectors import rate_book

    carrier = rate_book().service(shipment.service_code).carrier
    Client().post(f"/api/v1/logistics/webhooks/{carrier}/", **signed({
        "tracking_number": shipment.tracking_number,
        "events": [{"code": "picked_up", "occurred_at": (shipment.booked_at + timedelta(minutes=5)).isoformat()}]}))
    response = api(seller).post(f"/api/v1/logistics/shipments/{shipment.pk}/cancel/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "picked_up"
    shipment.refresh_from_db()
    assert shipment.status == "in_transit"


def test_the_carriers_own_timeline_is_checked_before_cancelling(booked, settings):
    # given the simulated carrier has picked the parcel up since the last poll
    seller, _, _, shipment = booked
    settings.CARRIER_SIM_SECONDS_PER_STEP = 0.001
    # when the seller cancels, it is refused and the pickup shows on the page
    response = client_for(seller).post(f"/logistics/shipments/{shipment.pk}/cancel/", follow=True)
    assert "can no longer be cancelled" in response.content.decode()
    shipment.refresh_from_db()
    assert shipment.status == "booked"


def test_the_api_shows_shipments_to_seller_and_buyer_only(booked):
    seller, buyer, _, shipment = booked
    assert [s["id"] for s in api(seller).get("/api/v1/logistics/shipments/").json()["results"]] == [shipment.pk]
    assert [s["id"] for s in api(buyer).get("/api/v1/logistics/shipments/").json()["results"]] == [shipment.pk]
    stranger = factories.seller(legal_name="Another Tea Co.")
    assert api(stranger).get("/api/v1/logistics/shipments/").json()["results"] == []
    for path in ("", "tracking/", "documents/label/"):
        assert api(stranger).get(f"/api/v1/logistics/shipments/{shipment.pk}/{path}").status_code == 404
    for path in ("cancel/", "book/"):
        response = api(stranger).post(f"/api/v1/logistics/shipments/{shipment.pk}/{path}",
                                      {"service_code": EHUB_AIR}, format="json")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    detail = api(buyer).get(f"/api/v1/logistics/shipments/{shipment.pk}/").json()
    assert detail["tracking_number"] == shipment.tracking_number and detail["documents"] == []
    assert api(seller).get(f"/api/v1/logistics/shipments/{shipment.pk}/").json()["documents"] == [
        "label", "customs-declaration", "commercial-invoice"]
    tracking = api(buyer).get(f"/api/v1/logistics/shipments/{shipment.pk}/tracking/").json()
    assert [e["code"] for e in tracking["events"]] == ["label_created"]
    assert api(buyer).get(f"/api/v1/logistics/shipments/{shipment.pk}/documents/label/").status_code == 404
    pdf = api(seller).get(f"/api/v1/logistics/shipments/{shipment.pk}/documents/customs-declaration/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"


def test_the_api_refuses_to_book_a_booked_shipment_again(booked):
    seller, _, _, shipment = booked
    response = api(seller).post(f"/api/v1/logistics/shipments/{shipment.pk}/book/", {"service_code": EHUB_AIR},
                                format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_booked"


def test_the_api_rebooks_a_failed_booking_with_another_service_and_parcels(booked, django_capture_on_commit_callbacks):
    seller, _, _, shipment = booked
    Shipment.objects.filter(pk=shipment.pk).update(status="booking_failed", tracking_number="",
                                                   failure_reason="Refused.")
    bad = api(seller).post(f"/api/v1/logistics/shipments/{shipment.pk}/book/", {
        "service_code": EHUB_AIR, "parcels": [{"weight_kg": "0", "length_cm": "20", "width_cm": "20",
                                               "height_cm": "20"}]}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "parcels[0].weight_kg"
    with django_capture_on_commit_callbacks() as enqueued:
        response = api(seller).post(f"/api/v1/logistics/shipments/{shipment.pk}/book/", {
            "service_code": EHUB_AIR, "parcels": [
                {"weight_kg": "1.2", "length_cm": "30", "width_cm": "20", "height_cm": "15"},
                {"weight_kg": "0.9", "length_cm": "25", "width_cm": "20", "height_cm": "10"}]}, format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "booking" and len(response.json()["parcels"]) == 2
    assert len(enqueued) == 1


def test_every_shipment_endpoint_is_in_the_openapi_schema():
    schema = APIClient().get("/api/schema/?format=json").json()
    for path in ("/api/v1/logistics/rates/", "/api/v1/logistics/shipments/", "/api/v1/logistics/shipments/{id}/",
                 "/api/v1/logistics/shipments/{id}/book/", "/api/v1/logistics/shipments/{id}/cancel/",
                 "/api/v1/logistics/shipments/{id}/tracking/", "/api/v1/logistics/shipments/{id}/documents/{kind}/",
                 "/api/v1/logistics/webhooks/{carrier}/"):
        assert path in schema["paths"], path


def test_the_shipment_list_takes_the_same_queries_for_one_shipment_or_many(booked, django_assert_max_num_queries,
                                                                           django_capture_on_commit_callbacks):
    seller, _, _, _ = booked
    for _ in range(5):  # five more paid orders, booked
        buyer = factories.buyer(country="GB", currency="GBP")
        order = order_place(buyer=buyer, listing_id=company_of(seller).listings.first().pk, quantity=1)
        order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
        with django_capture_on_commit_callbacks():
            order_book_shipment(user=seller, order_id=order.pk)
    client = api(seller)
    with django_assert_max_num_queries(8):
        results = client.get("/api/v1/logistics/shipments/").json()["results"]
    assert len(results) == 6 and all(len(s["parcels"]) == 1 for s in results)


def test_the_seller_books_again_after_cancelling_before_pickup(booked, django_capture_on_commit_callbacks):
    from customs.models import ClearanceCase

    # given a booking the seller cancelled before pickup
    seller, buyer, order, shipment = booked
    old_number = shipment.tracking_number
    client_for(seller).post(f"/logistics/shipments/{shipment.pk}/cancel/")
    page = client_for(seller).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert 'data-testid="retry"' in page and "You cancelled this booking before pickup" in page
    assert 'data-testid="label"' not in page  # the cancelled label is not offered, nor served
    dead = api(seller).get(f"/api/v1/logistics/shipments/{shipment.pk}/documents/label/")
    assert dead.status_code == 409 and dead.json()["error"]["code"] == "booking_cancelled"
    assert api(seller).get(f"/api/v1/logistics/shipments/{shipment.pk}/").json()["documents"] == []
    assert 'data-testid="retry"' not in client_for(buyer).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    # when the seller books it again and the worker books it with the carrier
    with django_capture_on_commit_callbacks() as enqueued:
        client_for(seller).post(f"/logistics/shipments/{shipment.pk}/retry/")
    assert len(enqueued) == 1 and Shipment.objects.get(pk=shipment.pk).status == "booking"
    shipment_book(shipment_id=shipment.pk)
    # then the carrier gave a new tracking number, under a new idempotency key
    shipment.refresh_from_db()
    assert shipment.status == "booked" and shipment.booking_number == 2
    assert shipment.tracking_number and shipment.tracking_number != old_number
    label = client_for(seller).get(f"/logistics/shipments/{shipment.pk}/documents/label.pdf")
    assert shipment.tracking_number in [text for text, _ in decoded_barcodes(pdf_pages(label.content)[0])]
    # the clearance case goes on with the new number on its declaration
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    assert case.declaration["tracking_number"] == shipment.tracking_number
    assert case.events.filter(action="rebooked").count() == 1
    # and the live booking is not booked a third time
    again = api(seller).post(f"/api/v1/logistics/shipments/{shipment.pk}/book/", {"service_code": EHUB_AIR},
                             format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_booked"


def test_goods_customs_rejected_are_not_booked_again(booked):
    from customs.models import ClearanceCase
    from logistics.services import shipment_customs_decided

    seller, _, order, shipment = booked
    ClearanceCase.objects.filter(shipment_reference=order.reference).update(status="rejected")
    shipment_customs_decided(reference=order.reference, released=False, reason="Prohibited goods.")
    assert 'data-testid="retry"' not in client_for(seller).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    response = api(seller).post(f"/api/v1/logistics/shipments/{shipment.pk}/book/", {"service_code": EHUB_AIR},
                                format="json")
    assert response.status_code == 409 and response.json()["error"]["code"] == "already_booked"
    shipment.refresh_from_db()
    assert shipment.status == "cancelled" and shipment.booking_number == 1


def test_the_order_is_paid_again_after_a_cancelled_booking_and_shipped_when_booked_again(
        booked, django_capture_on_commit_callbacks):
    from marketplace.models import Order

    # given the seller cancelled the booking before pickup
    seller, buyer, order, shipment = booked
    client_for(seller).post(f"/logistics/shipments/{shipment.pk}/cancel/")
    # then the order waits for a booking again, and the seller may book it or cancel the order
    assert Order.objects.get(pk=order.pk).status == "paid"
    page = client_for(seller).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="book"' in page and 'data-testid="cancel-order"' in page
    assert "You cancelled the booking before pickup" in page
    # when the seller books it from the order page
    with django_capture_on_commit_callbacks():
        booked_again = client_for(seller).post(f"/orders/{order.pk}/book/")
    assert booked_again.status_code == 302 and booked_again.url == f"/logistics/shipments/{shipment.pk}/"
    shipment_book(shipment_id=shipment.pk)
    # then the same shipment is booked again and the order is shipped, with each step in its history
    shipment.refresh_from_db()
    assert shipment.status == "booked" and shipment.booking_number == 2
    order = Order.objects.get(pk=order.pk)
    assert order.status == "shipped"
    assert [e.to_status for e in order.events.order_by("id")][-3:] == ["shipped", "paid", "shipped"]
