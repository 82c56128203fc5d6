"""Every response carries the headers a security reviewer looks for, with a Content-Security-Policy that
the pages live with: no page breaks it in a real browser, and Stripe.js is allowed only where Stripe pays."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests import factories
from tests.browser import log_in, password_step
from tests.two_factor import browser_second_factor

ROOT = Path(__file__).resolve().parent.parent.parent


def directives(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/api/docs/", "/healthz"])
def test_every_response_has_the_security_headers(url):
    # when
    response = Client().get(url)
    # then
    policy = directives(response)
    assert policy["default-src"] == "default-src 'self'"
    assert policy["script-src"] == "script-src 'self'"  # no inline script, no eval, no other site
    assert policy["style-src"] == "style-src 'self'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["form-action"] == "form-action 'self'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]  # no style attribute either
    assert "stripe.com" not in response["Content-Security-Policy"]  # only the pages that use Stripe (tests/payments)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]


def test_no_template_has_an_inline_script_or_style():
    # an inline <script>, an on...= handler, a <style> element or a style attribute would be refused
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        offenders += [f"{template.name}: {tag}" for tag in re.findall(r"<script\b[^>]*>", text) if "src=" not in tag]
        offenders += [f"{template.name}: {handler}" for handler in re.findall(r"\son[a-z]+=\"", text)]
        offenders += [f"{template.name}: {style}" for style in re.findall(r"<style\b|\sstyle=", text)]
    assert offenders == []


@pytest.mark.browser
def test_the_pages_work_under_the_policy_in_a_real_browser(page, live_server, reference_data):
    # given a seller, and a browser that records every policy violation
    seller = factories.seller()
    factories.listing(seller)
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    base = live_server.url
    # when a visitor browses, and the seller signs in and starts a listing
    page.goto(f"{base}/")
    page.goto(f"{base}/api/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=20_000)  # Swagger UI started
    log_in(page, base, seller.email)
    page.goto(f"{base}/sell/")
    page.goto(f"{base}/sell/listings/new/")
    page.fill("[data-hs-search]", "green tea")
    # then the HS code suggestions (a script of ours) appear, and nothing was refused
    # (a locator, not wait_for_function: the policy forbids the eval that one runs in the page)
    page.locator("#hs-options option").first.wait_for(state="attached", timeout=10_000)
    assert violations == []


@pytest.mark.browser
def test_an_officer_signs_in_with_both_factors_in_a_real_browser(page, live_server, reference_data):
    # given an officer who has not set up two-factor sign-in
    officer = factories.officer()
    base = live_server.url
    violations = []
    page.on("console", lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text else None)
    # when they sign in: the set-up page shows a key, and the code it gives opens the console
    password_step(page, base, officer.email, next_url="/customs/console/")
    assert "/accounts/two-factor/setup/" in page.url
    assert page.locator(".qr svg").count() == 1
    browser_second_factor(page, officer.email)
    # then
    assert page.url.endswith("/customs/console/")
    assert page.locator("h1").first.inner_text()
    assert violations == []  # the set-up page's QR code (inline SVG) and the console live with the policy
