"""The seller books a paid order and prints its documents; the label's barcode scans to the
tracking number. The booking runs the same service the worker runs."""

import pytest
from django.test import Client

from logistics.models import Shipment
from logistics.services import shipment_book
from marketplace.services.orders import order_book_shipment
from tests import factories
from tests.logistics.documents.pdf import decoded_barcodes, pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(django_capture_on_commit_callbacks):
    seller, buyer, order = factories.paid_order(quantity=2)
    with django_capture_on_commit_callbacks(execute=False):  # the worker's part, run here by hand
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    return seller, buyer, order, Shipment.objects.get(pk=shipment.pk)


def test_the_label_barcode_scans_to_the_tracking_number(booked):
    seller, _, order, shipment = booked
    client = Client()
    client.force_login(seller)
    response = client.get(f"/logistics/shipments/{shipment.pk}/documents/label.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert shipment.tracking_number in [text for text, _ in decoded_barcodes(pdf_pages(response.content)[0])]


@pytest.mark.parametrize("kind", ["customs-declaration", "commercial-invoice"])
def test_the_customs_papers_are_pdfs_for_the_seller_only(booked, kind):
    seller, buyer, order, shipment = booked
    client = Client()
    client.force_login(seller)
    assert client.get(f"/logistics/shipments/{shipment.pk}/documents/{kind}.pdf").content.startswith(b"%PDF")
    client.force_login(buyer)
    assert client.get(f"/logistics/shipments/{shipment.pk}/documents/{kind}.pdf").status_code == 404


def test_booking_twice_keeps_one_shipment_and_one_tracking_number(booked):
    seller, _, order, shipment = booked
    again = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    assert again.pk == shipment.pk
    assert Shipment.objects.get(pk=shipment.pk).tracking_number == shipment.tracking_number
    assert Shipment.objects.count() == 1
