"""The seller books a paid order from the booking page: splits it into parcels, sees every option
and why the others are left out, picks one; bad parcels are refused at the field; booking twice
returns the first booking; a failed booking retries, then shows the carrier's reason."""

from __future__ import annotations

import pytest

from accounts.selectors import company_of
from ewtp.exceptions import Conflict
from logistics.models import Shipment
from logistics.services import shipment_book, shipment_create_and_book, shipment_document, shipment_rebook
from logistics.tasks import shipment_book as shipment_book_task
from marketplace.services.orders import order_book_shipment
from tests import factories
from tests.factories import page_client as client_for
from tests.logistics.conftest import EHUB_AIR, TWO_PARCELS

pytestmark = pytest.mark.django_db


def test_the_booking_page_shows_every_option_and_why_the_others_are_left_out(paid_order):
    seller, _, order = paid_order
    # when the seller opens the booking page
    page = client_for(seller).get(f"/orders/{order.pk}/book/")
    # then every feasible service is offered with its price and days, the buyer's choice preselected
    html = page.content.decode()
    assert page.status_code == 200
    for code in ("ehub_hgh_sea_eu", "ehub_hgh_air_eu", "dhl_express_worldwide"):
        assert f'data-code="{code}"' in html
    assert f'value="{order.shipping_service}" id="service-{order.shipping_service}" checked' in html
    assert "does not collect from CN" in html  # a reason for a service left out
    assert "CNY" in html


def test_the_seller_books_two_parcels_through_the_ehub(paid_order, django_capture_on_commit_callbacks):
    seller, _, order = paid_order
    assert order.shipping_service != EHUB_AIR  # the buyer chose the cheaper sea route
    # when the seller splits the order into two parcels and picks the eHub's air route
    with django_capture_on_commit_callbacks() as enqueued:
        response = client_for(seller).post(f"/orders/{order.pk}/book/",
                                           {**TWO_PARCELS, "service_code": EHUB_AIR, "action": "book"})
    # then one booking is enqueued for that service with both parcels, and the seller sees the shipment
    shipment = Shipment.objects.get(order_reference=order.reference)
    assert response.status_code == 302 and response.url == f"/logistics/shipments/{shipment.pk}/"
    assert len(enqueued) == 1
    assert shipment.service_code == EHUB_AIR and shipment.status == "booking"
    assert [str(p.weight_kg) for p in shipment.parcels.all()] == ["1.200", "0.900"]
    order.refresh_from_db()
    assert order.status == "shipped"


def test_a_preference_claimed_at_booking_reaches_the_declaration_but_asks_no_proof_where_none_applies(
        paid_order, settings):
    from customs.models import ClearanceCase
    from tests.customs.conftest import drive

    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    seller, _, order = paid_order
    # when the seller books claiming preferential origin
    page = client_for(seller).get(f"/orders/{order.pk}/book/").content.decode()
    assert 'name="claim_preference"' in page
    client_for(seller).post(f"/orders/{order.pk}/book/", {**TWO_PARCELS, "service_code": EHUB_AIR, "action": "book",
                                                           "claim_preference": "on"})
    shipment = Shipment.objects.get(order_reference=order.reference)
    shipment_book(shipment_id=shipment.pk)  # the worker's part: books and opens the clearance case
    # then every declared line carries the claim; but no preference can apply (no agreement between the
    # origin and the destination), so MFN is charged and clearance asks for no proof of origin
    case = ClearanceCase.objects.get(shipment_reference=order.reference)
    assert [line["claim_preference"] for line in case.declaration["lines"]] == [True] * order.lines.count()
    assert drive(case.pk) not in ("awaiting_documents", "held")
    assert not case.document_requests.exists()


def test_adding_a_parcel_reprices_the_options(paid_order):
    seller, _, order = paid_order
    one = {key: value for key, value in TWO_PARCELS.items() if not key.startswith("parcels-1")}
    page = client_for(seller).post(f"/orders/{order.pk}/book/", {**one, "parcels-TOTAL_FORMS": "1", "action": "add"})
    assert page.content.decode().count('data-testid="parcel"') == 2
    assert not Shipment.objects.exists()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("weight_kg", "0", "Must be more than 0."),
    ("weight_kg", "-2", "Must be more than 0."),
    ("length_cm", "", "This field is required."),
    ("height_cm", "4000", "A side of 4000 cm is not a parcel (at most 300 cm)."),
])
def test_a_bad_parcel_is_refused_at_its_field_and_nothing_is_booked(paid_order, field, value, message):
    seller, _, order = paid_order
    response = client_for(seller).post(f"/orders/{order.pk}/book/", {
        **TWO_PARCELS, f"parcels-1-{field}": value, "service_code": EHUB_AIR, "action": "book"})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_parcels-1-{field}_error"' in html and message in html
    assert not Shipment.objects.exists()
    order.refresh_from_db()
    assert order.status == "paid"


def test_a_service_that_cannot_carry_the_parcels_is_refused_with_its_reason(paid_order):
    seller, _, order = paid_order
    heavy = {**TWO_PARCELS, "parcels-1-weight_kg": "2.5"}  # ePacket takes at most 2 kg a parcel
    response = client_for(seller).post(f"/orders/{order.pk}/book/",
                                       {**heavy, "service_code": "cnpost_epacket", "action": "book"})
    assert "takes at most 2 kg a parcel" in response.content.decode()
    assert not Shipment.objects.exists()


def test_bad_parcels_are_refused_by_the_service_too(paid_order):
    seller, _, order = paid_order
    with pytest.raises(Exception) as refused:
        order_book_shipment(user=seller, order_id=order.pk, parcels=[
            {"weight_kg": "1", "length_cm": "20", "width_cm": "20", "height_cm": "20"},
            {"weight_kg": "-1", "length_cm": "20", "width_cm": "20", "height_cm": "20"}])
    assert refused.value.code == "invalid_parcel" and refused.value.field == "parcels[1].weight_kg"
    assert not Shipment.objects.exists()


