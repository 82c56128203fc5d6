"""Clearance tasks: ids in, one service call, nothing else (see customs/services.py).

Each step is its own task; all are idempotent (the service re-checks the status under the row
lock) and declared with `ewtp.tasks.service_task` (acks_late with reject-on-worker-lost, retries of
transient failures with backoff, time limits); when those keep failing (or at once, for any other
exception) they leave the case in `error` where officers see it. Countdowns stay under the broker's
visibility timeout; longer waits are re-driven by the beat tasks below, which do not retry (beat
runs them again soon).

Beat entries (ewtp/settings.py CELERY_BEAT_SCHEDULE):
    customs.tasks.clearance_redrive     re-enqueue cases stuck between steps
    customs.tasks.clearance_reconcile   ask the authority again for submitted cases; give up → error
    customs.tasks.clearance_escalate    holds older than CLEARANCE_HOLD_SLA_HOURS are escalated
"""

from celery.signals import worker_init
from django.db import DatabaseError

from ewtp.tasks import RETRIED, service_task


@worker_init.connect
def _load_reference_data_before_work(**kwargs) -> None:
    """Build the denied-party index and the tariff book in the worker's main process before it forks
    its pool: every child starts with them (shared copy-on-write) instead of the first screening
    and assessment of each child waiting a second or two for them."""
    from django.db import connections

    from customs.screening import screening_index
    from customs.selectors import tariff_book

    try:
        screening_index()
        tariff_book()
    except DatabaseError:
        pass  # not migrated yet: each child builds them on first use
    finally:
        connections.close_all()  # the children open their own


def _run(case_id: int, expected: str) -> str:
    from customs.services import case_fail, case_step

    try:
        return case_step(case_id=case_id, expected=expected)
    except RETRIED:
        raise  # retried by @service_task; when they are spent, `_kept_failing` says so on the case
    except Exception as exc:  # a refusal or a bug: retrying the same step cannot help, so say so on the case
        case_fail(case_id=case_id, error=f"Step '{expected}' failed: {exc}")
        raise


def _kept_failing(expected: str):
    def gave_up(error: Exception, case_id: int) -> str:
        from customs.services import case_fail

        case_fail(case_id=case_id, error=f"Step '{expected}' kept failing: {error}")
        return "error"

    return gave_up


@service_task(gave_up=_kept_failing("pending"))
def clearance_declare(case_id: int) -> str:
    return _run(case_id, "pending")


@service_task(gave_up=_kept_failing("declared"))
def clearance_screen(case_id: int) -> str:
    return _run(case_id, "declared")


@service_task(gave_up=_kept_failing("screening"))
def clearance_assess(case_id: int) -> str:
    return _run(case_id, "screening")


@service_task(gave_up=_kept_failing("assessed"))
def clearance_decide(case_id: int) -> str:
    return _run(case_id, "assessed")


@service_task(gave_up=_kept_failing("auto_released"))
def clearance_submit(case_id: int) -> str:
    return _run(case_id, "auto_released")


@service_task(gave_up=_kept_failing("submitted"))
def clearance_lodge(case_id: int) -> str:
    return _run(case_id, "submitted")


def _asking_kept_failing(error: Exception, case_id: int) -> str:
    from customs.services import case_fail

    case_fail(case_id=case_id, error=f"Asking the authority kept failing: {error}")
    return "error"


@service_task(gave_up=_asking_kept_failing)
def clearance_poll_authority(case_id: int) -> str:
    from customs.services import case_fail, case_poll_authority

    try:
        return case_poll_authority(case_id=case_id)
    except RETRIED:
        raise
    except Exception as exc:  # the authority refused the question (an unknown reference, an unknown answer)
        case_fail(case_id=case_id, error=f"Asking the authority failed: {exc}")
        raise


@service_task(gave_up=_kept_failing("released"))
def clearance_clear(case_id: int) -> str:
    return _run(case_id, "released")


def task_for(status: str, *, lodged: bool = False):
    """The task that moves a case on from `status`, or None when it waits for a person."""
    if status == "submitted":
        return clearance_poll_authority if lodged else clearance_lodge
    return {"pending": clearance_declare, "declared": clearance_screen, "screening": clearance_assess,
            "assessed": clearance_decide, "auto_released": clearance_submit, "released": clearance_clear}.get(status)


# Kept for messages already queued under the old name: runs whichever step the case is in.
@service_task()
def clearance_advance(case_id: int) -> None:
    from customs.services import case_redrive

    case_redrive(case_id=case_id)


@service_task(max_retries=0, soft_time_limit=120, time_limit=150)
def clearance_redrive() -> int:
    """Beat: re-enqueue cases that stopped between automatic steps (a lost message, a crash)."""
    from customs.selectors import cases_stuck
    from customs.services import case_redrive

    stuck = cases_stuck()
    for case_id in stuck:
        case_redrive(case_id=case_id)
    return len(stuck)


@service_task(max_retries=0, soft_time_limit=120, time_limit=150)
def clearance_reconcile() -> int:
    """Beat: submitted cases whose answer has not come are asked again; past the timeout → error."""
    from customs.selectors import cases_awaiting_authority
    from customs.services import case_authority_overdue, case_redrive

    waiting, overdue = cases_awaiting_authority()
    for case_id in waiting:
        case_redrive(case_id=case_id)
    for case_id in overdue:
        case_authority_overdue(case_id=case_id)
    return len(waiting) + len(overdue)


@service_task(max_retries=0, soft_time_limit=120, time_limit=150)
def clearance_escalate() -> int:
    """Beat: escalate holds older than the SLA."""
    from customs.services import case_escalate_overdue

    return case_escalate_overdue()
