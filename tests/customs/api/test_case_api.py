"""The clearance API: officers do everything; sellers see their cases in plain words; buyers the status."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.selectors import company_of
from tests import factories
from tests.customs.conftest import drive, open_case
from tests.factories import api_client as client_for

pytestmark = pytest.mark.django_db
SILK = [{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1, "unit_value": "9000.00",
         "origin": "CN", "net_weight_kg": "1.2"}]
DENIED = {"name": "Banco Nacional de Cuba", "country": "CU", "lines": ["x"], "city": "Havana"}



@pytest.fixture
def parties(reference_data, instant_authority):
    seller, buyer, officer = factories.seller(), factories.buyer(), factories.officer()
    case = open_case(company_id=company_of(seller).pk, buyer_id=buyer.pk, consignee=DENIED)
    drive(case.pk)
    return seller, buyer, officer, case


def test_each_role_sees_what_it_may(parties):
    seller, buyer, officer, case = parties
    as_officer = client_for(officer).get(f"/api/v1/customs/cases/{case.pk}/").json()
    assert as_officer["findings"][0]["evidence"]["list"] == "OFAC-SDN" and as_officer["events"]
    as_seller = client_for(seller).get(f"/api/v1/customs/cases/{case.pk}/").json()
    assert as_seller["status"] == "held" and "OFAC" not in str(as_seller) and "evidence" not in str(as_seller)
    assert as_seller["findings"] == ["A party of the shipment needs a compliance check by customs."]
    as_buyer = client_for(buyer).get(f"/api/v1/customs/cases/{case.pk}/").json()
    assert set(as_buyer) == {"id", "shipment_reference", "status", "destination", "updated_at"}
    stranger = client_for(factories.buyer())
    assert stranger.get(f"/api/v1/customs/cases/{case.pk}/").status_code == 404
    assert stranger.get("/api/v1/customs/cases/").json()["results"] == []
    assert [c["id"] for c in client_for(seller).get("/api/v1/customs/cases/").json()["results"]] == [case.pk]
    assert APIClient().get("/api/v1/customs/cases/").status_code in (401, 403)


def test_officer_actions_and_errors(parties):
    seller, buyer, officer, case = parties
    client = client_for(officer)
    assert client.post(f"/api/v1/customs/cases/{case.pk}/assign/").json()["assigned_to"] == officer.email
    assert client.post(f"/api/v1/customs/cases/{case.pk}/notes/", {"note": ""}, format="json").json()["error"][
        "field"] == "note"
    assert client.post(f"/api/v1/customs/cases/{case.pk}/notes/", {"note": "Checking."}, format="json").status_code == 201
    bad = client.post(f"/api/v1/customs/cases/{case.pk}/document-requests/", {"kinds": ["passport"], "message": "x"},
                      format="json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_documents"
    assert client_for(seller).post(f"/api/v1/customs/cases/{case.pk}/assign/").status_code == 403
    made = client.post(f"/api/v1/customs/cases/{case.pk}/document-requests/",
                       {"kinds": ["commercial_invoice"], "message": "Send the invoice."}, format="json")
    assert made.status_code == 201
    # the seller uploads through the API; a wrong file type is a 400 at the field
    wrong = client_for(seller).post(f"/api/v1/customs/cases/{case.pk}/documents/",
                                    {"kind": "commercial_invoice", "file": SimpleUploadedFile("a.txt", b"hello")},
                                    format="multipart")
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "file"
    ok = client_for(seller).post(f"/api/v1/customs/cases/{case.pk}/documents/",
                                 {"kind": "commercial_invoice", "file": SimpleUploadedFile("a.pdf", b"%PDF-1.4 x")},
                                 format="multipart")
    assert ok.status_code == 201
    assert drive(case.pk) == "held"  # screened again: the party is still listed
    rejected = client.post(f"/api/v1/customs/cases/{case.pk}/reject/", {"reason": "Denied party."}, format="json")
    assert rejected.json()["status"] == "rejected"
    again = client.post(f"/api/v1/customs/cases/{case.pk}/release/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invalid_transition"


def test_the_officer_queue_filters_and_the_dashboard(parties, django_assert_max_num_queries):
    seller, buyer, officer, case = parties
    for _ in range(3):
        drive(open_case(lines=SILK).pk)
    client = client_for(officer)
    with django_assert_max_num_queries(8):
        results = client.get("/api/v1/customs/cases/?reason=high_value").json()["results"]
    assert len(results) == 3 and case.pk not in [r["id"] for r in results]
    assert client.get("/api/v1/customs/cases/?min_value=x").json()["error"]["field"] == "min_value"
    dashboard = client.get("/api/v1/customs/clearance/dashboard/").json()
    assert dashboard["per_state"]["held"] == 4 and dashboard["holds_per_reason"]["high_value"] == 3
