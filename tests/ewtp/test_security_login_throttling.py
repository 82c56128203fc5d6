"""Guessing passwords is throttled (django-axes): after LOGIN_FAILURE_LIMIT failures for one username from
one address, the login page and the API token endpoint answer 429, even to the right password, until the
lock-out time has passed; other users are not affected."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def log_in(client: Client, email: str, password: str):
    return client.post("/accounts/login/", {"username": email, "password": password})


def test_the_login_page_locks_a_username_out_after_repeated_failures_and_lets_it_in_again(settings):
    # given a buyer, and a short lock-out for the test
    settings.AXES_COOLOFF_TIME = timedelta(seconds=2)
    buyer, client = factories.buyer(), Client()
    limit = django_settings.AXES_FAILURE_LIMIT
    # when a wrong password is tried one time less than the limit, then each is a form error
    for _ in range(limit - 1):
        response = log_in(client, buyer.email, "wrong-password")
        assert response.status_code == 200 and "correct" in response.content.decode()
    # when the limit is reached, then the page answers 429 and says why, even to the right password
    assert log_in(client, buyer.email, "wrong-password").status_code == 429
    locked = log_in(client, buyer.email, factories.PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode() and locked["Retry-After"]
    assert "_auth_user_id" not in client.session
    # another user signs in meanwhile from the same address
    other = factories.buyer()
    assert log_in(Client(), other.email, factories.PASSWORD).status_code == 302
    # when the lock-out time has passed, then the right password signs in again
    time.sleep(2.2)
    assert log_in(client, buyer.email, factories.PASSWORD).status_code == 302


def test_a_successful_sign_in_clears_the_failures():
    buyer, client = factories.buyer(), Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, buyer.email, "wrong-password")
    assert log_in(client, buyer.email, factories.PASSWORD).status_code == 302
    # the count starts again: as many failures as before do not lock out
    fresh = Client()
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(fresh, buyer.email, "wrong-password").status_code == 200
    assert log_in(fresh, buyer.email, factories.PASSWORD).status_code == 302


def test_the_api_token_endpoint_answers_429_after_repeated_failures():
    # given a buyer
    buyer, api = factories.buyer(), factories.api_client()
    body = {"username": buyer.email, "password": "wrong-password"}
    # when wrong passwords are sent up to the limit
    codes = [api.post("/api/v1/auth/token/", body).status_code for _ in range(django_settings.AXES_FAILURE_LIMIT)]
    # then each but the last is a 400, the last and every later one (right password too) a 429 in the API shape
    assert codes == [400] * (django_settings.AXES_FAILURE_LIMIT - 1) + [429]
    response = api.post("/api/v1/auth/token/", {**body, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "throttled"


def test_a_username_longer_than_any_email_is_a_failed_sign_in_and_counted():
    # given a client that sends a username of 300 characters (PostgreSQL refused to store it for django-axes)
    client, long_name = Client(), "x" * 290 + "@e.example"
    # when it tries to sign in with it, then it is told the sign-in failed, as for any unknown email
    for _ in range(django_settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, long_name, "wrong-password").status_code == 200
    # and the attempts are counted like any others
    assert log_in(client, long_name, "wrong-password").status_code == 429
    token = factories.api_client().post("/api/v1/auth/token/", {"username": long_name, "password": "x"})
    assert token.status_code == 429
