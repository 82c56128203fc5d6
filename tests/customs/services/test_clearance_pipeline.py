"""The clearance pipeline through its services, step by step as the worker runs it."""

from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection

from customs.models import ClearanceCase, ClearanceEvent
from customs.services import case_add_note, case_assign, case_reject, case_release, case_step
from ewtp.exceptions import ApplicationError, Conflict, PermissionDenied
from ewtp.models import ImmutableError
from tests import factories
from tests.customs.conftest import drive, open_case

pytestmark = pytest.mark.django_db


def actions(case) -> list[str]:
    return list(case.events.values_list("action", flat=True))


def test_a_clean_declaration_is_auto_released_lodged_and_cleared(reference_data, instant_authority):
    # given a small tea consignment from an established pattern
    case = open_case()
    # when the worker runs every step
    status = drive(case.pk)
    # then the authority released it and the goods were handed back to the carrier
    case.refresh_from_db()
    assert status == "cleared"
    assert actions(case) == ["opened", "declared", "screening_started", "screened", "assessed", "auto_released",
                             "submitted", "lodged", "authority_released", "cleared"]
    assert case.mrn.startswith("SIM") and case.lrn.endswith("-1")
    assert case.assessment["quote"]["total_duties_and_taxes"]["currency"] == "CNY"


def test_every_step_is_idempotent(reference_data, instant_authority):
    # given a case moved one step
    case = open_case()
    case_step(case_id=case.pk, expected="pending")
    # when the same step runs again (a redelivered message)
    assert case_step(case_id=case.pk, expected="pending") == "declared"
    # then nothing was done twice
    assert actions(case) == ["opened", "declared"]


def test_a_step_writes_only_what_it_changed_in_a_fixed_number_of_queries(reference_data, instant_authority):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # given a declared case, and the reference data read by an earlier case
    drive(open_case().pk)
    case = open_case()
    case_step(case_id=case.pk, expected="pending")
    # when the worker screens it
    with CaptureQueriesContext(connection) as queries:
        case_step(case_id=case.pk, expected="declared")
    # then the row is locked, the lists' version and the seller's history read, two events written
    # and the status updated; the update does not send the declaration back
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"] and "SET LOCAL" not in q["sql"]]
    update = next(sql for sql in statements if sql.startswith("UPDATE"))
    assert len(statements) == 5, statements
    assert '"status"' in update and '"declaration"' not in update
    case.refresh_from_db()
    assert case.status == "screening" and case.declaration["lines"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="synchronous_commit is PostgreSQL's")
@pytest.mark.django_db(transaction=True)  # each step its own transaction, as in the worker
def test_automatic_steps_commit_without_waiting_for_the_disk_and_officers_decisions_wait(reference_data,
                                                                                         instant_authority):
    # given a case the pipeline holds for an officer
    officer = factories.officer()
    case = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 3,
                             "unit_value": "4000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    # when the worker runs the automatic steps and then the officer releases it
    with synchronous_commit_of_each_event_write() as automatic:
        assert drive(case.pk) == "held"
    held = len(actions(case))
    with synchronous_commit_of_each_event_write() as decision:
        case_release(case_id=case.pk, officer=officer, note="Checked the invoice.")
    # then the automatic steps' records were committed without waiting for the disk, the officer's
    # decision waits for it, and the connection is left as it was for whatever runs next
    assert actions(case)[:held] == ["opened", "declared", "screening_started", "screened", "assessed", "held"]
    assert automatic and set(automatic) == {"off"}
    assert actions(case)[held] == "officer_released"
    assert decision and set(decision) == {"on"}
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"


