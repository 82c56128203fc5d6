"""Declarations shared with the authorities: a case's H7 declaration, validated, for its officers and its
seller; the declarations of a period in bulk for officers; a bad period is a 400 at the field."""

from xml.etree import ElementTree

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.selectors import company_of
from tests import factories
from tests.customs.conftest import drive, open_case
from tests.factories import api_client as client_for

pytestmark = pytest.mark.django_db
TEA = [{"description": "Longjing green tea 250 g", "hs_code": "090210", "quantity": 2, "unit_value": "17.00",
        "origin": "CN", "net_weight_kg": "0.700"}]
SILK = [{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1, "unit_value": "9000.00",
         "origin": "CN", "net_weight_kg": "1.2"}]


@pytest.fixture
def world(reference_data, instant_authority):
    instant_authority.CUSTOMS_IOSS_NUMBER = "IM2760000001"
    seller, officer = factories.seller(), factories.officer()
    tea = open_case(company_id=company_of(seller).pk, currency="EUR", lines=TEA)
    drive(tea.pk)
    silk = open_case(company_id=company_of(seller).pk, lines=SILK)
    drive(silk.pk)
    return seller, officer, tea, silk


def test_a_ddp_consignment_to_germany_is_exported_validated(world):
    seller, officer, tea, _ = world
    # when its seller and an officer ask for the H7 declaration
    for user in (seller, officer):
        response = client_for(user).get(f"/api/v1/customs/cases/{tea.pk}/declaration/h7/")
        # then it comes validated, as H7 reads it
        assert response.status_code == 200
        declaration = response.json()["declaration"]
        assert declaration["dataset"] == "H7" and declaration["country_of_destination"] == "DE"
        assert declaration["delivery_terms"] == "DDP" and declaration["additional_procedures"] == ["C07", "F48"]
        assert declaration["additional_fiscal_references"][0]["vat_identification_number"] == "IM2760000001"
        assert declaration["goods_items"][0]["commodity_code"] == "090210"
        assert declaration["intrinsic_value_eur"] == "34.00"
    xml = client_for(seller).get(f"/api/v1/customs/cases/{tea.pk}/declaration/h7/?as=xml")
    assert xml["Content-Type"].startswith("application/xml")
    assert ElementTree.fromstring(xml.content).findtext("CountryOfDestination") == "DE"
    assert client_for(seller).get(f"/api/v1/customs/cases/{tea.pk}/declaration/h7/?as=pdf").json()["error"][
        "field"] == "as"


def test_a_declaration_failing_validation_is_refused_with_its_violations(world):
    seller, _, _, silk = world
    response = client_for(seller).get(f"/api/v1/customs/cases/{silk.pk}/declaration/h7/")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_declaration" and error["field"] == "intrinsic_value_eur"
    assert [v["element"] for v in error["violations"]] == ["14 14 000 000 Intrinsic value"]
    assert "EUR 150" in error["violations"][0]["message"]


def test_another_seller_and_the_buyer_get_404(world):
    _, _, tea, _ = world
    for stranger in (factories.seller(legal_name="Other Co"), factories.buyer()):
        response = client_for(stranger).get(f"/api/v1/customs/cases/{tea.pk}/declaration/h7/")
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    assert APIClient().get(f"/api/v1/customs/cases/{tea.pk}/declaration/h7/").status_code == 401


def test_the_bulk_export_of_a_period(world):
    seller, officer, tea, silk = world
    today = timezone.localdate().isoformat()
    export = client_for(officer).get(f"/api/v1/customs/declarations/h7/?from={today}&to={today}").json()
    assert [d["shipment_reference"] for d in export["declarations"]] == [tea.shipment_reference]
    assert [r["shipment_reference"] for r in export["refused"]] == [silk.shipment_reference]
    assert export["refused"][0]["violations"][0]["path"] == "intrinsic_value_eur"
    # a period before the cases were declared holds none of them
    empty = client_for(officer).get("/api/v1/customs/declarations/h7/?from=2020-01-01&to=2020-01-31").json()
    assert empty["declarations"] == [] and empty["refused"] == []
    # the bulk export is the officers'
    assert client_for(seller).get(f"/api/v1/customs/declarations/h7/?from={today}&to={today}").status_code == 403


@pytest.mark.parametrize(("query", "field", "code"), [
    ("from=2026-01-01", "to", "invalid_period"),
    ("to=2026-01-31", "from", "invalid_period"),
    ("from=2026-13-01&to=2026-01-31", "from", "invalid_period"),
    ("from=01/01/2026&to=2026-01-31", "from", "invalid_period"),
    ("from=2026-01-01&to=20260131", "to", "invalid_period"),
    ("from=2026-01-31&to=2026-01-01", "to", "invalid_period"),
    ("from=2026-01-01&to=2026-12-31", "to", "period_too_long"),
])
@pytest.mark.parametrize("standard", ["h7", "wco"])
def test_bad_periods_are_refused_at_the_field(world, query, field, code, standard):
    response = client_for(world[1]).get(f"/api/v1/customs/declarations/{standard}/?{query}")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field and response.json()["error"]["code"] == code


def test_a_shipment_is_exported_in_the_wco_data_model_validated(world):
    seller, officer, tea, silk = world
    # given a consignment to London, and one whose tariff code is only a heading
    london = open_case(company_id=company_of(seller).pk, destination="GB", currency="GBP", incoterm="DAP", lines=TEA,
                       consignee={"name": "Oliver Smith", "lines": ["10 Downing Street"], "city": "London",
                                  "postcode": "SW1A 2AA", "country": "GB"})
    drive(london.pk)
    heading = open_case(company_id=company_of(seller).pk, lines=[TEA[0] | {"hs_code": "0902"}])
    # when its seller asks for the WCO declaration, as JSON and as XML
    response = client_for(seller).get(f"/api/v1/customs/cases/{london.pk}/declaration/wco/")
    # then it comes validated, with the WCO Data Model's names and IDs
    assert response.status_code == 200
    body = response.json()
    declaration = body["declaration"]["Declaration"]
    assert declaration["Consignment"]["Consignee"]["Address"]["CountryCode"] == "GB"
    assert declaration["Consignment"]["ConsignmentItem"][0]["Commodity"]["ClassificationID"] == "090210"
    assert body["elements"]["Declaration.FunctionalReferenceID"] == {
        "id": "D026", "name": "Functional reference number (LRN)", "format": "an..22"}
    xml = client_for(seller).get(f"/api/v1/customs/cases/{london.pk}/declaration/wco/?as=xml")
    assert ElementTree.fromstring(xml.content).findtext("Declaration/Consignment/DestinationCountryCode") == "GB"
    # and the one that fails is refused with the element at fault
    refused = client_for(officer).get(f"/api/v1/customs/cases/{heading.pk}/declaration/wco/")
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "Declaration.Consignment.ConsignmentItem[0].Commodity.ClassificationID"
    assert refused.json()["error"]["violations"][0]["element"] == "145 Tariff code number (HS sub-heading)"
    # and the period's bulk export in the WCO Data Model holds the valid ones (the silk above H7's EUR 150 too)
    today = timezone.localdate().isoformat()
    export = client_for(officer).get(f"/api/v1/customs/declarations/wco/?from={today}&to={today}").json()
    assert export["dataset"] == "WCO"
    assert {d["shipment_reference"] for d in export["declarations"]} >= {london.shipment_reference,
                                                                          silk.shipment_reference, tea.shipment_reference}
