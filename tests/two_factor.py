"""Two-factor sign-in in tests: a staff member's TOTP device, and the code their authenticator app would
show now (computed from the device's secret, as the app does)."""

from __future__ import annotations

import time
from base64 import b32decode

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device(user) -> TOTPDevice:
    """The user's confirmed device, made if they have none (as after they set one up)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)


def totp_code(device: TOTPDevice) -> str:
    """The code to type now. django-otp takes each code once, so after a sign-in in this same 30-second step
    it is the next step's code (within the one step of drift it accepts)."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    step = max(totp.t(), device.last_t + 1)
    totp.time = device.t0 + step * device.step
    return f"{totp.token():0{device.digits}d}"


def code_from_secret(secret: str) -> str:
    """The code an authenticator app shows now for the base32 key the set-up page displays."""
    totp = TOTP(b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


def browser_second_factor(page, email: str) -> None:
    """After the password in a browser: type the code the set-up page's key gives (a first sign-in), or
    the one the user's device gives (as their app would); nothing if the user needs no second factor."""
    if "/accounts/two-factor/setup/" in page.url:
        code = code_from_secret(page.locator("[data-testid=totp-secret]").inner_text())
    elif "/accounts/two-factor/" in page.url:
        code = totp_code(TOTPDevice.objects.get(user__email=email, confirmed=True))
    else:
        return
    page.fill("input[name=otp_token]", code)
    page.click("[data-testid=two-factor-form] button[type=submit]")
    page.wait_for_load_state()
