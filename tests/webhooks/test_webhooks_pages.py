"""The seller's webhook pages, in English and Chinese."""

import pytest

from tests import factories
from tests.webhooks.conftest import record, subscribe
from webhooks.models import Delivery, Endpoint
from webhooks.services import delivery_attempt

pytestmark = pytest.mark.django_db


def test_a_seller_adds_an_endpoint_and_the_secret_shows_once(seller):
    client = factories.page_client(seller)
    page = client.get("/webhooks/")
    assert page.status_code == 200 and "Add an endpoint" in page.content.decode()
    answer = client.post("/webhooks/", {"url": "http://127.0.0.1:9/hooks", "events": ["order.paid", "payout.created"]})
    endpoint = Endpoint.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/webhooks/{endpoint.pk}/"
    shown = client.get(answer["Location"]).content.decode()
    assert endpoint.secret in shown
    assert endpoint.secret not in client.get(answer["Location"]).content.decode()  # only once


def test_a_refused_url_is_shown_at_its_field(seller, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    page = factories.page_client(seller).post("/webhooks/", {"url": "https://127.0.0.1/x", "events": ["order.paid"]})
    assert page.status_code == 200
    assert "private or local address" in page.content.decode() and not Endpoint.objects.exists()


def test_the_pages_speak_chinese(seller, receiver):
    endpoint = subscribe(seller, receiver)
    client = factories.page_client(seller)
    client.cookies["django_language"] = "zh-hans"
    assert "添加" in client.get("/webhooks/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "签名" in client.get(f"/webhooks/{endpoint.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_disable_rotate_and_replay_from_the_pages(seller, receiver):
    endpoint = subscribe(seller, receiver)
    [delivery] = record(seller)
    delivery_attempt(delivery_id=delivery.pk)
    client = factories.page_client(seller)
    log = client.get(f"/webhooks/{endpoint.pk}/").content.decode()
    assert delivery.event_id in log
    page = client.get(f"/webhooks/deliveries/{delivery.pk}/").content.decode()
    assert "200" in page and "order.paid" in page
    replayed = client.post(f"/webhooks/deliveries/{delivery.pk}/")
    replay = Delivery.objects.get(replay_of=delivery)
    assert replayed["Location"] == f"/webhooks/deliveries/{replay.pk}/"
    old = endpoint.secret
    client.post(f"/webhooks/{endpoint.pk}/rotate-secret/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    client.post(f"/webhooks/{endpoint.pk}/enabled/", {"enabled": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.enabled


def test_another_companys_pages_are_not_found(seller, receiver):
    endpoint = subscribe(seller, receiver)
    [delivery] = record(seller)
    other = factories.page_client(factories.seller())
    assert other.get(f"/webhooks/{endpoint.pk}/").status_code == 404
    assert other.get(f"/webhooks/deliveries/{delivery.pk}/").status_code == 404
    assert other.post(f"/webhooks/{endpoint.pk}/rotate-secret/").status_code == 404
    assert other.post(f"/webhooks/{endpoint.pk}/enabled/", {"enabled": "0"}).status_code == 404
    assert factories.page_client(factories.buyer()).get("/webhooks/").status_code == 404
