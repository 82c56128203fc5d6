"""The HTTP customs authority adapter against a fake authority over real HTTP (tests/customs/fake_authority.py):
each declaration lodged once in its standard, the decision polled, transport failures retried, the
authority's validation answers an error on the case at once."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from customs.integrations.authority import (
    AuthorityRefused,
    AuthorityUnavailable,
    Lodgement,
    authority_adapter,
)
from customs.models import ClearanceCase
from customs.services import case_poll_authority, case_step
from customs.tasks import clearance_lodge
from tests.customs.conftest import drive, make_declaration, open_case

pytestmark = pytest.mark.django_db
LONDON = {"name": "Oliver Smith", "company": "", "lines": ["10 Downing Street"], "city": "London",
          "postcode": "SW1A 2AA", "country": "GB"}


def actions(case) -> list[str]:
    return list(case.events.values_list("action", flat=True))


def until_lodging(case) -> ClearanceCase:
    """Run the automatic steps up to the lodging, which the test then runs as the worker's task."""
    for _ in range(10):
        case.refresh_from_db()
        if case.status == "submitted":
            return case
        case_step(case_id=case.pk, expected=case.status)
    raise AssertionError(f"the case stopped in {case.status}")


@pytest.mark.parametrize("syntax", ["xml", "json"])
def test_a_low_value_consignment_to_germany_is_lodged_as_h7_and_cleared(reference_data, http_authority, settings,
                                                                         syntax):
    # given an authority that takes H7 in `syntax`, and a small DDP tea consignment to Berlin
    settings.CUSTOMS_AUTHORITY_FORMAT = syntax
    settings.CUSTOMS_IOSS_NUMBER = "IM2760000001"
    case = open_case()
    # when the pipeline runs
    assert drive(case.pk) == "cleared"
    # then the authority filed it once as H7, as the case knows it, and its acceptance released the goods
    case.refresh_from_db()
    (filing,) = http_authority.filings.values()
    assert (filing.standard, filing.syntax, filing.lrn, filing.mrn) == ("H7", syntax, case.lrn, case.mrn)
    assert filing.document.destination_country == "DE" and filing.document.ioss_number == "IM2760000001"
    assert [item.hs_code for item in filing.document.items] == ["090210"]
    assert len(case.lrn) <= 22
    assert actions(case)[-3:] == ["lodged", "authority_released", "cleared"]
    assert case.authority_answer["reason"] == "Accepted by the fake authority."


def test_a_consignment_to_great_britain_is_lodged_in_the_wco_data_model(reference_data, http_authority):
    # given a tea consignment to London
    case = open_case(destination="GB", consignee=LONDON, incoterm="DAP")
    # when the pipeline runs
    assert drive(case.pk) == "cleared"
    # then the authority received a WCO Data Model declaration with the case's LRN as D026
    case.refresh_from_db()
    (filing,) = http_authority.filings.values()
    assert filing.standard == "WCO" and filing.syntax == "json"
    assert filing.document.lrn == case.lrn and filing.document.consignee.postcode == "SW1A 2AA"
    assert filing.document.consignor.country == "CN" and filing.document.items[0].origin_country == "CN"


@pytest.mark.parametrize("after_filing", [False, True], ids=["refused-before-filing", "answer-lost-after-filing"])
def test_a_503_is_retried_and_the_declaration_is_filed_once(reference_data, http_authority, after_filing):
    # given an authority that answers the first lodgement 503 (after filing it, in the second case)
    http_authority.next_posts = [(503, after_filing)]
    case = until_lodging(open_case())
    # when the worker's lodging task runs, with its retries
    result = clearance_lodge.apply(args=[case.pk])
    # then it was retried with the same LRN, filed once, and the case holds the one reference
    assert result.state == "SUCCESS"
    case.refresh_from_db()
    assert http_authority.posts == [(case.lrn, 503), (case.lrn, 201)]
    assert list(http_authority.filings) == [case.lrn] and case.mrn == http_authority.filings[case.lrn].mrn
    assert actions(case).count("lodged") == 1
    assert drive(case.pk) == "cleared"


def test_field_errors_of_the_authority_put_the_case_in_error_at_once(reference_data, http_authority):
    # given a consignment whose consignee has no postcode, which this authority requires
    case = until_lodging(open_case(destination="GB", consignee=LONDON | {"postcode": ""}))
    # when the lodging task runs
    result = clearance_lodge.apply(args=[case.pk])
    # then the authority was asked once (a refusal is not retried) and the case shows its reason at the field
    assert result.state == "FAILURE" and isinstance(result.result, AuthorityRefused)
    case.refresh_from_db()
    assert [status for _, status in http_authority.posts] == [400] and http_authority.filings == {}
    assert case.status == "error" and case.error_step == "submitted" and not case.mrn
    assert "(400)" in case.last_error
    assert "Declaration.Consignment.Consignee.Address.PostcodeID" in case.last_error
    assert "postcode is required" in case.last_error


