"""A real worker and broker deliver an event to a real receiver: the first attempt gets a 500, the worker
retries on the schedule, the receiver verifies and acts once; a replay from the API arrives with the same id."""

import pytest

from tests import factories
from tests.conftest import wait_for
from tests.webhooks.conftest import record, subscribe
from webhooks.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_retries_after_a_500_and_a_replay_arrives_with_the_same_id(celery_worker_process, receiver):
    # given a seller's endpoint whose receiver fails once
    seller = factories.seller()
    subscribe(seller, receiver)
    receiver.answers = [500]
    # when an event is recorded (committed: the delivery is enqueued for the worker)
    [delivery] = record(seller)
    # then the worker tries, gets the 500, tries again and succeeds
    wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == "succeeded", timeout=90, what="delivery")
    assert [a.status_code for a in Delivery.objects.get(pk=delivery.pk).attempts.all()] == [500, 200]
    assert all(r.verified for r in receiver.requests) and receiver.handled == [delivery.event_id]
    # and a replay asked through the API arrives with the same event id, which the receiver ignores
    answer = factories.api_client(seller).post(f"/api/v1/webhooks/deliveries/{delivery.pk}/replay/")
    assert answer.status_code == 202
    wait_for(lambda: Delivery.objects.get(pk=answer.json()["id"]).status == "succeeded", timeout=60, what="replay")
    assert [r.event["id"] for r in receiver.requests] == [delivery.event_id] * 3
    assert receiver.handled == [delivery.event_id]
