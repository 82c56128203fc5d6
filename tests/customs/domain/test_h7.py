"""The EU H7 low-value declaration: built from a consignment, every rule refusing with its data element."""

from dataclasses import replace
from decimal import Decimal
from xml.etree import ElementTree

import pytest

from customs.domain.declarations import h7
from ewtp.trade import Consignment
from tests.customs.conftest import make_declaration

TEA = [{"description": "Longjing green tea 250 g", "hs_code": "0902.10", "quantity": 2, "unit_value": "17.00",
        "origin": "CN", "net_weight_kg": "0.700"}]


def _consignment(**overrides) -> Consignment:
    return Consignment.from_json(make_declaration(currency="EUR", lines=overrides.pop("lines", TEA), **overrides))


def _declaration(**overrides) -> h7.H7Declaration:
    ioss = overrides.pop("ioss_number", "IM2760000001")
    value = overrides.pop("intrinsic_value_eur", Decimal("34.00"))
    return h7.build(_consignment(**overrides), lrn="EWTP-1-1700000000-1", intrinsic_value_eur=value,
                    ioss_number=ioss)


def test_a_ddp_consignment_to_germany_is_a_valid_h7_declaration():
    # given a DDP consignment of tea from Hangzhou to Berlin, sold through the platform's IOSS number
    declaration = _declaration()
    # then it validates and reads as H7 does
    assert h7.validate(declaration) == []
    data = declaration.to_json()
    assert data["dataset"] == "H7" and data["country_of_destination"] == "DE" and data["delivery_terms"] == "DDP"
    assert data["additional_procedures"] == ["C07", "F48"]
    assert data["additional_fiscal_references"] == [{"role": "FR5", "vat_identification_number": "IM2760000001"}]
    assert data["exporter"]["name"] == "Hangzhou West Lake Tea Co., Ltd." and data["importer"]["city"] == "Berlin"
    assert data["goods_items"] == [{"sequence": 1, "description": "Longjing green tea 250 g", "commodity_code": "090210",
                                    "intrinsic_value": {"amount": "34.00", "currency": "EUR"},
                                    "gross_mass_kg": "0.700", "quantity": 2}]
    xml = ElementTree.fromstring(declaration.to_xml())
    assert xml.findtext("GoodsItems/GoodsItem/CommodityCode") == "090210"
    assert xml.findtext("AdditionalFiscalReferences/AdditionalFiscalReference/Role") == "FR5"


def test_without_an_ioss_number_only_c07_is_declared():
    declaration = _declaration(ioss_number="")
    assert h7.validate(declaration) == [] and declaration.to_json()["additional_procedures"] == ["C07"]
    assert declaration.to_json()["additional_fiscal_references"] == []


BAD_LINE = dict(TEA[0])


@pytest.mark.parametrize(("overrides", "element", "path"), [
    ({"lines": [BAD_LINE | {"hs_code": "0902"}]}, "18 09 056 000", "goods_items[0].commodity_code"),
    ({"lines": [BAD_LINE | {"hs_code": "09O210"}]}, "18 09 056 000", "goods_items[0].commodity_code"),
    ({"lines": [BAD_LINE | {"description": " "}]}, "18 05 000 000", "goods_items[0].description"),
    ({"lines": [BAD_LINE | {"unit_value": "0"}]}, "14 14 000 000", "goods_items[0].intrinsic_value"),
    ({"lines": [BAD_LINE | {"net_weight_kg": None}]}, "18 04 000 000", "goods_items[0].gross_mass_kg"),
    ({"lines": [BAD_LINE | {"net_weight_kg": "0.0000001"}]}, "18 04 000 000", "goods_items[0].gross_mass_kg"),
    ({"intrinsic_value_eur": Decimal("150.01")}, "14 14 000 000", "intrinsic_value_eur"),
    ({"intrinsic_value_eur": None}, "14 14 000 000", "intrinsic_value_eur"),
    ({"ioss_number": "IM27600001"}, "13 16 000 000", "additional_fiscal_references[0].vat_identification_number"),
    ({"ioss_number": "EU2760000001"}, "13 16 000 000", "additional_fiscal_references[0].vat_identification_number"),
    ({"incoterm": "XYZ"}, "14 01 000 000", "delivery_terms"),
    ({"consignee": {"name": "Ann", "lines": ["1 Main St"], "city": "New York", "country": "US"}},
     "16 03 000 000", "country_of_destination"),
    ({"consignee": {"name": "Ann", "lines": ["1 Main St"], "city": "Berlin", "country": "Germany"}},
     "13 04 000 000", "importer.country"),
    ({"consignee": {"name": "Ann", "lines": [], "city": "Berlin", "country": "DE"}}, "13 04 000 000",
     "importer.street"),
    ({"consignor": {"name": "x" * 71, "lines": ["1 Road"], "city": "Hangzhou", "country": "CN"}}, "13 01 000 000",
     "exporter.name"),
    ({"consignor": {"name": "Li", "lines": ["1 Road"], "city": "Hangzhou", "country": "CN", "eori": "123"}},
     "13 01 000 000", "exporter.identification"),
])
def test_each_rule_refuses_a_bad_consignment_naming_the_element(overrides, element, path):
    violations = h7.validate(_declaration(**overrides))
    assert (element, path) in {(v.element[:13], v.path) for v in violations}, violations
    named = next(v for v in violations if v.path == path)
    assert named.element.startswith(element + " " + h7.ELEMENTS[element].name) and named.message


def test_every_violation_is_listed_not_only_the_first():
    declaration = _declaration(lines=[BAD_LINE | {"hs_code": "09", "net_weight_kg": None}, BAD_LINE | {"description": ""}],
                               intrinsic_value_eur=Decimal("500"))
    paths = [v.path for v in h7.validate(declaration)]
    assert paths == ["goods_items[0].commodity_code", "goods_items[0].gross_mass_kg", "goods_items[1].description",
                     "intrinsic_value_eur"]


def test_procedure_codes_that_cannot_go_together_are_refused():
    declaration = replace(_declaration(ioss_number=""), additional_procedures=("C08", "F49"))
    assert [v.path for v in h7.validate(declaration)] == ["additional_procedures"]
    f48_without_number = replace(_declaration(ioss_number=""), additional_procedures=("C07", "F48"))
    assert [v.element for v in h7.validate(f48_without_number)] == ["13 16 000 000 Additional fiscal references"]


@pytest.mark.parametrize(("value", "ok"), [("150.00", True), ("150.01", False), ("0.01", True)])
def test_the_eur_150_ceiling_is_inclusive(value, ok):
    assert (h7.validate(_declaration(intrinsic_value_eur=Decimal(value))) == []) is ok


def test_the_json_and_xml_forms_read_back_as_written():
    # given a declaration with an IOSS number, an empty postcode and no EORI
    declaration = _declaration(consignee={"name": "Anna Becker", "lines": ["Torstraße 45"], "city": "Berlin",
                                          "postcode": "", "country": "DE"})
    # then an authority reading its JSON or XML reads the same declaration
    assert h7.from_json(declaration.to_json()) == declaration
    assert h7.from_xml(declaration.to_xml()) == declaration
    # and a document that does not read says where
    data = declaration.to_json()
    data["goods_items"][0]["intrinsic_value"]["amount"] = "lots"
    with pytest.raises(h7.DocumentError) as error:
        h7.from_json(data)
    assert error.value.path == "goods_items[0].intrinsic_value.amount"
