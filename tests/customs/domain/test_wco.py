"""The WCO Data Model declaration: built from a consignment, every rule refusing with its WCO element and
path, and its JSON and XML forms reading back as they were written."""

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from customs.domain.declarations import wco
from ewtp.trade import Consignment
from tests.customs.conftest import make_declaration

LONDON = {"name": "Oliver Smith", "company": "", "lines": ["10 Downing Street"], "city": "London",
          "postcode": "SW1A 2AA", "country": "GB"}
ISSUED = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _declaration(**overrides) -> wco.WcoDeclaration:
    consignment = Consignment.from_json(make_declaration(consignee=LONDON, incoterm="DAP", **overrides))
    return wco.build(consignment, lrn="EWTP-1-TPJANA-1", issued_at=ISSUED)


def test_a_consignment_to_london_is_a_valid_wco_declaration():
    # given tea from Hangzhou to London
    declaration = _declaration()
    # then it validates and reads with the WCO Data Model's names
    assert wco.validate(declaration) == []
    data = declaration.to_json()
    assert data["MetaData"] == {"WCODataModelVersionCode": "3.6", "WCOTypeName": "DEC", "ResponsibleCountryCode": "GB"}
    assert data["Declaration"]["FunctionalReferenceID"] == "EWTP-1-TPJANA-1"
    assert data["Declaration"]["IssueDateTime"] == "2026-03-02T09:30:00Z"
    consignment = data["Declaration"]["Consignment"]
    assert consignment["Consignee"] == {"Name": "Oliver Smith", "Address": {
        "Line": "10 Downing Street", "CityName": "London", "PostcodeID": "SW1A 2AA", "CountryCode": "GB"}}
    assert consignment["Consignor"]["Name"] == "Hangzhou West Lake Tea Co., Ltd."
    assert consignment["TotalGrossMassMeasure"] == "0.700" and consignment["TradeTermsConditionCode"] == "DAP"
    assert consignment["ConsignmentItem"] == [{
        "SequenceNumeric": 1, "CustomsValueAmount": {"@currencyID": "CNY", "#text": "336.00"},
        "Commodity": {"Description": "Longjing green tea 250 g", "ClassificationID": "090210"},
        "GoodsMeasure": {"NetNetWeightMeasure": "0.700", "TariffQuantity": 2}, "Origin": {"CountryCode": "CN"}}]
    # and every element it names has its WCO ID where the sources give one
    assert wco.ELEMENTS["Declaration.FunctionalReferenceID"].wco_id == "D026"
    assert wco.ELEMENTS["Declaration.Consignment.Consignee.Name"].wco_id == "R014"


def test_the_json_and_xml_forms_read_back_as_written():
    declaration = _declaration(lines=[
        {"description": "Green tea", "hs_code": "0902.10", "quantity": 2, "unit_value": "17.00", "origin": "CN",
         "net_weight_kg": "0.700"},
        {"description": "Tea cup", "hs_code": "691200", "quantity": 1, "unit_value": "9.50", "origin": "CN",
         "net_weight_kg": "0.2"}])
    xml = declaration.to_xml()
    root = ElementTree.fromstring(xml)
    assert [item.findtext("Commodity/ClassificationID") for item in root.iter("ConsignmentItem")] == [
        "090210", "691200"]
    assert root.find("Declaration/Consignment/ConsignmentItem/CustomsValueAmount").get("currencyID") == "CNY"
    assert wco.from_xml(xml) == declaration
    assert wco.from_json(declaration.to_json()) == declaration


@pytest.mark.parametrize(("change", "element", "path"), [
    ({"lrn": "EWTP-123456789-TPJANA-12"}, "D026 Functional reference number (LRN)", "Declaration.FunctionalReferenceID"),
    ({"issued_at": datetime(2026, 3, 2)}, "D011 Document issuing date", "Declaration.IssueDateTime"),
    ({"total_gross_mass_kg": None}, "131 Total gross weight", "Declaration.Consignment.TotalGrossMassMeasure"),
    ({"destination_country": "Britain"}, "Country of destination, coded",
     "Declaration.Consignment.DestinationCountryCode"),
    ({"delivery_terms": "FREE"}, "Delivery terms, coded (Incoterms 2020)",
     "Declaration.Consignment.TradeTermsConditionCode"),
    ({"items": ()}, "29A ConsignmentItem", "Declaration.Consignment.ConsignmentItem"),
    ({"currency": "yuan"}, "108 Customs value", "Declaration.Consignment.ConsignmentItem[0].CustomsValueAmount.@currencyID"),
])
def test_each_rule_of_the_declaration_names_its_element(change, element, path):
    declaration = replace(_declaration(), **change)
    assert [(v.element, v.path) for v in wco.validate(declaration)] == [(element, path)]


