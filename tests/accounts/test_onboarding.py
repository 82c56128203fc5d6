"""Company onboarding and verification, as the seller and the staff see it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Company, CompanyMember
from accounts.selectors import company_of
from accounts.services import company_create, company_verify
from ewtp.exceptions import Conflict
from marketplace.models import Listing
from marketplace.services.listings import listing_create, listing_publish
from tests import factories

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def company_form(**overrides):
    data = {"legal_name": "Berliner Teehaus GmbH", "country": "DE", "city": "Berlin", "address": "Torstraße 45",
            "postcode": "10119", "registration_number": "HRB 12345", "tax_id": "", "vat_number": "DE 136 695 976",
            "eori_number": "DE1234567", "currency": "EUR", "contact_name": "Anna", "contact_email": "a@teehaus.example",
            "contact_phone": "+49 30 1234567",
            "business_licence": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_seller_onboards_is_rejected_with_a_reason_fixes_it_and_is_verified(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = factories.user(country="DE")
    client.force_login(owner)
    # given the seller registers the company with a licence
    response = client.post("/sell/company/", company_form())
    assert response.status_code == 302
    company = Company.objects.get(legal_name="Berliner Teehaus GmbH")
    assert (company.verification, company.vat_number, company.eori_number) == ("pending", "DE136695976", "DE1234567")
    assert company.business_licence.name.endswith(".pdf") and "licence.pdf" not in company.business_licence.name
    # and a draft listing cannot be published yet
    draft = listing_create(user=owner, data={"title_en": "Tea", "hs_code": "090210", "origin_country": "CN",
                                             "price_amount": "9.00", "stock": 5, "weight_kg": "0.1"})
    with pytest.raises(Conflict):
        listing_publish(user=owner, listing_id=draft.pk)
    # when staff reject it with a reason
    staff_client = client.__class__()
    staff_client.force_login(factories.staff())
    assert "Berliner Teehaus GmbH" in staff_client.get("/staff/companies/").content.decode()
    assert staff_client.get(f"/companies/{company.pk}/licence/").status_code == 200
    empty = staff_client.post(f"/staff/companies/{company.pk}/", {"decision": "reject", "reason": ""})
    assert "Give the reason for the rejection." in empty.content.decode()
    staff_client.post(f"/staff/companies/{company.pk}/", {"decision": "reject", "reason": "The licence is unreadable."})
    # then the seller sees the status and the reason, and resubmits
    dashboard = client.get("/sell/").content.decode()
    assert "Verification rejected" in dashboard and "The licence is unreadable." in dashboard
    client.post("/sell/company/", company_form(business_licence=SimpleUploadedFile("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 50)))
    company.refresh_from_db()
    assert company.verification == "pending" and company.business_licence.name.endswith(".png")
    # and once verified, the listing goes live
    staff_client.post(f"/staff/companies/{company.pk}/", {"decision": "verify", "reason": ""})
    listing_publish(user=owner, listing_id=draft.pk)
    assert Listing.objects.get(pk=draft.pk).status == "published"


@pytest.mark.parametrize("override, field, message", [
    ({"vat_number": "DE123456789"}, "vat_number", "not a valid DE VAT number"),
    ({"eori_number": "FR1234"}, "eori_number", "starts with DE"),
    ({"country": "GB", "currency": "GBP", "vat_number": "", "eori_number": "GB1234"}, "eori_number", "12 digits"),
    ({"business_licence": SimpleUploadedFile("licence.pdf", b"just text", content_type="application/pdf")},
     "business_licence", "PDF, PNG or JPEG"),
    ({"business_licence": SimpleUploadedFile("big.pdf", PDF + b"0" * (5 * 1024 * 1024))}, "business_licence",
     "at most 5 MB"),
    ({"legal_name": "   "}, "legal_name", "required"),
])
def test_bad_company_details_are_refused_at_the_field_and_nothing_is_written(client, override, field, message,
                                                                            settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = factories.user(country="DE")
    client.force_login(owner)
    page = client.post("/sell/company/", company_form(**override))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert f'id="id_{field}_error"' in page.content.decode()
    assert not CompanyMember.objects.filter(user=owner).exists()
    assert not list(tmp_path.rglob("*.*"))


def test_only_staff_review_and_only_members_see_the_licence(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    owner = factories.user(country="DE")
    company_create(owner=owner, business_licence=SimpleUploadedFile("l.pdf", PDF),
                   **{k: v for k, v in company_form().items() if k != "business_licence"})
    company = company_of(owner)
    client.force_login(factories.seller())  # another company's seller
    assert client.get("/staff/companies/").status_code == 403
    assert client.get(f"/staff/companies/{company.pk}/").status_code == 403
    assert client.get(f"/companies/{company.pk}/licence/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/companies/{company.pk}/licence/").status_code == 200


def test_a_rejected_companys_listings_leave_the_catalog(client):
    # given a verified seller with a published listing in the catalog
    seller = factories.seller()
    listing = factories.listing(seller)
    assert listing.status == Listing.Status.PUBLISHED and listing.title_en in client.get("/").content.decode()
    # when compliance staff reject the company
    company_verify(company=company_of(seller), staff=factories.compliance(), approve=False,
                   reason="The licence has expired.")
    # then the listing is a draft again and the catalog no longer shows it
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.DRAFT
    assert listing.title_en not in client.get("/").content.decode()


def test_the_old_admin_links_to_users_and_companies_lead_to_accounts(admin_client):
    # given a company (the admin lists it under accounts now)
    company = company_of(factories.seller())
    # when an old bookmark of the marketplace app's admin is followed
    old = admin_client.get(f"/admin/marketplace/company/{company.pk}/change/?_changelist_filters=x")
    # then it leads to the same page under accounts
    assert old.status_code == 301 and old["Location"] == f"/admin/accounts/company/{company.pk}/change/?_changelist_filters=x"
    assert admin_client.get(old["Location"]).status_code == 200
    assert admin_client.get("/admin/accounts/user/").status_code == 200
