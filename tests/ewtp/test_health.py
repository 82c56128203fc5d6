"""/healthz: the database and the broker, as a load balancer asks."""

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
