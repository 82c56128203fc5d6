"""The webhooks API: a seller's own endpoints and deliveries only, secrets shown once, the one error shape."""

import pytest

from tests import factories
from tests.webhooks.conftest import record, subscribe
from webhooks.services import delivery_attempt

pytestmark = pytest.mark.django_db
BASE = "/api/v1/webhooks"


def test_a_seller_adds_an_endpoint_and_sees_its_secret_once(seller):
    client = factories.api_client(seller)
    made = client.post(f"{BASE}/endpoints/", {"url": "http://127.0.0.1:9/hooks", "events": ["order.paid"],
                                              "description": "ERP"}, format="json")
    assert made.status_code == 201
    body = made.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["order.paid"]
    listed = client.get(f"{BASE}/endpoints/").json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in client.get(f"{BASE}/endpoints/{body['id']}/").json()
    rotated = client.post(f"{BASE}/endpoints/{body['id']}/rotate-secret/").json()
    assert rotated["secret"] != body["secret"]


@pytest.mark.parametrize("payload, field, code", [
    ({"url": "http://127.0.0.1:9/hooks", "events": ["order.shipped"]}, "events.0", "invalid_choice"),
    ({"url": "http://127.0.0.1:9/hooks", "events": []}, "events", "min_length"),
    ({"url": "gopher://example.com/", "events": ["order.paid"]}, "url", "url_refused"),
    ({"events": ["order.paid"]}, "url", "required"),
])
def test_bad_input_is_refused_at_its_field(seller, payload, field, code):
    answer = factories.api_client(seller).post(f"{BASE}/endpoints/", payload, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"error": {"code": code, "message": answer.json()["error"]["message"], "field": field}}


def test_in_production_local_and_plain_http_urls_are_refused(seller, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    client = factories.api_client(seller)
    for url in ("http://hooks.example.com/", "https://127.0.0.1/hooks", "https://localhost/hooks",
                "https://10.0.0.8/", "https://[::1]/", "https://169.254.169.254/latest/meta-data/"):
        answer = client.post(f"{BASE}/endpoints/", {"url": url, "events": ["order.paid"]}, format="json")
        assert answer.status_code == 400, url
        assert answer.json()["error"]["field"] == "url"


def test_a_delivery_to_a_local_address_is_refused_in_production(seller, receiver, settings):
    # given an endpoint made where local addresses were allowed
    subscribe(seller, receiver)
    [delivery] = record(seller)
    # when production settings refuse them, the attempt does not reach the receiver
    settings.WEBHOOK_ALLOW_LOCAL = False
    delivery_attempt(delivery_id=delivery.pk)
    [attempt] = delivery.attempts.all()
    assert receiver.posts == 0 and attempt.status_code is None and attempt.error.startswith("Refused")


def test_another_companys_endpoint_and_deliveries_are_not_found(seller, receiver):
    endpoint = subscribe(seller, receiver)
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)
    other = factories.api_client(factories.seller())
    for method, url in [("get", f"{BASE}/endpoints/{endpoint.pk}/"), ("patch", f"{BASE}/endpoints/{endpoint.pk}/"),
                        ("post", f"{BASE}/endpoints/{endpoint.pk}/rotate-secret/"),
                        ("get", f"{BASE}/deliveries/{delivery.pk}/"),
                        ("post", f"{BASE}/deliveries/{delivery.pk}/replay/")]:
        answer = getattr(other, method)(url, {}, format="json")
        assert answer.status_code == 404, url
        assert answer.json()["error"]["code"] == "not_found"
    assert other.get(f"{BASE}/deliveries/").json()["results"] == []
    assert other.get(f"{BASE}/endpoints/").json()["results"] == []


def test_a_buyer_has_no_webhooks(db):
    answer = factories.api_client(factories.buyer()).get(f"{BASE}/endpoints/")
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "not_a_seller"


def test_the_delivery_log_and_a_replay(seller, receiver):
    subscribe(seller, receiver)
    receiver.answers = [500]
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)
    delivery_attempt(delivery_id=delivery.pk)
    client = factories.api_client(seller)
    detail = client.get(f"{BASE}/deliveries/{delivery.pk}/").json()
    assert detail["status"] == "succeeded" and [a["status_code"] for a in detail["attempts"]] == [500, 200]
    assert detail["payload"] == {"order": "ORD-1"}
    replay = client.post(f"{BASE}/deliveries/{delivery.pk}/replay/")
    assert replay.status_code == 202 and replay.json()["event"] == delivery.event_id
    assert replay.json()["replay_of"] == delivery.pk
    # a delivery still being attempted is not replayed
    again = client.post(f"{BASE}/deliveries/{replay.json()['id']}/replay/")
    assert again.status_code == 409 and again.json()["error"]["code"] == "still_pending"


def test_disabling_an_endpoint(seller, receiver):
    endpoint = subscribe(seller, receiver)
    client = factories.api_client(seller)
    answer = client.patch(f"{BASE}/endpoints/{endpoint.pk}/", {"enabled": False}, format="json")
    assert answer.status_code == 200 and answer.json()["enabled"] is False
    assert record(seller) == []


def test_the_delivery_list_runs_a_fixed_number_of_queries(seller, receiver, django_assert_max_num_queries):
    subscribe(seller, receiver)
    for n in range(6):
        record(seller, key=f"order.paid:ORD-{n}")
    client = factories.api_client(seller)
    with django_assert_max_num_queries(8):
        answer = client.get(f"{BASE}/deliveries/")
    assert answer.json()["count"] == 6
