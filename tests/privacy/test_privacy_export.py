"""A signed-in user downloads everything the platform holds about them (GDPR art. 15 and 20, PIPL art. 45):
a ZIP with one JSON file per area and their uploaded files — their own data and never anyone else's."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.selectors import company_of
from accounts.services import company_update
from marketplace.services.addresses import address_add
from marketplace.services.checkout import order_pay, order_place
from privacy.selectors import personal_data_archive, read_archive
from tests import factories
from tests.factories import api_client, page_client

pytestmark = pytest.mark.django_db
AREAS = {"account", "addresses", "companies", "orders", "payments", "shipments", "customs_cases", "rfqs", "security",
         "notifications"}
PDF = b"%PDF-1.4\n" + b"0" * 64


def archive_of(user) -> tuple[dict, bytes]:
    _, stream = personal_data_archive(user=user)
    raw = stream.read()
    return read_archive(raw), raw


def test_the_buyer_downloads_every_area_of_their_data_from_the_page(completed_order):
    seller, buyer, order = completed_order
    address_add(user=buyer, name="Ada Buyer", line="1 Baker Street", city="London", country="GB", postcode="NW1 6XE",
                label="Office")
    # when the buyer opens "Your data" from their profile and downloads it
    client = page_client(buyer)
    assert 'href="/accounts/privacy/"' in client.get("/accounts/profile/").content.decode()
    page = client.get("/accounts/privacy/")
    assert page.status_code == 200 and 'data-testid="export-download"' in page.content.decode()
    response = client.get("/accounts/privacy/export/")
    # then it is a ZIP with a manifest and one JSON file per area
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    data = read_archive(b"".join(response.streaming_content))
    assert {name.removesuffix(".json") for name in data} == AREAS | {"manifest"}
    assert data["manifest.json"]["areas"]["orders"] == "orders.json"
    # with their account, addresses, the order with its quote, the payment, the shipment and its customs case
    assert data["account.json"]["email"] == buyer.email
    assert [(a["label"], a["line"]) for a in data["addresses.json"]] == [("Office", "1 Baker Street")]
    (exported,) = data["orders.json"]
    assert exported["reference"] == order.reference and exported["quote"] == order.quote
    assert exported["total"] == {"amount": str(order.total_amount), "currency": order.currency}
    assert exported["ship_to"]["name"] == buyer.full_name
    assert [step["to"] for step in exported["history"]][-1] == "completed"
    (payment,) = data["payments.json"]
    assert payment["status"] == "succeeded" and payment["orders"][0]["reference"] == order.reference
    (shipment,) = data["shipments.json"]
    assert shipment["recipient"]["name"] == buyer.full_name and shipment["tracking"]
    assert shipment["sender"] == {"company": company_of(seller).legal_name, "city": "Hangzhou", "country": "CN"}
    (case,) = data["customs_cases.json"]
    assert case["status"] == "cleared" and case["consignee"]["name"] == buyer.full_name
    assert data["security.json"]["last_login"] is not None  # force_login signed them in


def test_a_buyers_archive_holds_nobody_elses_data(completed_order):
    seller, buyer, order = completed_order
    # given another buyer with an order of their own from the same seller
    other = factories.buyer(country="GB", currency="GBP")
    other_order = order_place(buyer=other, listing_id=order.lines.get().listing_id, quantity=2)
    order_pay(buyer=other, order_id=other_order.pk, card_number="4242424242424242")
    # when the first buyer downloads their data
    data, raw = archive_of(buyer)
    text = raw.decode("latin-1") + "".join(str(v) for v in data.values())
    # then neither the other buyer nor the seller's staff member appears, nor the other order
    for value in (other.email, other.full_name, seller.email, seller.full_name, other_order.reference):
        assert value not in text, value
    assert [o["reference"] for o in data["orders.json"]] == [order.reference]
    # and the other buyer's archive has only theirs
    data, raw = archive_of(other)
    assert [o["reference"] for o in data["orders.json"]] == [other_order.reference]
    assert buyer.email not in raw.decode("latin-1") and buyer.full_name not in str(data)


def test_a_seller_gets_their_company_and_licence_but_not_their_buyers(completed_order):
    seller, buyer, order = completed_order
    company_update(user=seller, data={"contact_phone": "+86 571 8888 0000"},
                   business_licence=SimpleUploadedFile("licence.pdf", PDF))
    data, raw = archive_of(seller)
    (membership,) = data["companies.json"]
    assert membership["role"] == "owner" and membership["company"]["contact_phone"] == "+86 571 8888 0000"
    licence = next(name for name in data if name.startswith(f"files/company-{company_of(seller).pk}/"))
    assert data[licence] == PDF and data["manifest.json"]["files"][0]["file"] == licence
    # the company's orders hold its buyers' names and addresses: not the seller's to take away
    assert data["orders.json"] == [] and data["shipments.json"] == []
    assert buyer.email not in raw.decode("latin-1") and buyer.full_name not in str(data)


def test_files_over_the_size_limit_are_listed_not_included(completed_order, settings):
    seller, _, _ = completed_order
    company_update(user=seller, data={}, business_licence=SimpleUploadedFile("licence.pdf", PDF))
    settings.PRIVACY_EXPORT_MAX_FILE_BYTES = 10
    data, _ = archive_of(seller)
    assert not [name for name in data if name.startswith("files/")]
    (omitted,) = data["manifest.json"]["files_not_included"]
    assert omitted["what"] == "business licence" and omitted["bytes"] == len(PDF)


def test_the_api_gives_the_same_archive_and_refuses_strangers(completed_order):
    _, buyer, order = completed_order
    response = api_client(buyer).get("/api/v1/privacy/export/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        assert "orders.json" in archive.namelist()
    assert api_client().get("/api/v1/privacy/export/").status_code in (401, 403)
    anonymous = page_client(buyer)
    anonymous.logout()
    assert anonymous.get("/accounts/privacy/export/").status_code == 302  # to the sign-in page


def test_the_export_runs_the_same_queries_for_one_order_or_three(paid_order):
    seller, buyer, order = paid_order
    with CaptureQueriesContext(connection) as one:
        archive_of(buyer)
    for _ in range(2):
        more = order_place(buyer=buyer, listing_id=order.lines.get().listing_id, quantity=1)
        order_pay(buyer=buyer, order_id=more.pk, card_number="4242424242424242")
    with CaptureQueriesContext(connection) as three:
        archive_of(buyer)
    assert len(three) == len(one)
