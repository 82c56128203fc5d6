"""Each screening rule holds a case with its evidence; a seller's upload re-screens it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.selectors import company_of
from customs.models import ClearanceCase
from customs.selectors import finding_summary_for_seller
from customs.services import case_document_upload
from ewtp.exceptions import ApplicationError, NotFound
from tests import factories
from tests.customs.conftest import drive, open_case

pytestmark = pytest.mark.django_db

TEA = {"description": "Longjing green tea 250 g", "hs_code": "090210", "quantity": 2, "unit_value": "168.00",
       "origin": "CN", "net_weight_kg": "0.700"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def kinds(case) -> set[str]:
    return set(case.findings.filter(superseded_at__isnull=True).values_list("kind", flat=True))


def test_a_denied_consignee_is_held_with_the_list_entry_score_and_programmes(reference_data, instant_authority):
    # given a consignee whose name is on OFAC's SDN list, spelt in another order and case
    case = open_case(consignee={"name": "Banco Nacional de Cuba", "company": "Nacional de Cuba Banco",
                                "country": "CU", "lines": ["Havana"], "city": "Havana"})
    # when screened
    assert drive(case.pk) == "held"
    # then the hold names the list entry, the score and the programme
    finding = case.findings.get(kind="denied_party")
    assert finding.evidence["list"] == "OFAC-SDN" and finding.evidence["entry_id"] == "306"
    assert finding.evidence["score"] >= 88 and "CUBA" in finding.evidence["programs"]
    # and a seller reading it sees no list entry
    assert "CUBA" not in finding_summary_for_seller(finding) and "306" not in finding_summary_for_seller(finding)


def test_an_ordinary_trader_is_not_matched(reference_data, instant_authority):
    case = open_case()
    assert drive(case.pk) == "cleared"


def test_a_phone_under_a_tea_heading_is_held(reference_data, instant_authority):
    case = open_case(lines=[{**TEA, "description": "Smartphone 128 GB"}])
    assert drive(case.pk) == "held"
    finding = case.findings.get(kind="hs_mismatch")
    assert finding.evidence["word"] == "smartphone" and finding.evidence["expected_chapters"] == ["85"]


def test_a_prohibited_good_proposes_rejection(reference_data, instant_authority):
    case = open_case(destination="GB", lines=[{**TEA, "description": "Pepper spray", "hs_code": "930400"}])
    assert drive(case.pk) == "held"
    finding = case.findings.get(kind="restricted_goods:prohibited")
    assert finding.evidence["proposal"] == "reject" and "Firearms Act" in finding.evidence["source"]


def test_a_price_far_below_the_sellers_usual_price_is_undervaluation(reference_data, instant_authority):
    # given three earlier tea shipments of this seller at 168 CNY a tin
    for _ in range(3):
        assert drive(open_case(company_id=42).pk) == "cleared"
    # when the seller declares the same tea at 20 CNY
    case = open_case(company_id=42, lines=[{**TEA, "unit_value": "20.00"}])
    # then the case is held with the comparison as evidence
    assert drive(case.pk) == "held"
    evidence = case.findings.get(kind="undervaluation").evidence
    assert evidence["earlier_declarations"] == 3 and evidence["basis"].startswith("seller's usual price")
    assert float(evidence["declared_unit_eur"]) < float(evidence["reference_unit_eur"]) / 2


def test_the_first_valuable_shipment_of_a_new_seller_is_looked_at(reference_data, instant_authority, settings):
    settings.CLEARANCE_HIGH_VALUE_EUR = 100000
    case = open_case(company_id=77, lines=[{**TEA, "quantity": 40}])
    assert drive(case.pk) == "held"
    assert kinds(case) == {"new_seller"}
    # the second one is not
    assert drive(open_case(company_id=77, lines=[{**TEA, "quantity": 40}]).pk) == "cleared"


def test_duties_paid_far_from_the_assessment_are_a_finding(reference_data, instant_authority):
    case = open_case(paid_duties={"amount": "0.01", "currency": "EUR"}, lines=[{**TEA, "quantity": 6}])
    assert drive(case.pk) == "held"
    finding = case.findings.get(kind="duty_mismatch")
    assert finding.evidence["paid"]["currency"] == "CNY"


MALAYSIAN_TEA = {**TEA, "origin": "MY", "quantity": 20, "claim_preference": True,
                 "origin_declaration": {"ex_works_price": "150", "currency": "CNY", "materials": [
                     {"description": "green tea leaves", "hs_code": "090210", "origin": "MY", "value": "90"}]}}


def test_a_preference_whose_rule_of_origin_fails_asks_for_no_proof(reference_data, instant_authority):
    # given Malaysian tea into Japan claiming CPTPP, but blended from Chinese leaves (CC and RVC 40% fail)
    chinese = {**MALAYSIAN_TEA["origin_declaration"], "materials": [
        {"description": "green tea leaves", "hs_code": "090210", "origin": "CN", "value": "120"}]}
    case = open_case(destination="JP", lines=[{**MALAYSIAN_TEA, "origin_declaration": chinese}])
    # then MFN is charged and no proof of origin is asked for
    assert drive(case.pk) == "cleared"
    assert "preference_without_proof" not in kinds(case)


def test_a_missing_proof_of_origin_is_fixed_by_the_sellers_upload(reference_data, instant_authority):
    # given a preference granted (Malaysian tea, CPTPP rule met) without a proof of origin: held, and the
    # seller asked at once for the certification of origin CPTPP names
    seller = factories.seller()
    company_id = company_of(seller).pk
    ClearanceCase.objects.create(shipment_reference="TST-EARLIER", company_id=company_id, buyer_id=1,
                                 destination="JP", status="cleared", declaration={})
    case = open_case(company_id=company_id, destination="JP", lines=[MALAYSIAN_TEA])
    assert drive(case.pk) == "awaiting_documents"
    assert kinds(case) == {"preference_without_proof"}
    assert case.findings.get().evidence["agreements"] == ["CPTPP"]
    request = case.document_requests.get()
    assert request.kinds == ["proof_of_origin"] and request.requested_by is None and request.answered_at is None
    assert "held" in case.events.values_list("action", flat=True)
    # when the seller uploads a PDF (a wrong file type or another company is refused)
    with pytest.raises(ApplicationError) as wrong_type:
        case_document_upload(case_id=case.pk, company_id=company_id, user=seller, kind="proof_of_origin",
                             upload=SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/pdf"))
    assert wrong_type.value.code == "invalid_file_type"
    with pytest.raises(NotFound):
        case_document_upload(case_id=case.pk, company_id=company_id + 1, user=seller, kind="proof_of_origin",
                             upload=SimpleUploadedFile("origin.pdf", PDF))
    # a proof without its number or with a date in the future is refused at the field, nothing stored
    for proof, field in (({"number": "", "issued_on": "2026-01-02"}, "proof_number"),
                         ({"number": "MY-CO-1", "issued_on": "2999-01-01"}, "proof_issued_on"),
                         ({"agreement": "RCEP", "number": "MY-CO-1", "issued_on": "2026-01-02"}, "proof_agreement")):
        with pytest.raises(ApplicationError) as bad:
            case_document_upload(case_id=case.pk, company_id=company_id, user=seller, kind="proof_of_origin",
                                 upload=SimpleUploadedFile("origin.pdf", PDF), proof=proof)
        assert bad.value.field == field
    assert not case.documents.exists()
    document = case_document_upload(case_id=case.pk, company_id=company_id, user=seller, kind="proof_of_origin",
                                    upload=SimpleUploadedFile("origin.pdf", PDF),
                                    proof={"number": "MY-CPTPP-0042", "issued_on": "2026-01-02"})
    case.refresh_from_db()
    assert case.declaration["proof_of_origin"]["agreement"] == "CPTPP"
    assert case.declaration["proof_of_origin"]["number"] == "MY-CPTPP-0042"
    # then the case is screened again, released and cleared; the old finding stays on record
    assert drive(case.pk) == "cleared"
    assert document.file.read().startswith(b"%PDF")
    assert kinds(case) == set() and case.findings.filter(superseded_at__isnull=False).count() == 1
    assert "documents_received" in case.events.values_list("action", flat=True)
    assert case.document_requests.get().answered_at is not None


def test_an_oversized_upload_is_refused(reference_data, instant_authority, settings):
    settings.CLEARANCE_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ApplicationError) as error:
        case_document_upload(case_id=1, company_id=1, user=None, kind="other",
                             upload=SimpleUploadedFile("big.pdf", PDF))
    assert error.value.code == "file_too_large" and error.value.field == "file"


def test_a_newer_list_loaded_by_the_command_is_screened_without_a_restart(reference_data, tmp_path,
                                                                          instant_authority):
    from django.core.management import call_command

    sdn = tmp_path / "sdn.csv"
    sdn.write_bytes(b'990001,"ZEPHYRION TRADING HOUSE",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    call_command("load_screening_lists", sdn=str(sdn), verbosity=0)
    case = open_case(consignee={"name": "Zephyrion Trading House", "country": "DE", "lines": ["x"], "city": "Berlin"})
    assert drive(case.pk) == "held"
    assert case.findings.get(kind="denied_party").evidence["programs"] == ["SDGT"]


def test_a_list_loaded_by_another_process_is_screened_within_the_recheck_interval(reference_data, settings):
    from customs.models import ScreeningEntry, ScreeningList
    from customs.screening import screening_index

    # given this process has indexed the lists and checks their versions only every hour
    settings.SCREENING_LIST_RECHECK_SECONDS = 0
    before = screening_index()
    settings.SCREENING_LIST_RECHECK_SECONDS = 3600
    # when another process replaces a list (here: straight into the tables, so this process is not told)
    listing = ScreeningList.objects.create(name="TEST-LIST", source="test", entry_count=1, version="v2")
    ScreeningEntry.objects.create(screening_list=listing, entry_id="1", name="QUILLFEATHER EXPORTS", aliases=[],
                                  party_type="entity", programs=["TEST"], countries=[], remarks="")
    # then the index in memory answers until the interval is over, and the new list after it
    assert screening_index() is before
    settings.SCREENING_LIST_RECHECK_SECONDS = 0  # as if the hour had passed
    assert screening_index() is not before
    assert screening_index().screen("Quillfeather Exports", None, threshold=88, limit=1)