@contextmanager
def synchronous_commit_of_each_event_write():
    """The database session's synchronous_commit as each clearance event is inserted inside the
    block: the way that event's transaction will commit."""
    modes = []

    def observe(execute, sql, params, many, context):
        if sql.startswith('INSERT INTO "customs_clearanceevent"'):
            with connection.connection.cursor() as session:
                session.execute("SHOW synchronous_commit")
                modes.append(session.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(observe):
        yield modes


def test_the_authority_answer_waits_for_its_delay(reference_data, settings):
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 3600
    case = open_case()
    assert drive(case.pk) == "submitted"
    case.refresh_from_db()
    assert case.mrn and case.authority_answer == {}


@pytest.mark.parametrize("answer,status,last,reason", [
    ("reject", "rejected", "authority_rejected", "The simulated authority refused the goods"),
    ("query", "queried", "authority_queried", "The simulated authority asks for the commercial invoice."),
])
def test_the_authority_can_reject_or_query(reference_data, instant_authority, answer, status, last, reason):
    # given a lodged case the authority rejects or queries
    case = open_case(authority_simulation={"answer": answer})
    # when the worker runs every step
    assert drive(case.pk) == status
    # then the case's history ends with the authority's answer, right after the lodgement, with its reason
    history = list(case.events.values_list("action", "note"))
    assert [action for action, _ in history[-2:]] == ["lodged", last]
    assert history[-1][1].startswith(reason)


def test_an_unavailable_authority_ends_in_a_visible_error_that_an_officer_retries(reference_data, instant_authority):
    from customs.integrations.authority import AuthorityUnavailable
    from customs.services import case_retry
    from customs.tasks import clearance_lodge

    # given a case whose authority is down
    case = open_case(authority_simulation={"unavailable": True})
    with pytest.raises(AuthorityUnavailable):
        drive(case.pk)
    # when the lodging task keeps failing through its retries
    clearance_lodge.apply(args=[case.pk])
    # then the case shows the error and where it stopped
    case.refresh_from_db()
    assert case.status == "error" and case.error_step == "submitted"
    assert "unavailable" in case.last_error
    # and an officer's retry puts it back where it failed
    officer = factories.officer()
    case.declaration = {**case.declaration, "authority_simulation": {}}
    case.save()
    case_retry(case_id=case.pk, officer=officer)
    assert drive(case.pk) == "cleared"
    assert actions(case).count("step_failed") == 1 and "retried" in actions(case)


def test_a_refused_message_goes_to_error_at_once_with_the_reason(reference_data, instant_authority):
    from customs.integrations.authority import AuthorityRefused
    from customs.tasks import clearance_lodge

    # given a case whose declaration the authority's validation refuses
    case = open_case(authority_simulation={"malformed": True})
    with pytest.raises(AuthorityRefused):
        drive(case.pk)
    # when the lodging task runs it once: no retries, the case shows why at once
    result = clearance_lodge.apply(args=[case.pk])
    assert isinstance(result.result, AuthorityRefused) and result.state == "FAILURE"
    case.refresh_from_db()
    assert case.status == "error" and case.error_step == "submitted"
    assert "schema validation" in case.last_error
    assert not case.mrn


def test_a_high_value_hold_is_released_by_an_officer_and_cleared(reference_data, instant_authority):
    officer = factories.officer()
    case = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 3,
                             "unit_value": "4000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    assert drive(case.pk) == "held"
    assert {f.kind for f in case.findings.all()} >= {"high_value"}
    case_release(case_id=case.pk, officer=officer, note="Invoice checked.")
    case_release(case_id=case.pk, officer=officer, note="double click")  # releases once
    assert drive(case.pk) == "cleared"
    assert actions(case).count("officer_released") == 1 and actions(case).count("submitted") == 1


def test_a_buyer_cannot_release_and_a_rejection_needs_a_reason(reference_data, instant_authority):
    buyer, officer = factories.buyer(), factories.officer()
    case = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1,
                             "unit_value": "9000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    drive(case.pk)
    with pytest.raises(PermissionDenied):
        case_release(case_id=case.pk, officer=buyer)
    with pytest.raises(ApplicationError) as error:
        case_reject(case_id=case.pk, officer=officer, reason="  ")
    assert error.value.field == "reason"
    case.refresh_from_db()
    assert case.status == "held"


def test_rejecting_a_valuable_case_needs_a_second_officer(reference_data, instant_authority, settings):
    # given a held case above the four-eyes threshold
    settings.CLEARANCE_FOUR_EYES_EUR = Decimal("500")
    first, second = factories.officer(), factories.officer()
    case = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1,
                             "unit_value": "9000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    drive(case.pk)
    # when the first officer rejects, it is only proposed; the same officer cannot confirm
    assert case_reject(case_id=case.pk, officer=first, reason="Goods not as declared.").status == "held"
    with pytest.raises(PermissionDenied):
        case_reject(case_id=case.pk, officer=first, reason="again")
    # then a second officer confirms and both are notified by email
    rejected = case_reject(case_id=case.pk, officer=second, reason="")
    assert rejected.status == "rejected"
    assert actions(case)[-2:] == ["rejection_proposed", "rejected"]
    assert "Goods not as declared." in case.events.get(action="rejected").note


def test_assign_and_notes_are_recorded_and_events_cannot_be_edited(reference_data, instant_authority):
    officer = factories.officer()
    case = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1,
                             "unit_value": "9000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    drive(case.pk)
    case_assign(case_id=case.pk, officer=officer)
    case_add_note(case_id=case.pk, officer=officer, note="Called the seller.")
    event = case.events.get(action="note")
    assert event.actor == officer
    event.note = "edited"
    with pytest.raises(ImmutableError):
        event.save()
    with pytest.raises(ImmutableError):
        event.delete()
    assert ClearanceEvent.objects.get(pk=event.pk).note == "Called the seller."


def test_a_released_case_cannot_be_rejected(reference_data, instant_authority):
    officer = factories.officer()
    case = open_case()
    drive(case.pk)
    with pytest.raises(Conflict):
        case_reject(case_id=case.pk, officer=officer, reason="too late")


def test_holds_past_the_sla_are_escalated_once(reference_data, instant_authority, settings):
    from datetime import timedelta

    from django.utils import timezone

    from customs.selectors import cases_held
    from customs.services import case_escalate_overdue

    settings.CLEARANCE_HOLD_SLA_HOURS = 1
    old = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1,
                            "unit_value": "9000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    new = open_case(lines=[{"description": "Silk batik panel", "hs_code": "500720", "quantity": 1,
                            "unit_value": "9000.00", "origin": "CN", "net_weight_kg": "1.2"}])
    drive(new.pk)
    drive(old.pk)
    ClearanceCase.objects.filter(pk=old.pk).update(held_at=timezone.now() - timedelta(hours=2))
    assert case_escalate_overdue() == 1
    assert case_escalate_overdue() == 0
    assert [c.pk for c in cases_held()][:2] == [old.pk, new.pk]


