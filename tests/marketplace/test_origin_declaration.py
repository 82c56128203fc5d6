"""The seller declares a listing's materials for the rule of origin; bad input changes nothing; the buyer's
quote claims the preference only where the agreement's rule is met."""

from decimal import Decimal

import pytest

from marketplace.models import ListingOriginDeclaration
from marketplace.pricing import quote_order
from tests import factories
from tests.factories import api_client

pytestmark = pytest.mark.django_db

MALAYSIAN_LEAVES = {"ex_works_price": "30.00", "exporter_reference": "MY-EXP-7", "materials": [
    {"description": "green tea leaves", "hs_code": "0902.10", "origin": "MY", "value": "18.00"},
    {"description": "tin", "hs_code": "8309.90", "origin": "CN", "value": "4.00"}]}
CHINESE_LEAVES = {**MALAYSIAN_LEAVES, "materials": [
    {"description": "green tea leaves", "hs_code": "0902.10", "origin": "CN", "value": "20.00"}]}


@pytest.fixture
def tea(reference_data):
    seller = factories.seller(country="MY", currency="MYR", legal_name="Cameron Highlands Tea Sdn. Bhd.")
    return seller, factories.listing(seller, title_en="Highland green tea 250 g", price_amount=Decimal("60.00"))


def test_the_api_saves_the_declaration_and_reads_it_back(tea):
    seller, listing = tea
    answer = api_client(seller).put(f"/api/v1/listings/{listing.pk}/origin/", MALAYSIAN_LEAVES, format="json")
    assert answer.status_code == 200, answer.json()
    assert answer.json()["materials"][0] == {"description": "green tea leaves", "hs_code": "090210",
                                             "origin": "MY", "value": "18.00"}
    assert api_client(seller).get(f"/api/v1/listings/{listing.pk}/origin/").json()["currency"] == "MYR"


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"ex_works_price": "-1"}, "ex_works_price", "invalid_amount"),
    ({"materials": [{"hs_code": "0999", "origin": "MY", "value": "1"}]}, "materials[0].hs_code", "unknown_hs_code"),
    ({"materials": [{"hs_code": "0902", "origin": "MYS", "value": "1"}]}, "materials[0].origin", "invalid_country"),
    ({"materials": [{"hs_code": "0902", "origin": "MY", "value": "-1"}]}, "materials[0].value", "invalid_amount"),
    ({"materials": [{"hs_code": "0902", "origin": "MY", "value": "31"}]}, "materials", "materials_over_price"),
])
def test_bad_input_is_refused_at_its_field_and_changes_nothing(tea, change, field, code):
    seller, listing = tea
    api_client(seller).put(f"/api/v1/listings/{listing.pk}/origin/", MALAYSIAN_LEAVES, format="json")
    answer = api_client(seller).put(f"/api/v1/listings/{listing.pk}/origin/", {**MALAYSIAN_LEAVES, **change},
                                    format="json")
    assert answer.status_code == 400
    assert (answer.json()["error"]["field"], answer.json()["error"]["code"]) == (field, code)
    assert ListingOriginDeclaration.objects.get(listing=listing).materials[0]["origin"] == "MY"


def test_another_company_cannot_declare_for_the_listing(tea):
    _seller, listing = tea
    other = factories.seller(legal_name="Other Tea Co.")
    answer = api_client(other).put(f"/api/v1/listings/{listing.pk}/origin/", MALAYSIAN_LEAVES, format="json")
    assert answer.status_code == 404
    assert not ListingOriginDeclaration.objects.exists()


def test_the_quote_to_japan_is_preferential_only_when_the_rule_of_origin_holds(tea):
    seller, listing = tea
    mfn = quote_order(listing=listing, quantity=20, destination="JP", currency="JPY")
    assert mfn.snapshot.customs.lines[0].rule == "mfn"  # nothing declared: nothing claimed
    api_client(seller).put(f"/api/v1/listings/{listing.pk}/origin/", CHINESE_LEAVES, format="json")
    listing.refresh_from_db()
    refused = quote_order(listing=listing, quantity=20, destination="JP", currency="JPY")
    assert refused.snapshot.customs.lines[0].rule == "mfn"
    assert "rule of origin not met" in refused.snapshot.customs.lines[0].reason
    api_client(seller).put(f"/api/v1/listings/{listing.pk}/origin/", MALAYSIAN_LEAVES, format="json")
    listing.refresh_from_db()
    granted = quote_order(listing=listing, quantity=20, destination="JP", currency="JPY")
    assert granted.snapshot.customs.lines[0].rule == "preference:CPTPP"
    assert granted.duties_estimate < refused.duties_estimate


def test_the_page_form_saves_and_shows_errors_per_material(tea, client):
    seller, listing = tea
    client.force_login(seller)
    url = f"/sell/listings/{listing.pk}/origin/"
    assert client.get(url).status_code == 200
    bad = client.post(url, {"ex_works_price": "30", "materials": "leaves; 0902.10; MY; 18\ntin; 9999; CN; 4"})
    assert bad.status_code == 200 and "Material 2" in bad.content.decode()
    assert not ListingOriginDeclaration.objects.exists()
    malformed = client.post(url, {"ex_works_price": "30", "materials": "leaves 0902.10 MY 18"})
    assert "4 parts" in malformed.content.decode()
    saved = client.post(url, {"ex_works_price": "30", "exporter_reference": "MY-EXP-7",
                              "materials": "leaves; 0902.10; MY; 18\ntin; 8309.90; CN; 4"})
    assert saved.status_code == 302
    assert ListingOriginDeclaration.objects.get(listing=listing).exporter_reference == "MY-EXP-7"
