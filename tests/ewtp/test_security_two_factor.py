"""Staff roles sign in with a TOTP code after the password (ewtp/two_factor.py): without a device they are
sent to set one up and reach no staff page until they have; buyers and sellers sign in as before."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.two_factor import totp_code, totp_device

pytestmark = pytest.mark.django_db

CONSOLE = "/customs/console/"


def sign_in(client: Client, user, next_url: str = CONSOLE):
    return client.post(f"/accounts/login/?next={next_url}",
                       {"username": user.email, "password": factories.PASSWORD, "next": next_url})


def test_an_officer_without_a_device_is_sent_to_set_one_up_and_cannot_reach_the_console():
    # given an officer who has never set up two-factor sign-in
    officer, client = factories.officer(), Client()
    # when they sign in with the right password
    response = sign_in(client, officer)
    # then the console sends them to the set-up page, and the session API refuses them too
    assert response.status_code == 302
    response = client.get(CONSOLE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/setup/")
    assert "next=%2Fcustoms%2Fconsole%2F" in response["Location"]
    api = client.get("/api/v1/customs/cases/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "two_factor_required"
    assert client.get("/payments/staff/").status_code == 302


def test_setting_up_a_device_with_a_code_from_its_secret_opens_the_console():
    # given an officer sent to the set-up page
    officer, client = factories.officer(), Client()
    sign_in(client, officer)
    page = client.get("/accounts/two-factor/setup/?next=/customs/console/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert device.config_url.replace(" ", "").split("secret=")[1][:8] in page.content.decode().replace(" ", "")
    # when a wrong code is typed, then it is refused at the field and the console stays shut
    wrong = client.post("/accounts/two-factor/setup/", {"otp_token": "000000" if totp_code(device) != "000000"
                                                        else "111111", "next": CONSOLE})
    assert wrong.status_code == 200 and "not the current one" in wrong.content.decode()
    assert client.get(CONSOLE).status_code == 302
    time.sleep(1.1)  # django-otp's throttle: a second after one wrong code, doubling with each
    # when the code the app would show is typed
    response = client.post("/accounts/two-factor/setup/", {"otp_token": totp_code(device), "next": CONSOLE})
    # then the device is confirmed and the console opens
    assert response.status_code == 302 and response["Location"] == CONSOLE
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    assert client.get(CONSOLE).status_code == 200


def test_an_officer_with_a_device_signs_in_with_the_code_of_the_moment():
    # given an officer with a device
    officer, client = factories.officer(), Client()
    device = totp_device(officer)
    # when they sign in with the password alone
    sign_in(client, officer)
    response = client.get(CONSOLE)
    # then they are asked for the code
    assert response.status_code == 302 and response["Location"].startswith("/accounts/two-factor/?")
    # and with it they reach the console
    code = totp_code(device)
    response = client.post("/accounts/two-factor/", {"otp_token": code, "next": CONSOLE})
    assert response["Location"] == CONSOLE
    assert client.get(CONSOLE).status_code == 200
    # a code is good once: the same code again (another session) is refused
    other = Client()
    sign_in(other, officer)
    again = other.post("/accounts/two-factor/", {"otp_token": code, "next": CONSOLE})
    assert again.status_code == 200 and "not the current one" in again.content.decode()
    assert other.get(CONSOLE).status_code == 302


@pytest.mark.parametrize("make", [factories.finance, factories.compliance, factories.staff])
def test_every_staff_role_needs_the_second_factor(make):
    client = Client()
    sign_in(client, make(), next_url="/")
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/two-factor/" in response["Location"]


def test_a_buyer_signs_in_with_the_password_alone():
    buyer, client = factories.buyer(), Client()
    response = sign_in(client, buyer, next_url="/cart/")
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert client.get("/").status_code == 200
    # the two-factor pages are not for them: they go on where they were going, with no device made
    assert client.get("/accounts/two-factor/setup/?next=/cart/")["Location"] == "/cart/"
    assert client.get("/accounts/two-factor/?next=/cart/")["Location"] == "/cart/"
    assert not TOTPDevice.objects.filter(user=buyer).exists()


def test_the_code_page_sends_nobody_to_another_site():
    officer, client = factories.officer(), Client()
    device = totp_device(officer)
    sign_in(client, officer)
    response = client.post("/accounts/two-factor/", {"otp_token": totp_code(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and not response["Location"].startswith("https://evil.example")


def test_a_next_that_is_no_path_is_only_a_redirect():
    # given a `next` of one digit (a relative URL, which Django's `redirect` would take for a view's name)
    buyer, officer = Client(), Client()
    buyer.force_login(factories.buyer())
    officer_user = factories.officer()
    sign_in(officer, officer_user)
    # when a buyer is sent on by the two-factor pages, or an officer gives the code, then it is a redirect
    for page in ("/accounts/two-factor/", "/accounts/two-factor/setup/"):
        response = buyer.get(page, {"next": "٣"})
        assert response.status_code == 302 and response["Location"] == "%D9%A3"
    response = officer.post("/accounts/two-factor/", {"otp_token": totp_code(totp_device(officer_user)), "next": "٣"})
    assert response.status_code == 302 and response["Location"] == "%D9%A3"


def test_the_api_token_of_a_staff_role_needs_the_code():
    # given an officer with a device
    officer = factories.officer()
    device = totp_device(officer)
    api = factories.api_client()
    # when they ask for a token with the password alone, then the code is asked for at its field
    response = api.post("/api/v1/auth/token/", {"username": officer.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "otp_token"
    # with the code they get a token that works
    response = api.post("/api/v1/auth/token/", {"username": officer.email, "password": factories.PASSWORD,
                                                "otp_token": totp_code(device)})
    assert response.status_code == 200
    cases = factories.api_client()
    cases.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert cases.get("/api/v1/customs/cases/").status_code == 200


def test_a_buyer_gets_a_token_with_the_password_alone():
    buyer = factories.buyer()
    response = factories.api_client().post("/api/v1/auth/token/",
                                           {"username": buyer.email, "password": factories.PASSWORD})
    assert response.status_code == 200 and response.json()["token"]
