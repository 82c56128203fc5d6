"""Company onboarding over the API: register, follow the verification, correct after a rejection; compliance
lists the companies waiting and decides. Bad input is refused at its field and changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Company
from tests import factories
from tests.factories import api_client

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
TEAHOUSE = {"legal_name": "Berliner Teehaus GmbH", "country": "DE", "city": "Berlin", "address": "Torstraße 45",
            "currency": "EUR", "vat_number": "DE136695976"}


def test_a_seller_registers_is_rejected_corrects_and_is_verified():
    owner, compliance = factories.user(country="DE"), factories.compliance()
    seller, staff = api_client(owner), api_client(compliance)
    # when a user registers their company
    created = seller.post("/api/v1/companies/mine/", TEAHOUSE, format="json")
    # then it waits for review, and compliance sees it in the queue
    assert created.status_code == 201, created.json()
    company = created.json()
    assert company["verification"] == "pending" and company["legal_name"] == "Berliner Teehaus GmbH"
    assert seller.get("/api/v1/companies/mine/").json()["verification"] == "pending"
    queue = staff.get("/api/v1/companies/review/").json()
    assert [c["id"] for c in queue["results"]] == [company["id"]]
    # when compliance rejects it with a reason, the seller reads the reason
    staff.post(f"/api/v1/companies/{company['id']}/verify/", {"approve": False, "reason": "Licence missing"},
               format="json")
    mine = seller.get("/api/v1/companies/mine/").json()
    assert (mine["verification"], mine["verification_reason"]) == ("rejected", "Licence missing")
    # when the seller sends the licence, it goes back to review; compliance verifies it
    corrected = seller.patch("/api/v1/companies/mine/", {
        "business_licence": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")},
        format="multipart")
    assert corrected.status_code == 200, corrected.json()
    assert corrected.json()["verification"] == "pending" and corrected.json()["has_licence"] is True
    verified = staff.post(f"/api/v1/companies/{company['id']}/verify/", {"approve": True}, format="json")
    assert verified.json()["verification"] == "verified"
    assert seller.get("/api/v1/companies/mine/").json()["verification"] == "verified"


@pytest.mark.parametrize("change, field", [
    ({"legal_name": ""}, "legal_name"),
    ({"legal_name": "x" * 201}, "legal_name"),
    ({"country": "Germany"}, "country"),
    ({"country": 49}, "country"),
    ({"currency": "EURO"}, "currency"),
    ({"contact_email": "not an email"}, "contact_email"),
    ({"vat_number": "DE000"}, "vat_number"),
])
def test_a_bad_registration_is_refused_at_its_field_and_makes_no_company(change, field):
    response = api_client(factories.user()).post("/api/v1/companies/mine/", {**TEAHOUSE, **change}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == field, response.json()
    assert not Company.objects.exists()


def test_a_licence_that_is_a_web_page_is_refused_at_its_field():
    response = api_client(factories.user()).post("/api/v1/companies/mine/", {
        **TEAHOUSE, "business_licence": SimpleUploadedFile("licence.pdf", b"<html><script>x</script></html>")},
        format="multipart")
    assert response.status_code == 400 and response.json()["error"]["field"] == "business_licence"
    assert not Company.objects.exists()


def test_a_second_company_a_replay_and_strangers_change_nothing():
    seller = factories.seller()
    client = api_client(seller)
    # a member registers again (a replayed request, too): refused, still one company
    again = client.post("/api/v1/companies/mine/", TEAHOUSE, format="json")
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_member"
    assert Company.objects.count() == 1
    # nobody but compliance reads the queue or decides
    pending = Company.objects.create(legal_name="Waiting Co", country="TH", city="Chiang Mai", address="1 Road",
                                     currency="THB")
    for other in (seller, factories.buyer(), factories.officer(), factories.finance()):
        assert api_client(other).get("/api/v1/companies/review/").status_code == 403
        assert api_client(other).post(f"/api/v1/companies/{pending.pk}/verify/", {"approve": True},
                                      format="json").status_code == 403
    pending.refresh_from_db()
    assert pending.verification == "pending"
    # compliance must give a reason to reject; an unknown company is a 404
    staff = api_client(factories.compliance())
    no_reason = staff.post(f"/api/v1/companies/{pending.pk}/verify/", {"approve": False}, format="json")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    assert staff.post("/api/v1/companies/999999/verify/", {"approve": True}, format="json").status_code == 404
    # a visitor is asked to sign in; a user of no company is told to register
    assert api_client().get("/api/v1/companies/mine/").status_code == 401
    assert api_client(factories.buyer()).get("/api/v1/companies/mine/").status_code == 404