@pytest.mark.parametrize(("party", "change", "element", "path"), [
    ("consignee", {"name": ""}, "R014 Consignee - name", "Declaration.Consignment.Consignee.Name"),
    ("consignee", {"name": "x" * 71}, "R014 Consignee - name", "Declaration.Consignment.Consignee.Name"),
    ("consignor", {"identification": "CN" + "1" * 16}, "R021 Consignor, coded", "Declaration.Consignment.Consignor.ID"),
    ("consignee", {"city": ""}, "241 Consignee city name", "Declaration.Consignment.Consignee.Address.CityName"),
    ("consignee", {"postcode": "x" * 18}, "245 Consignee postcode identification",
     "Declaration.Consignment.Consignee.Address.PostcodeID"),
    ("consignor", {"country": "China"}, "242 Consignor country, coded",
     "Declaration.Consignment.Consignor.Address.CountryCode"),
])
def test_each_rule_of_a_party_names_its_element(party, change, element, path):
    declaration = _declaration()
    declaration = replace(declaration, **{party: replace(getattr(declaration, party), **change)})
    assert [(v.element, v.path) for v in wco.validate(declaration)] == [(element, path)]


ITEM = "Declaration.Consignment.ConsignmentItem[0]"


@pytest.mark.parametrize(("change", "element", "path"), [
    ({"sequence": 2}, "006 Sequence number", f"{ITEM}.SequenceNumeric"),
    ({"value": Decimal("0")}, "108 Customs value", f"{ITEM}.CustomsValueAmount"),
    ({"value": Decimal("1.005")}, "108 Customs value", f"{ITEM}.CustomsValueAmount"),
    ({"description": " "}, "137 Description of goods", f"{ITEM}.Commodity.Description"),
    ({"hs_code": "0902"}, "145 Tariff code number (HS sub-heading)", f"{ITEM}.Commodity.ClassificationID"),
    ({"net_weight_kg": None}, "128 Net net weight", f"{ITEM}.GoodsMeasure.NetNetWeightMeasure"),
    ({"quantity": 0}, "Tariff quantity", f"{ITEM}.GoodsMeasure.TariffQuantity"),
    ({"origin_country": ""}, "063 Country of origin, coded", f"{ITEM}.Origin.CountryCode"),
])
def test_each_rule_of_a_goods_item_names_its_element(change, element, path):
    declaration = _declaration()
    declaration = replace(declaration, items=(replace(declaration.items[0], **change),))
    assert [(v.element, v.path) for v in wco.validate(declaration)] == [(element, path)]


@pytest.mark.parametrize(("document", "path"), [
    ([], "$"),
    ({"Declaration": {"Consignment": {"ConsignmentItem": {}}}}, "Declaration.Consignment.ConsignmentItem"),
    ({"Declaration": {"IssueDateTime": "yesterday", "Consignment": {}}}, "Declaration.IssueDateTime"),
    ({"Declaration": {"IssueDateTime": "2026-03-02T09:30:00Z", "Consignment": {"ConsignmentItem": [
        {"SequenceNumeric": 1, "CustomsValueAmount": {"@currencyID": "CNY", "#text": "lots"}}]}}},
     "Declaration.Consignment.ConsignmentItem[0].CustomsValueAmount"),
])
def test_a_document_that_does_not_read_says_where(document, path):
    with pytest.raises(wco.DocumentError) as error:
        wco.from_json(document)
    assert error.value.path == path


def test_xml_with_a_dtd_is_refused():
    with pytest.raises(wco.DocumentError):
        wco.from_xml('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><WCODeclaration>&a;</WCODeclaration>')
