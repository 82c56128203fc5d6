"""Production refuses to start on settings that are only safe on a developer's machine.

`ewtp/settings.py` calls `production_refuse_unsafe` at import when `EWTP_PRODUCTION=1`, so the
web server, the worker, beat and every management command stop before serving anything, with one
message that names each variable at fault. Pure: no Django import beyond the exception.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

# The development defaults: public (they are in this repository), so never a production secret.
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
DEV_CARRIER_WEBHOOK_SECRET = "dev-carrier-webhook-secret"  # noqa: S105

# Django's own test for a weak SECRET_KEY (django.core.checks.security.base, check W009).
SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
# RFC 2104 section 3: an HMAC key shorter than the hash output (32 bytes for SHA-256) is
# "strongly discouraged"; carriers sign with HMAC-SHA256.
HMAC_SECRET_MIN_LENGTH = 32

GENERATE = "generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"


def production_problems(*, secret_key: str, debug: bool, allowed_hosts: list[str],
                        carrier_webhook_secret: str, payment_provider: str, payment_provider_chosen: bool,
                        stripe_secret_key: str, stripe_publishable_key: str, stripe_webhook_secret: str,
                        stripe_api_base: str) -> list[str]:
    """One line per unsafe setting, each starting with the variable to set; empty when all are safe."""
    problems = []
    if not secret_key:
        problems.append(f"SECRET_KEY is not set ({GENERATE})")
    elif (secret_key == DEV_SECRET_KEY or secret_key.startswith("django-insecure-")
          or len(secret_key) < SECRET_KEY_MIN_LENGTH or len(set(secret_key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS):
        problems.append(f"SECRET_KEY is the development key or too weak (at least {SECRET_KEY_MIN_LENGTH} "
                        f"characters, {SECRET_KEY_MIN_UNIQUE_CHARACTERS} different; {GENERATE})")
    if debug:
        problems.append("DEBUG is on: it shows settings and code to every visitor of an error page")
    if not allowed_hosts:
        problems.append("ALLOWED_HOSTS is not set (the site's host names, comma-separated)")
    elif "*" in allowed_hosts:
        problems.append("ALLOWED_HOSTS contains '*': name the site's hosts (any Host header would be "
                        "trusted in password-reset and absolute links)")
    if not carrier_webhook_secret:
        problems.append("CARRIER_WEBHOOK_SECRET is not set (the HMAC secret carriers sign tracking events with)")
    elif carrier_webhook_secret == DEV_CARRIER_WEBHOOK_SECRET:
        problems.append("CARRIER_WEBHOOK_SECRET is the public development secret: anyone could forge "
                        "tracking events")
    elif len(carrier_webhook_secret) < HMAC_SECRET_MIN_LENGTH:
        problems.append(f"CARRIER_WEBHOOK_SECRET is shorter than {HMAC_SECRET_MIN_LENGTH} characters")
    if payment_provider == "stripe":
        if not stripe_secret_key:
            problems.append("STRIPE_SECRET_KEY is not set, yet PAYMENT_PROVIDER is stripe")
        if not stripe_publishable_key:
            problems.append("STRIPE_PUBLISHABLE_KEY is not set (the pay page's Payment Element needs it)")
        if not stripe_webhook_secret.startswith("whsec_"):
            problems.append("STRIPE_WEBHOOK_SECRET is not set to the endpoint's signing secret (whsec_...): "
                            "every Stripe webhook would be refused")
        if stripe_api_base:
            problems.append("STRIPE_API_BASE is set: production talks to Stripe itself, not to a test server")
    elif not payment_provider_chosen:
        problems.append("STRIPE_SECRET_KEY is not set, so payments would go to the sandbox, which takes no "
                        "money: set STRIPE_SECRET_KEY, STRIPE_PUBLISHABLE_KEY and STRIPE_WEBHOOK_SECRET, or "
                        "PAYMENT_PROVIDER=sandbox for a demo")
    return problems


def production_refuse_unsafe(**settings_values) -> None:
    """Raise ImproperlyConfigured listing every unsafe setting (see `production_problems`)."""
    if problems := production_problems(**settings_values):
        raise ImproperlyConfigured("Production mode (EWTP_PRODUCTION=1) refuses to start:\n  - "
                                   + "\n  - ".join(problems))
