"""The platform's shared edges: health check, API error shape, schema and docs."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_database_and_broker():
    # when
    response = Client().get("/healthz")
    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_does_not_answer(monkeypatch):
    # given a broker URL nothing listens on
    # Celery reads the variable before its own setting, so this is all it takes (and all there
    # is to undo: patching app.conf too would capture the patched value as the one to restore).
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    # when
    response = Client().get("/healthz")
    # then
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_openapi_schema_and_docs_are_served_without_a_cdn():
    client = Client()
    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")
    assert schema.status_code == 200
    assert b"/api/v1/customs/landed-cost/" in schema.content
    assert docs.status_code == 200
    assert b"cdn.jsdelivr" not in docs.content and b"unpkg.com" not in docs.content


@pytest.mark.django_db
def test_api_errors_have_one_shape():
    # when an anonymous client asks for something that needs a login
    response = Client().get("/api/v1/listings/")
    # then
    assert response.status_code in (401, 403)
    assert set(response.json()["error"]) == {"code", "message", "field"}
