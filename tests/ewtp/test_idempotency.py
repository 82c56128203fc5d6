"""Idempotency-Key on the API's POSTs (ewtp/idempotency.py), rule by rule, on a few endpoints."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ewtp.idempotency import _claim, fingerprint, idempotency_keys_purge
from ewtp.models import IdempotencyKey
from marketplace.models import CartLine, Listing
from tests import factories
from webhooks.models import Endpoint

pytestmark = pytest.mark.django_db
LISTING = {"title_en": "Longjing green tea", "title_zh": "龙井绿茶", "hs_code": "090210", "origin_country": "CN",
           "price_amount": "168.00", "stock": 100, "moq": 10, "weight_kg": "0.350"}


def post(client, url, body, key):
    return client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY=key)


def test_the_same_key_and_body_replays_the_first_response():
    seller = factories.seller()
    client = factories.api_client(seller)
    # when a seller's client sends the same creation twice (a retry after a timeout)
    first = post(client, "/api/v1/listings/", LISTING, "listing-7f3a")
    again = post(client, "/api/v1/listings/", LISTING, "listing-7f3a")
    # then one listing was made, and the retry got the first answer, marked as replayed
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert Listing.objects.filter(company__members__user=seller).count() == 1


def test_a_replayed_endpoint_creation_carries_the_same_secret_and_makes_one_endpoint():
    client = factories.api_client(factories.seller())
    body = {"url": "http://127.0.0.1:9/hooks", "events": ["order.paid"]}
    first = post(client, "/api/v1/webhooks/endpoints/", body, "k1")
    again = post(client, "/api/v1/webhooks/endpoints/", body, "k1")
    assert first.json()["secret"] == again.json()["secret"] and Endpoint.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_422():
    client = factories.api_client(factories.seller())
    assert post(client, "/api/v1/listings/", LISTING, "key-1").status_code == 201
    answer = post(client, "/api/v1/listings/", {**LISTING, "stock": 5}, "key-1")
    assert answer.status_code == 422
    assert answer.json() == {"error": {"code": "idempotency_key_reused", "field": "Idempotency-Key",
                                       "message": answer.json()["error"]["message"]}}
    # another path with the key is another request too
    other = post(client, "/api/v1/webhooks/endpoints/", {"url": "http://127.0.0.1:9/", "events": ["order.paid"]},
                 "key-1")
    assert other.status_code == 422
    assert Listing.objects.count() == 1 and not Endpoint.objects.exists()


def test_a_key_still_running_is_refused_with_409(rf):
    from rest_framework.request import Request

    from ewtp.parsers import JSONParser

    buyer = factories.buyer()
    listing = factories.listing(factories.seller())
    body = {"listing": listing.pk, "quantity": 12}
    # given the first request with the key claimed it and still runs
    first = Request(rf.post("/api/v1/cart/lines/", body, content_type="application/json"), parsers=[JSONParser()])
    first.user = buyer
    record, claimed = _claim(scope=f"user:{buyer.pk}", key="cart-1", request=first, print_=fingerprint(first))
    assert claimed
    # when the client sends it again meanwhile
    answer = post(factories.api_client(buyer), "/api/v1/cart/lines/", body, "cart-1")
    # then it is told to wait, and nothing was added
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "idempotency_key_in_use"
    assert not CartLine.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_execute_once(reference_data):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL")
    seller = factories.seller()
    barrier = threading.Barrier(4)
    answers = []

    def send():
        barrier.wait()
        try:
            answers.append(post(factories.api_client(seller), "/api/v1/listings/", LISTING, "race-1"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then one request made the listing; each other one was told to wait or got its answer replayed
    assert Listing.objects.count() == 1
    executed = [a for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a]
    assert len(executed) == 1
    assert all(a.status_code == 409 or a.get("Idempotent-Replayed") == "true" for a in answers if a not in executed)


def test_a_refused_request_releases_its_key():
    client = factories.api_client(factories.seller())
    bad = post(client, "/api/v1/listings/", {**LISTING, "hs_code": "12"}, "fix-and-retry")
    assert bad.status_code == 400
    # the client fixes the body and sends it with the same key: it runs
    assert post(client, "/api/v1/listings/", LISTING, "fix-and-retry").status_code == 201
    assert Listing.objects.count() == 1


def test_keys_are_per_caller_and_optional():
    first, second = factories.api_client(factories.seller()), factories.api_client(factories.seller())
    assert post(first, "/api/v1/listings/", LISTING, "shared").status_code == 201
    assert "Idempotent-Replayed" not in post(second, "/api/v1/listings/", LISTING, "shared")
    assert first.post("/api/v1/listings/", LISTING, format="json").status_code == 201  # no key, no memory
    assert first.post("/api/v1/listings/", LISTING, format="json").status_code == 201
    assert Listing.objects.count() == 4 and IdempotencyKey.objects.count() == 2


def test_a_malformed_key_is_refused_at_the_header():
    answer = post(factories.api_client(factories.seller()), "/api/v1/listings/", LISTING, "x" * 256)
    assert answer.status_code == 400 and answer.json()["error"]["field"] == "Idempotency-Key"
    assert not Listing.objects.exists()


def test_keys_expire_after_24_hours_and_beat_purges_them():
    client = factories.api_client(factories.seller())
    assert post(client, "/api/v1/listings/", LISTING, "old").status_code == 201
    assert post(client, "/api/v1/listings/", LISTING, "fresh").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    # an expired key is a new key: another body runs
    assert post(client, "/api/v1/listings/", {**LISTING, "stock": 7}, "old").status_code == 201
    IdempotencyKey.objects.filter(key="old").update(created_at=timezone.now() - timedelta(hours=25))
    # and beat forgets the expired ones only
    assert idempotency_keys_purge() == 1
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["fresh"]


def test_a_charging_post_is_replayed_not_charged_twice():
    from payments.models import Payment

    buyer = factories.buyer()
    listing = factories.listing(factories.seller())
    factories.cart_with(buyer, {listing: 12})
    client = factories.api_client(buyer)
    checkout = post(client, "/api/v1/cart/checkout/", {}, "co-1")
    assert checkout.status_code == 201, checkout.json()
    reference = checkout.json()["reference"]
    pay = {"card_number": "4242424242424242", "expected_total": checkout.json()["total"]}
    first = post(client, f"/api/v1/checkouts/{reference}/pay/", pay, "pay-1")
    again = post(client, f"/api/v1/checkouts/{reference}/pay/", pay, "pay-1")
    assert first.status_code == again.status_code and again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 1
