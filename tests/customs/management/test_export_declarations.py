"""`manage.py export_declarations`: a period's H7 declarations to a file; a bad period writes nothing."""

import json
from io import StringIO
from xml.etree import ElementTree

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.customs.conftest import drive, open_case

pytestmark = pytest.mark.django_db
TEA = [{"description": "Longjing green tea 250 g", "hs_code": "090210", "quantity": 2, "unit_value": "17.00",
        "origin": "CN", "net_weight_kg": "0.700"}]


@pytest.fixture
def cases(reference_data, instant_authority):
    tea = open_case(currency="EUR", lines=TEA)
    drive(tea.pk)
    no_hs = open_case(currency="EUR", lines=[TEA[0] | {"hs_code": "0902"}])
    drive(no_hs.pk)
    return tea, no_hs


def test_the_declarations_of_a_period_go_to_the_file(cases, tmp_path):
    tea, no_hs = cases
    today = timezone.localdate().isoformat()
    out, err = tmp_path / "h7.json", StringIO()
    call_command("export_declarations", "--from", today, "--to", today, "--output", str(out), stderr=err)
    export = json.loads(out.read_text())
    assert [d["shipment_reference"] for d in export["declarations"]] == [tea.shipment_reference]
    assert export["declarations"][0]["declaration"]["goods_items"][0]["commodity_code"] == "090210"
    assert [(r["shipment_reference"], r["violations"][0]["element"]) for r in export["refused"]] == [
        (no_hs.shipment_reference, "18 09 056 000 Commodity code: Harmonized System sub-heading code")]
    assert "1 declaration(s) exported, 1 refused" in err.getvalue()
    # and as XML
    xml_out = tmp_path / "h7.xml"
    call_command("export_declarations", "--from", today, "--to", today, "--format", "xml", "--output", str(xml_out),
                 stderr=StringIO())
    root = ElementTree.parse(xml_out).getroot()
    assert root.find("Declaration").get("shipmentReference") == tea.shipment_reference
    assert root.find("Refused/Violation").get("path") == "goods_items[0].commodity_code"


@pytest.mark.parametrize(("start", "end", "flag"), [
    ("2026-02-30", "2026-03-01", "--from"), ("2026-01-31", "2026-01-01", "--to"),
    ("2026-01-01", "2027-01-01", "--to"), ("yesterday", "2026-01-01", "--from"),
])
def test_a_bad_period_is_refused_and_writes_nothing(cases, tmp_path, start, end, flag):
    out = tmp_path / "h7.json"
    with pytest.raises(CommandError, match=flag):
        call_command("export_declarations", "--from", start, "--to", end, "--output", str(out))
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_format_is_refused(cases, tmp_path):
    with pytest.raises(CommandError, match="--format"):
        call_command("export_declarations", "--from", "2026-01-01", "--to", "2026-01-31", "--format", "csv",
                     "--output", str(tmp_path / "x"))
    assert list(tmp_path.iterdir()) == []


def test_the_declarations_of_a_period_in_the_wco_data_model(cases, tmp_path):
    tea, no_hs = cases
    today = timezone.localdate().isoformat()
    out, err = tmp_path / "wco.xml", StringIO()
    call_command("export_declarations", "--from", today, "--to", today, "--standard", "wco", "--format", "xml",
                 "--output", str(out), stderr=err)
    root = ElementTree.parse(out).getroot()
    assert root.tag == "WCOExport"
    assert root.find("Declaration").get("shipmentReference") == tea.shipment_reference
    assert root.findtext("Declaration/WCODeclaration/Declaration/Consignment/ConsignmentItem/Commodity/"
                         "ClassificationID") == "090210"
    assert root.find("Refused/Violation").get("path") == (
        "Declaration.Consignment.ConsignmentItem[0].Commodity.ClassificationID")
    assert "1 declaration(s) exported, 1 refused" in err.getvalue()


def test_an_unknown_standard_is_refused(cases, tmp_path):
    with pytest.raises(CommandError, match="--standard"):
        call_command("export_declarations", "--from", "2026-01-01", "--to", "2026-01-31", "--standard", "edifact",
                     "--output", str(tmp_path / "x"))
    assert list(tmp_path.iterdir()) == []