def test_a_declaration_failing_validation_is_never_sent(reference_data, http_authority):
    # given a declaration whose tariff code is only a heading
    declaration = make_declaration(lines=[{"description": "Green tea", "hs_code": "0902", "quantity": 1,
                                           "unit_value": "20.00", "origin": "CN", "net_weight_kg": "0.3"}])
    lodgement = Lodgement(lrn="EWTP-1-ABC-1", destination="DE", declaration=declaration, lodged_at=timezone.now())
    # when it is lodged, then it is refused here naming the element at fault, and nothing reached the authority
    with pytest.raises(AuthorityRefused) as refused:
        authority_adapter().lodge(lodgement)
    assert "goods_items[0].commodity_code (18 09 056 000" in str(refused.value)
    assert http_authority.posts == []


@pytest.mark.parametrize(("decision", "status", "last"), [
    ({"status": "held", "reason": "", "documents": ["commercial_invoice"]}, "queried", "authority_queried"),
    ({"status": "rejected", "reason": "Counterfeit goods suspected."}, "rejected", "authority_rejected"),
    ({"status": "pending"}, "submitted", "lodged"),
])
def test_the_authoritys_decision_moves_the_case(reference_data, http_authority, decision, status, last):
    # given a lodged case
    case = open_case()
    drive(case.pk, polls=0)
    case.refresh_from_db()
    assert case.status == "submitted" and case.mrn
    # when the authority decides and is asked
    http_authority.decide(case.mrn, decision["status"], decision.get("reason", ""), decision.get("documents"))
    case_poll_authority(case_id=case.pk)
    # then the case follows its decision, with its reason and the documents it asks for
    case.refresh_from_db()
    assert case.status == status and actions(case)[-1] == last
    if status == "queried":
        assert case.authority_answer["details"]["documents"] == ["commercial_invoice"]
        assert case.authority_answer["reason"] == "The customs authority asks for: commercial_invoice."
    if status == "rejected":
        assert case.authority_answer["reason"] == "Counterfeit goods suspected."


def test_a_poll_answered_503_is_transient(reference_data, http_authority):
    case = open_case()
    drive(case.pk, polls=0)
    http_authority.next_polls = [503]
    with pytest.raises(AuthorityUnavailable):
        case_poll_authority(case_id=case.pk)
    assert ClearanceCase.objects.get(pk=case.pk).status == "submitted"
    assert drive(case.pk) == "cleared"


def test_a_refused_poll_puts_the_case_in_error_and_a_retry_asks_again(reference_data, http_authority):
    from customs.services import case_retry
    from customs.tasks import clearance_poll_authority
    from tests import factories

    # given a lodged case the authority no longer knows
    case = open_case()
    drive(case.pk, polls=0)
    filings = dict(http_authority.filings)
    http_authority.filings.clear()
    # when the worker asks for the decision
    result = clearance_poll_authority.apply(args=[case.pk])
    # then the refusal is on the case at once, not retried
    assert result.state == "FAILURE" and isinstance(result.result, AuthorityRefused)
    case.refresh_from_db()
    assert case.status == "error" and case.error_step == "submitted" and "(404)" in case.last_error
    assert [status for _, status in http_authority.polls] == [404]
    # and once the authority knows it again, an officer's retry asks again and the case clears
    http_authority.filings.update(filings)
    case_retry(case_id=case.pk, officer=factories.officer())
    assert drive(case.pk) == "cleared"


def test_bad_credentials_are_refused_and_an_unreachable_authority_is_transient(reference_data, http_authority,
                                                                               settings):
    lodgement = Lodgement(lrn="EWTP-1-ABC-1", destination="DE", declaration=make_declaration(),
                          lodged_at=timezone.now())
    settings.CUSTOMS_AUTHORITY_TOKEN = "wrong"
    with pytest.raises(AuthorityRefused, match="CUSTOMS_AUTHORITY_TOKEN"):
        authority_adapter().lodge(lodgement)
    settings.CUSTOMS_AUTHORITY_TOKEN = http_authority.token
    settings.CUSTOMS_AUTHORITY_URL = "http://127.0.0.1:9/api"  # the discard port: nothing listens
    with pytest.raises(AuthorityUnavailable, match="could not be reached"):
        authority_adapter().lodge(lodgement)


def test_the_http_authority_needs_its_address(settings):
    settings.CUSTOMS_AUTHORITY, settings.CUSTOMS_AUTHORITY_URL = "http", ""
    with pytest.raises(ImproperlyConfigured, match="CUSTOMS_AUTHORITY_URL"):
        authority_adapter()
