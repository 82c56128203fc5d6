"""ewtp.tasks.service_task: what every task of the project gets from it (run here as the worker would,
each retry in turn)."""

from __future__ import annotations

import re

import pytest
from django.db import OperationalError

from ewtp.exceptions import TransientError
from ewtp.tasks import service_task

attempts: list[str] = []


@service_task(max_retries=2)
def flaky_database(label: str) -> str:
    attempts.append(label)
    if len(attempts) == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return f"done after {len(attempts)}"


@service_task(max_retries=2, gave_up=lambda error, label: f"gave up on {label}: {error}")
def never_answers(label: str) -> str:
    attempts.append(label)
    raise TransientError("the carrier did not answer in time")


@service_task(max_retries=2)
def refuses(label: str) -> str:
    attempts.append(label)
    raise ValueError("the postcode does not match the city")


@pytest.fixture(autouse=True)
def _fresh():
    attempts.clear()


def test_a_database_error_is_retried_and_the_next_attempt_succeeds():
    result = flaky_database.apply(args=["a"])

    assert result.get() == "done after 2" and attempts == ["a", "a"]


def test_a_transient_error_is_retried_with_jittered_backoff_then_given_up(caplog):
    result = never_answers.apply(args=["b"])

    assert result.state == "SUCCESS" and result.get() == "gave up on b: the carrier did not answer in time"
    assert attempts == ["b"] * 3  # the first try and two retries
    waits = [int(s) for s in re.findall(r"Retry in (\d+)s", caplog.text)]
    assert len(waits) == 2 and all(0 <= wait <= 2**retry for retry, wait in enumerate(waits))


def test_any_other_error_fails_the_task_at_once():
    result = refuses.apply(args=["c"])

    assert result.state == "FAILURE" and isinstance(result.result, ValueError) and attempts == ["c"]


def test_a_task_keeps_its_plain_name_and_the_delivery_conventions():
    assert refuses.name == f"{__name__}.refuses"
    assert (refuses.acks_late, refuses.reject_on_worker_lost) == (True, True)
    assert (refuses.soft_time_limit, refuses.time_limit) == (60, 90)


def test_a_call_that_does_not_fit_the_signature_fails_in_the_caller():
    with pytest.raises(TypeError):
        refuses.delay("c", "extra")