def test_beat_asks_again_for_late_answers_and_gives_up_visibly(reference_data, settings):
    from datetime import timedelta

    from django.utils import timezone

    from customs.selectors import cases_awaiting_authority, cases_stuck
    from customs.services import case_authority_overdue

    # given a lodged case whose authority never answers, and one left between two steps
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    settings.CUSTOMS_AUTHORITY_TIMEOUT_SECONDS = 3600
    silent = open_case(authority_simulation={"answer": "silent"})
    assert drive(silent.pk) == "submitted"
    stuck = open_case()
    ClearanceCase.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=10))
    # then beat re-drives the stuck one and asks again for the silent one
    assert stuck.pk in cases_stuck() and silent.pk not in cases_stuck()
    ClearanceCase.objects.filter(pk=silent.pk).update(submitted_at=timezone.now() - timedelta(minutes=5))
    assert cases_awaiting_authority() == ([silent.pk], [])
    # and past the timeout the case goes to error, where officers see it
    ClearanceCase.objects.filter(pk=silent.pk).update(submitted_at=timezone.now() - timedelta(hours=2))
    assert cases_awaiting_authority() == ([], [silent.pk])
    case_authority_overdue(case_id=silent.pk)
    silent.refresh_from_db()
    assert silent.status == "error" and silent.error_step == "submitted" and "No answer" in silent.last_error
