from celery import shared_task
from django.db import OperationalError

from ewtp.exceptions import TransientError


@shared_task(bind=True, acks_late=True, autoretry_for=(OperationalError,), retry_backoff=True, retry_jitter=True,
             max_retries=5, soft_time_limit=60, time_limit=90)
def provider_event_process(self, event_pk: int) -> None:
    from payments.services import provider_event_process as process

    try:
        process(event_pk=event_pk)
    except TransientError as exc:
        if self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=2 ** self.request.retries * 5) from exc
        raise
