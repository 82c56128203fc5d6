"""Deliveries against a real receiver on 127.0.0.1: signed, retried, logged, failed, replayed, once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.webhooks.conftest import record, subscribe
from webhooks.models import Delivery
from webhooks.services import delivery_attempt, delivery_replay, endpoint_rotate_secret

pytestmark = pytest.mark.django_db


def test_a_delivery_is_signed_so_the_receiver_verifies_it(seller, receiver):
    # given an endpoint and an event for it
    subscribe(seller, receiver)
    [delivery] = record(seller, data={"order": "ORD-000001", "amount": {"amount": "12.50", "currency": "EUR"}})
    # when it is delivered
    assert delivery_attempt(delivery_id=delivery.pk) is None
    # then the receiver got the JSON event and verified its signature with the endpoint's secret
    [got] = receiver.requests
    assert got.verified
    assert set(got.event) == {"id", "type", "created", "data"}
    assert got.event["id"] == delivery.event_id and got.event["type"] == "order.paid"
    assert got.event["data"]["amount"] == {"amount": "12.50", "currency": "EUR"}
    assert got.headers["Content-Type"] == "application/json"
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.last_status_code == 200
    [attempt] = delivery.attempts.all()
    assert attempt.status_code == 200 and attempt.duration_ms is not None and '"received": true' in \
        attempt.response_excerpt


def test_a_wrong_secret_fails_the_receivers_check(seller, receiver):
    subscribe(seller, receiver)
    receiver.secret = "whsec_not-the-one"
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)
    assert not receiver.requests[0].verified
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.last_status_code == 400


def test_after_a_rotation_both_secrets_sign_for_the_grace_period(seller, receiver):
    endpoint = subscribe(seller, receiver)
    old = endpoint.secret
    rotated = endpoint_rotate_secret(user=seller, endpoint_id=endpoint.pk)
    assert rotated.secret != old
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)  # the receiver still checks with the old secret
    assert receiver.requests[0].verified
    assert receiver.requests[0].headers["Ewtp-Signature"].count("v1=") == 2


def test_a_500_is_retried_and_every_attempt_is_logged(seller, receiver):
    # given a receiver that fails once
    subscribe(seller, receiver)
    receiver.answers = [500]
    [delivery] = record(seller)
    # when the first attempt gets the 500, the delivery waits for the next one (the test schedule: at once)
    assert delivery_attempt(delivery_id=delivery.pk) == 0.0
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempt_count == 1
    # then the retry succeeds, with the same event id and body
    assert delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == "succeeded"
    assert [(a.number, a.status_code) for a in delivery.attempts.all()] == [(1, 500), (2, 200)]
    assert receiver.requests[0].body == receiver.requests[1].body
    assert receiver.requests[1].headers["Ewtp-Delivery-Attempt"] == "2"
    assert receiver.handled == [delivery.event_id]


def test_after_the_last_attempt_of_the_schedule_the_delivery_failed(seller, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [0.0, 0.0]
    subscribe(seller, receiver)
    receiver.answers = [500, 502, 503, 500]
    [delivery] = record(seller)
    for _ in range(3):
        delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempt_count == 3
    assert "3 attempts" in delivery.failure_reason
    # and it is not tried again
    assert delivery_attempt(delivery_id=delivery.pk) is None
    assert receiver.posts == 3


def test_a_wait_in_the_schedule_is_honoured(seller, receiver, settings):
    settings.WEBHOOK_RETRY_SCHEDULE = [3600.0]
    subscribe(seller, receiver)
    receiver.answers = [500]
    [delivery] = record(seller)
    assert delivery_attempt(delivery_id=delivery.pk) == 3600.0
    assert delivery_attempt(delivery_id=delivery.pk) is None  # not due for an hour
    assert receiver.posts == 1


def test_a_timeout_is_a_failed_attempt(seller, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.3
    subscribe(seller, receiver)
    receiver.delay = 1.0
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)
    [attempt] = Delivery.objects.get(pk=delivery.pk).attempts.all()
    assert attempt.status_code is None and "Timed out" in attempt.error


def test_a_replay_sends_the_same_event_id_and_the_receiver_dedupes(seller, receiver):
    subscribe(seller, receiver)
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)
    # when the seller replays it
    replay = delivery_replay(user=seller, delivery_id=delivery.pk)
    delivery_attempt(delivery_id=replay.pk)
    # then the receiver got the event twice, with one id, and acted once
    assert [r.event["id"] for r in receiver.requests] == [delivery.event_id] * 2
    assert receiver.handled == [delivery.event_id]
    replay.refresh_from_db()
    assert replay.status == "succeeded" and replay.replay_of_id == delivery.pk


def test_running_the_delivery_task_twice_posts_once(seller, receiver):
    from webhooks.tasks import webhook_deliver

    subscribe(seller, receiver)
    [delivery] = record(seller)
    webhook_deliver(delivery.pk)
    webhook_deliver(delivery.pk)  # a redelivered message
    assert receiver.posts == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_make_one_post_per_attempt(seller, receiver):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # given a slow receiver and a delivery due
    subscribe(seller, receiver)
    receiver.delay = 0.5
    [delivery] = record(seller)
    barrier = threading.Barrier(2)

    def work():
        barrier.wait()
        try:
            delivery_attempt(delivery_id=delivery.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one POST, one attempt record
    assert receiver.posts == 1
    assert Delivery.objects.get(pk=delivery.pk).attempts.count() == 1


def test_an_event_is_recorded_once_and_delivered_to_the_endpoints_that_asked(seller, receiver):
    subscribe(seller, receiver, events=["order.delivered"])
    assert record(seller, type="order.paid", key="order.paid:ORD-9") == []  # not asked for
    first = record(seller, type="order.delivered", key="order.delivered:ORD-9")
    assert len(first) == 1
    assert record(seller, type="order.delivered", key="order.delivered:ORD-9") == []  # the signal came twice


def test_a_disabled_endpoint_gets_nothing_more(seller, receiver):
    from webhooks.services import endpoint_update

    endpoint = subscribe(seller, receiver)
    [delivery] = record(seller)
    endpoint_update(user=seller, endpoint_id=endpoint.pk, enabled=False)
    delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == "failed" and receiver.posts == 0
    assert record(seller, key="order.paid:ORD-2") == []


def test_beat_enqueues_only_what_is_due(seller, receiver, settings):
    from django.utils import timezone

    from webhooks.services import deliveries_due

    subscribe(seller, receiver)
    [due] = record(seller)
    [later] = record(seller, key="order.paid:ORD-3")
    Delivery.objects.filter(pk=later.pk).update(next_attempt_at=timezone.now() + timezone.timedelta(hours=1))
    # when beat looks (the messages go to the test run's own queue)
    # then only the due delivery is enqueued
    assert deliveries_due() == 1


def test_a_batch_with_an_event_recorded_before_records_the_others(seller, receiver):
    from accounts.selectors import company_of
    from webhooks.services import NewEvent, events_record

    subscribe(seller, receiver)
    company_id = company_of(seller).pk
    record(seller, key="order.paid:ORD-1")
    recorded = events_record(events=[NewEvent("order.paid", company_id, "order.paid:ORD-1", {"order": "ORD-1"}),
                                     NewEvent("order.paid", company_id, "order.paid:ORD-2", {"order": "ORD-2"})])
    assert [e.dedupe_key for e in recorded] == ["order.paid:ORD-2"]
    assert Delivery.objects.count() == 2
