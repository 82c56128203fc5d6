"""Private documents stay private: customs documents, business licences and shipment papers live in
their own storage under random names, are served only to those who may see them, as attachments typed
by their bytes with nosniff; an upload that is not a PDF, PNG or JPEG (an HTML page) is refused at its
field; /media/ serves listing photos only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.selectors import company_of
from customs import services as customs
from ewtp.exceptions import ApplicationError
from tests import factories
from tests.customs.conftest import drive, open_case
from tests.factories import api_client, page_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"
SILK = [{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1, "unit_value": "9000.00",
         "origin": "CN", "net_weight_kg": "1.2"}]


@pytest.fixture
def roots(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    return Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def awaiting(reference_data, settings):
    """(seller, buyer, case): a held case of the seller's, waiting for the seller's documents."""
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    seller, buyer = factories.seller(), factories.buyer()
    case = open_case(lines=SILK, company_id=company_of(seller).pk, buyer_id=buyer.pk)
    drive(case.pk)
    customs.case_request_documents(case_id=case.pk, officer=factories.officer(), kinds=["commercial_invoice"],
                                   message="Send the invoice.")
    return seller, buyer, case


def test_a_case_document_is_stored_privately_and_served_only_to_its_seller_and_officers(roots, awaiting):
    media, private = roots
    seller, buyer, case = awaiting
    # when the seller uploads the invoice from the customs page, under a name of their own
    page_client(seller).post(f"/customs/cases/{case.pk}/documents/", {
        "kind": "commercial_invoice", "file": SimpleUploadedFile("Invoice 2026-11.html.pdf", PDF)})
    document = case.documents.get()
    # then it sits in the private storage under a random name, nothing under /media/'s folder
    stem = document.file.name.rsplit("/", 1)[-1].removesuffix(".pdf")
    assert len(stem) == 32 and "Invoice" not in document.file.name
    assert (private / document.file.name).read_bytes() == PDF
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))
    with pytest.raises(ValueError):
        document.file.url  # noqa: B018  (a private file has no URL)
    url = f"/customs/documents/{document.pk}/"
    # and a visitor is asked to log in; another seller, the buyer, finance and compliance find nothing
    assert Client().get(url)["Location"].startswith("/accounts/login/")
    for other in (factories.seller(legal_name="Other Co"), buyer, factories.finance(), factories.compliance()):
        assert page_client(other).get(url).status_code == 404
    # while the seller and an officer download it: an attachment, typed by its bytes, nosniff
    for allowed in (seller, factories.officer()):
        response = page_client(allowed).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")
        assert b"".join(response.streaming_content) == PDF


def test_an_html_page_is_refused_at_the_field_on_the_page_and_in_the_api(roots, awaiting):
    seller, _buyer, case = awaiting
    response = api_client(seller).post(f"/api/v1/customs/cases/{case.pk}/documents/", {
        "kind": "commercial_invoice", "file": SimpleUploadedFile("invoice.pdf", HTML, content_type="application/pdf")},
        format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_file_type" and response.json()["error"]["field"] == "file"
    assert not case.documents.exists()
    # and the business licence too: the onboarding form says so at the licence field
    owner = factories.user(country="DE")
    page = page_client(owner).post("/sell/company/", {
        "legal_name": "Berliner Teehaus GmbH", "country": "DE", "city": "Berlin", "address": "Torstraße 45",
        "postcode": "10119", "currency": "EUR", "contact_name": "Anna", "contact_phone": "+49 30 1234",
        "business_licence": SimpleUploadedFile("licence.html", HTML, content_type="text/html")})
    assert page.status_code == 200
    assert "business_licence" in page.context["form"].errors
    assert company_of(owner) is None


def test_a_licence_is_private_and_only_compliance_and_the_members_download_it(roots):
    _media, private = roots
    from accounts.services import company_create

    owner = factories.user(country="DE")
    company = company_create(owner=owner, legal_name="Berliner Teehaus GmbH", country="DE", city="Berlin",
                             address="Torstraße 45", currency="EUR",
                             business_licence=SimpleUploadedFile("my licence.pdf", PDF))
    assert (private / company.business_licence.name).exists() and "my licence" not in company.business_licence.name
    url = f"/companies/{company.pk}/licence/"
    assert Client().get(url)["Location"].startswith("/accounts/login/")
    for other in (factories.seller(legal_name="Other Co"), factories.buyer(), factories.officer(),
                  factories.finance()):
        assert page_client(other).get(url).status_code == 404
    for allowed in (owner, factories.compliance()):
        response = page_client(allowed).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.urls("tests.public_media_urls")
def test_media_serves_listing_photos_only_and_a_guessed_document_path_is_404(roots, awaiting):
    media, _private = roots
    seller, _buyer, case = awaiting
    customs.case_document_upload(case_id=case.pk, company_id=company_of(seller).pk, user=seller,
                                 kind="commercial_invoice", upload=SimpleUploadedFile("invoice.pdf", PDF))
    document = case.documents.get()
    # a listing photo (a real image, re-encoded by Pillow) is public
    from PIL import Image

    from marketplace.services.listings import listing_photo_add

    listing = factories.listing(seller)
    image = io.BytesIO()
    Image.new("RGB", (400, 300), "green").save(image, "PNG")
    photo = listing_photo_add(user=seller, listing_id=listing.pk,
                              upload=SimpleUploadedFile("tea.png", image.getvalue()))
    assert Client().get(f"/media/{photo.image.name}").status_code == 200
    # but the document's name under /media/, or any guess at the old paths, is not found
    for guess in (document.file.name, "customs/documents/2026/11/invoice.pdf", "licences/2026/11/x.pdf",
                  "../private/" + document.file.name):
        assert Client().get(f"/media/{guess}").status_code == 404
    # and even a file left in the public folder from before is not served outside listings/
    (media / "customs").mkdir(parents=True, exist_ok=True)
    (media / "customs" / "old.html").write_bytes(HTML)
    assert Client().get("/media/customs/old.html").status_code == 404


def test_a_photo_that_is_not_a_real_image_is_refused(roots):
    from marketplace.models import ListingPhoto
    from marketplace.services.listings import listing_photo_add

    seller = factories.seller()
    listing = factories.listing(seller)
    with pytest.raises(ApplicationError) as refused:
        listing_photo_add(user=seller, listing_id=listing.pk,
                          upload=SimpleUploadedFile("tea.png", b"\x89PNG\r\n\x1a\n" + HTML))
    assert (refused.value.code, refused.value.field) == ("invalid_image", "photos")
    assert not ListingPhoto.objects.exists()


def test_shipment_papers_are_private_attachments(settings, tmp_path, reference_data, django_capture_on_commit_callbacks):
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    from logistics.models import Shipment
    from logistics.services import shipment_book
    from marketplace.services.orders import order_book_shipment

    seller, buyer, order = factories.paid_order(quantity=6)
    with django_capture_on_commit_callbacks():
        shipment = order_book_shipment(user=seller, order_id=order.pk)
    shipment_book(shipment_id=shipment.pk)
    shipment = Shipment.objects.get(pk=shipment.pk)
    response = page_client(seller).get(f"/logistics/shipments/{shipment.pk}/documents/commercial-invoice.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert any((tmp_path / "private").rglob("*.pdf")) and not (tmp_path / "media").exists()
    api = api_client(seller).get(f"/api/v1/logistics/shipments/{shipment.pk}/documents/label/")
    assert api["X-Content-Type-Options"] == "nosniff" and api["Content-Disposition"].startswith("attachment;")
    # the buyer, the officer and finance get none
    for other in (buyer, factories.officer(), factories.finance()):
        assert page_client(other).get(
            f"/logistics/shipments/{shipment.pk}/documents/label.pdf").status_code == 404
