"""The task conventions of DESIGN.md in one place: `@service_task`.

Every Celery task of the project is declared with it, so each gets the same handling:

- acks_late with reject_on_worker_lost: the broker keeps the message until the task has run,
  and gives it to another worker when this one is killed mid-task (without the second, a
  SIGKILLed worker's task is acknowledged and lost);
- a retry, with exponential backoff and full jitter, on `TransientError` alone, the database's
  OperationalError counting as one (a dropped connection, a deadlock); any other exception is a
  refusal or a bug and fails the task at once;
- soft and hard time limits;
- ids in, not objects: its arguments go through the broker as JSON, so a model instance in a
  call fails at once in the caller (Celery checks the call against the signature too).

Each retry's countdown is at most `retry_backoff * 2**retries` seconds, capped by `retry_backoff_max`
(far below the Redis broker's visibility timeout). When the retries are spent the task calls
`gave_up(error, *args, **kwargs)` and returns what it returns (to show the failure where people
look), or without it fails with the last error.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import OperationalError

from ewtp.exceptions import TransientError

# What the decorator retries. A task that catches exceptions broadly lets these through first.
RETRIED = (TransientError, OperationalError)


class DatabaseUnavailable(TransientError):
    """The database failed in a way that may pass (OperationalError): the task is retried."""


def service_task(*, max_retries: int = 5, retry_backoff: int = 1, retry_backoff_max: int = 120,
                 soft_time_limit: float = 60, time_limit: float = 90,
                 gave_up: Callable | None = None) -> Callable:
    """Declare a Celery task with the project's conventions (module docstring). The task keeps
    the name Celery gives a plain `@shared_task` (module and function), which beat schedules and
    queued messages refer to."""

    def declare(function: Callable):
        def run(task, *args, **kwargs):
            try:
                try:
                    return function(*args, **kwargs)
                except OperationalError as error:
                    raise DatabaseUnavailable(f"The database failed: {error}") from error
            except TransientError as error:
                if task.request.retries >= task.max_retries:
                    if gave_up is None:
                        raise
                    return gave_up(error, *args, **kwargs)
                countdown = get_exponential_backoff_interval(factor=retry_backoff, retries=task.request.retries,
                                                             maximum=retry_backoff_max, full_jitter=True)
                raise task.retry(exc=error, countdown=countdown) from error

        # The task's name, docs and signature (Celery checks calls against it) are the function's.
        run.__module__, run.__name__, run.__qualname__ = function.__module__, function.__name__, function.__qualname__
        run.__doc__ = function.__doc__
        signature = inspect.signature(function)
        run.__signature__ = signature.replace(parameters=[
            inspect.Parameter("task", inspect.Parameter.POSITIONAL_ONLY), *signature.parameters.values()])
        return shared_task(run, bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=max_retries,
                           soft_time_limit=soft_time_limit, time_limit=time_limit)

    return declare


@service_task(max_retries=0)  # beat runs it again within the hour
def idempotency_keys_purge() -> int:
    """Beat: API Idempotency-Keys older than IDEMPOTENCY_KEY_TTL_HOURS are forgotten."""
    from ewtp.idempotency import idempotency_keys_purge as purge

    return purge()
