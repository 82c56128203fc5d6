"""Clearance tasks: ids in, one service call, nothing else (see customs/services.py).

Each step is its own task; all are idempotent (the service re-checks the status under the row
lock), acks_late with reject-on-worker-lost (settings), retry transient failures with backoff,
and, when those keep failing (or at once, for any other exception), leave the case in `error`
where officers see it. Countdowns stay under the broker's visibility timeout; longer waits are
re-driven by the beat tasks below.

Beat entries (ewtp/settings.py CELERY_BEAT_SCHEDULE):
    customs.tasks.clearance_redrive     re-enqueue cases stuck between steps
    customs.tasks.clearance_reconcile   ask the authority again for submitted cases; give up → error
    customs.tasks.clearance_escalate    holds older than CLEARANCE_HOLD_SLA_HOURS are escalated
"""

from celery import shared_task
from celery.signals import worker_init
from django.db import DatabaseError, OperationalError

from ewtp.exceptions import TransientError

TRANSIENT = (OperationalError, TransientError)
STEP_OPTIONS = {"bind": True, "acks_late": True, "autoretry_for": TRANSIENT, "retry_backoff": True,
                "retry_backoff_max": 120, "retry_jitter": True, "max_retries": 5, "soft_time_limit": 60,
                "time_limit": 90}


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


def _run(task, case_id: int, expected: str) -> str:
    from customs.services import case_fail, case_step

    try:
        return case_step(case_id=case_id, expected=expected)
    except TRANSIENT as exc:
        if task.request.retries >= task.max_retries:
            case_fail(case_id=case_id, error=f"Step '{expected}' kept failing: {exc}")
            return "error"
        raise
    except Exception as exc:  # a refusal or a bug: retrying the same step cannot help, so say so on the case
        case_fail(case_id=case_id, error=f"Step '{expected}' failed: {exc}")
        raise


@shared_task(**STEP_OPTIONS)
def clearance_declare(self, case_id: int) -> str:
    return _run(self, case_id, "pending")


@shared_task(**STEP_OPTIONS)
def clearance_screen(self, case_id: int) -> str:
    return _run(self, case_id, "declared")


@shared_task(**STEP_OPTIONS)
def clearance_assess(self, case_id: int) -> str:
    return _run(self, case_id, "screening")


@shared_task(**STEP_OPTIONS)
def clearance_decide(self, case_id: int) -> str:
    return _run(self, case_id, "assessed")


@shared_task(**STEP_OPTIONS)
def clearance_submit(self, case_id: int) -> str:
    return _run(self, case_id, "auto_released")


@shared_task(**STEP_OPTIONS)
def clearance_lodge(self, case_id: int) -> str:
    return _run(self, case_id, "submitted")


@shared_task(**STEP_OPTIONS)
def clearance_poll_authority(self, case_id: int) -> str:
    from customs.services import case_fail, case_poll_authority

    try:
        return case_poll_authority(case_id=case_id)
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            case_fail(case_id=case_id, error=f"Asking the authority kept failing: {exc}")
            return "error"
        raise


@shared_task(**STEP_OPTIONS)
def clearance_clear(self, case_id: int) -> str:
    return _run(self, case_id, "released")


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3,
             soft_time_limit=60, time_limit=90)
def clearance_notify(self, case_id: int, kind: str) -> int:
    from customs.services import case_notify

    return case_notify(case_id=case_id, kind=kind)


def task_for(status: str, *, lodged: bool = False):
    """The task that moves a case on from `status`, or None when it waits for a person."""
    if status == "submitted":
        return clearance_poll_authority if lodged else clearance_lodge
    return {"pending": clearance_declare, "declared": clearance_screen, "screening": clearance_assess,
            "assessed": clearance_decide, "auto_released": clearance_submit, "released": clearance_clear}.get(status)


# Kept for messages already queued under the old name: runs whichever step the case is in.
@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def clearance_advance(case_id: int) -> None:
    from customs.services import case_redrive

    case_redrive(case_id=case_id)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def clearance_redrive() -> int:
    """Beat: re-enqueue cases that stopped between automatic steps (a lost message, a crash)."""
    from customs.selectors import cases_stuck
    from customs.services import case_redrive

    stuck = cases_stuck()
    for case_id in stuck:
        case_redrive(case_id=case_id)
    return len(stuck)


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
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


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def clearance_escalate() -> int:
    """Beat: escalate holds older than the SLA."""
    from customs.services import case_escalate_overdue

    return case_escalate_overdue()
