"""The officers' console and the seller's customs page, through the real views."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.selectors import company_of
from customs.models import ClearanceCase
from tests import factories
from tests.customs.conftest import drive, open_case
from tests.factories import page_client as client_for

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
SILK = [{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1, "unit_value": "9000.00",
         "origin": "CN", "net_weight_kg": "1.2"}]



def test_only_officers_see_the_console(reference_data):
    assert client_for(factories.buyer()).get("/customs/console/").status_code == 403
    assert client_for(factories.officer()).get("/customs/console/").status_code == 200


def test_the_queue_filters_and_counts_per_reason(reference_data, instant_authority, django_assert_max_num_queries):
    officer = factories.officer()
    held = [open_case(lines=SILK, destination=d) for d in ("DE", "DE", "GB")]
    for case in held:
        drive(case.pk)
    client = client_for(officer)
    with django_assert_max_num_queries(20):
        page = client.get("/customs/console/").content.decode()
    assert all(c.shipment_reference in page for c in held)
    assert "High value (3)" in page and 'value="high_value"' in page
    only_gb = client.get("/customs/console/?destination=gb").content.decode()
    assert held[2].shipment_reference in only_gb and held[0].shipment_reference not in only_gb
    bad = client.get("/customs/console/?min_value=lots").content.decode()
    assert "Enter the value as a number" in bad


def test_an_officer_reviews_assigns_notes_and_releases(reference_data, instant_authority):
    officer = factories.officer()
    case = open_case(lines=SILK)
    drive(case.pk)
    client = client_for(officer)
    page = client.get(f"/customs/cases/{case.pk}/").content.decode()
    assert "high_value" in page and "threshold eur" in page
    client.post(f"/customs/cases/{case.pk}/decide/", {"action": "assign"})
    client.post(f"/customs/cases/{case.pk}/decide/", {"action": "note", "note": "Invoice looks right."})
    response = client.post(f"/customs/cases/{case.pk}/decide/", {"action": "release", "reason": "OK"})
    assert response.status_code == 302 and response["Location"].endswith("/customs/console/")
    assert drive(case.pk) == "cleared"
    page = client.get(f"/customs/cases/{case.pk}/").content.decode()
    assert "Invoice looks right." in page and "officer_released" in page and officer.email in page


def test_rejecting_without_a_reason_shows_an_error_and_changes_nothing(reference_data, instant_authority):
    officer = factories.officer()
    case = open_case(lines=SILK)
    drive(case.pk)
    response = client_for(officer).post(f"/customs/cases/{case.pk}/decide/", {"action": "reject", "reason": ""},
                                        follow=True)
    assert "Say why the shipment is rejected." in response.content.decode()
    assert ClearanceCase.objects.get(pk=case.pk).status == "held"


def test_the_seller_uploads_requested_documents_and_never_sees_list_entries(reference_data, instant_authority):
    # given a seller's shipment held for a denied-party match and a preference without proof
    seller, officer = factories.seller(), factories.officer()
    case = open_case(company_id=company_of(seller).pk,
                     consignee={"name": "Banco Nacional de Cuba", "country": "CU", "lines": ["x"], "city": "Havana"})
    drive(case.pk)
    client_for(officer).post(f"/customs/cases/{case.pk}/decide/", {
        "action": "request_documents", "kinds": ["commercial_invoice"], "message": "Send the invoice."})
    # when the seller opens their customs page
    client = client_for(seller)
    page = client.get("/customs/my-cases/").content.decode()
    # then they see the task and a plain summary, not the list entry
    assert "Send the invoice." in page and "compliance check" in page
    assert "OFAC" not in page and "BANCO NACIONAL" not in page.upper()
    # and their upload re-screens the case
    response = client.post(f"/customs/cases/{case.pk}/documents/",
                           {"kind": "commercial_invoice", "file": SimpleUploadedFile("invoice.pdf", PDF)}, follow=True)
    assert "screens the shipment again" in response.content.decode()
    assert ClearanceCase.objects.get(pk=case.pk).status == "declared"
    # another seller can neither upload nor download
    other = factories.seller(legal_name="Other Tea Ltd")
    document = case.documents.get()
    assert client_for(other).get(f"/customs/documents/{document.pk}/").status_code == 404
    assert client.get(f"/customs/documents/{document.pk}/").status_code == 200


def test_the_dashboard_counts_states(reference_data, instant_authority):
    from customs.services import case_reject

    officer = factories.officer()
    drive(open_case().pk)
    held = open_case(lines=SILK)
    drive(held.pk)
    case_reject(case_id=held.pk, officer=officer, reason="Not as declared.")
    page = client_for(officer).get("/customs/console/dashboard/").content.decode()
    assert "Auto-release rate" in page and "50%" in page
