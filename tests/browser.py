"""Signing in in a real browser (Playwright page), as a user types it."""

from __future__ import annotations

from tests import factories
from tests.two_factor import browser_second_factor


def password_step(page, base: str, email: str, password: str = factories.PASSWORD, next_url: str = "") -> None:
    """The sign-in form's first step: email and password."""
    page.goto(f"{base}/accounts/login/" + (f"?next={next_url}" if next_url else ""))
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", password)
    page.click("form.form button[type=submit]")
    page.wait_for_load_state()


def log_in(page, base: str, email: str, password: str = factories.PASSWORD) -> None:
    """Sign out whoever is signed in, then sign in as `email`, with the authenticator code for staff roles."""
    page.context.clear_cookies()
    password_step(page, base, email, password)
    browser_second_factor(page, email)
