from celery import shared_task
from django.db import OperationalError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True,
             retry_jitter=True, max_retries=5, soft_time_limit=60, time_limit=90)
def clearance_advance(self, case_id: int) -> None:
    from customs.services import case_advance, case_fail

    try:
        case_advance(case_id=case_id)
    except OperationalError:
        if self.request.retries >= self.max_retries:
            case_fail(case_id=case_id, error="The database kept failing during this step.")
        raise


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def clearance_redrive() -> None:
    """Beat: re-enqueue cases that stopped between steps (a lost message, a crash)."""
    from customs.selectors import cases_stuck

    for case_id in cases_stuck():
        clearance_advance.delay(case_id)