@pytest.mark.parametrize("who", ["another_seller", "the_buyer", "a_stranger"])
def test_only_the_selling_company_may_open_the_booking_page(paid_order, who):
    seller, buyer, order = paid_order
    user = {"another_seller": lambda: factories.seller(legal_name="Other Co."), "the_buyer": lambda: buyer,
            "a_stranger": factories.buyer}[who]()
    assert client_for(user).get(f"/orders/{order.pk}/book/").status_code == 404
    assert client_for(user).post(f"/orders/{order.pk}/book/", {**TWO_PARCELS, "action": "book",
                                                              "service_code": EHUB_AIR}).status_code == 404
    assert not Shipment.objects.exists()


def test_booking_twice_returns_the_first_booking_and_makes_no_second_label(paid_order,
                                                                           django_capture_on_commit_callbacks):
    seller, _, order = paid_order
    with django_capture_on_commit_callbacks() as first:
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)  # the worker's part
    shipment.refresh_from_db()
    name, _ = shipment_document(shipment=shipment, kind="label")
    # when the seller books again: by the service, by the page and by the API
    with django_capture_on_commit_callbacks() as second:
        again = order_book_shipment(user=seller, order_id=order.pk)
        page = client_for(seller).post(f"/orders/{order.pk}/book/", {**TWO_PARCELS, "action": "book",
                                                                     "service_code": EHUB_AIR})
        with pytest.raises(Conflict):
            shipment_rebook(shipment_id=shipment.pk, company_id=company_of(seller).pk, service_code=EHUB_AIR)
    shipment_book(shipment_id=shipment.pk)  # a redelivered task changes nothing either
    # then it is the same booking: one shipment, one tracking number, nothing enqueued, one label
    assert again.pk == shipment.pk and len(first) == 1 and len(second) == 0
    assert page.status_code == 302 and page.url == f"/logistics/shipments/{shipment.pk}/"
    assert Shipment.objects.count() == 1
    assert Shipment.objects.get().tracking_number == shipment.tracking_number
    assert Shipment.objects.get().service_code == order.shipping_service and shipment.parcels.count() == 1
    from ewtp.files import private_storage

    assert private_storage().listdir(f"shipments/{order.reference}")[0] == [shipment.tracking_number]  # one booking
    labels = private_storage().listdir(f"shipments/{order.reference}/{shipment.tracking_number}")[1]
    assert [f for f in labels if f.startswith("label-")] == [name]


def _shipment(reference: str, seller) -> Shipment:
    party = {"name": "Wang Li", "company": "West Lake Tea", "lines": ["18 Longjing Road"], "city": "Hangzhou",
             "postcode": "310000", "country": "CN"}
    return shipment_create_and_book(
        order_reference=reference, company_id=company_of(seller).pk, buyer_id=seller.pk, service_code=EHUB_AIR,
        incoterm="DDP", sender=party, recipient={**party, "city": "London", "country": "GB", "postcode": "E1 6AN"},
        goods=[{"description": "Longjing tea", "hs_code": "090210", "origin": "CN", "quantity": 2,
                "unit_value": "168.00", "currency": "CNY", "net_weight_kg": "0.700"}],
        parcels=[{"weight_kg": "1", "length_cm": "20", "width_cm": "15", "height_cm": "10"}])


def test_a_transient_carrier_failure_is_retried_with_backoff_then_shown_to_the_seller(
        django_capture_on_commit_callbacks, caplog):
    import re

    seller = factories.seller()
    with django_capture_on_commit_callbacks():
        shipment = _shipment("TEST-FAIL-TRANSIENT-1", seller)
    # when the carrier never answers (the task runs here, each retry in turn)
    result = shipment_book_task.apply(args=[shipment.pk])
    # then it was retried max_retries times, each wait jittered under twice the last bound, then given up
    assert result.state == "SUCCESS"
    waits = [int(s) for s in re.findall(r"Retry in (\d+)s", caplog.text)]
    assert len(waits) == 5 and all(0 <= wait <= 5 * 2**retry for retry, wait in enumerate(waits)), waits
    shipment.refresh_from_db()
    assert shipment.status == "booking_failed" and not shipment.tracking_number
    assert "did not answer in time" in shipment.failure_reason
    page = client_for(seller).get(f"/logistics/shipments/{shipment.pk}/")
    assert "did not answer in time" in page.content.decode()


def test_a_permanent_carrier_refusal_is_not_retried_and_the_seller_can_book_again(django_capture_on_commit_callbacks):
    seller = factories.seller()
    with django_capture_on_commit_callbacks():
        shipment = _shipment("TEST-FAIL-PERMANENT-1", seller)
    result = shipment_book_task.apply(args=[shipment.pk])
    assert result.state == "SUCCESS"  # given up at once: retrying will not change the carrier's mind
    shipment.refresh_from_db()
    assert shipment.status == "booking_failed"
    assert "postcode does not match the city" in shipment.failure_reason
    page = client_for(seller).get(f"/logistics/shipments/{shipment.pk}/").content.decode()
    assert "postcode does not match the city" in page and 'data-testid="retry"' in page
    # when the seller books again, the booking is enqueued again
    with django_capture_on_commit_callbacks() as enqueued:
        response = client_for(seller).post(f"/logistics/shipments/{shipment.pk}/retry/")
    assert response.status_code == 302 and len(enqueued) == 1
    shipment.refresh_from_db()
    assert shipment.status == "booking" and shipment.failure_reason == ""
