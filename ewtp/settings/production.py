"""Production (the image sets DJANGO_SETTINGS_MODULE to this; so does ewtp/wsgi.py by default).

Every secret comes from the environment with no default. Loading these settings refuses to go on
(ImproperlyConfigured naming each variable at fault, all at once) while any setting is only safe on a
developer's machine, so the web server, the worker, beat and every management command stop before
serving anything. `production_problems` is pure: it takes the values and lists what is wrong.
"""

from ewtp.settings.base import *  # noqa: F403
from ewtp.settings.base import (
    CUSTOMS_AUTHORITY,
    CUSTOMS_AUTHORITY_TOKEN,
    CUSTOMS_AUTHORITY_URL,
    PAYMENT_PROVIDER,
    STRIPE_API_BASE,
    STRIPE_PUBLISHABLE_KEY,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    ImproperlyConfigured,
    env,
)

# Refused by name: they are public (ewtp/settings/development.py).
from ewtp.settings.development import DEV_CARRIER_WEBHOOK_SECRET, DEV_SECRET_KEY

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
                        stripe_api_base: str, customs_authority: str = "simulated", customs_authority_url: str = "",
                        customs_authority_token: str = "", webhook_allow_local: bool = False) -> list[str]:
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
    if customs_authority == "http":
        if not customs_authority_url.startswith("https://"):
            problems.append("CUSTOMS_AUTHORITY_URL is not an https:// address, yet CUSTOMS_AUTHORITY is http: "
                            "declarations carry names and addresses")
        if not customs_authority_token:
            problems.append("CUSTOMS_AUTHORITY_TOKEN is not set, yet CUSTOMS_AUTHORITY is http (the authority's "
                            "bearer token)")
    if webhook_allow_local:
        problems.append("WEBHOOK_ALLOW_LOCAL is on: sellers' webhook URLs could point the platform at its own "
                        "network (loopback, private and cloud-metadata addresses) and at plain http")
    return problems


# Empty defaults only so that the check below names every missing variable at once.
SECRET_KEY = env.str("SECRET_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CARRIER_WEBHOOK_SECRET = env.str("CARRIER_WEBHOOK_SECRET", default="")
# Links in emails: the site's first host over https unless SITE_URL says otherwise.
SITE_URL = env.str("SITE_URL", default=f"https://{ALLOWED_HOSTS[0]}" if ALLOWED_HOSTS else "")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

WHITENOISE_USE_FINDERS = False  # collectstatic ran in the image
# Reference rates fetched from the ECB itself (payments.tasks.fx_refresh) and never priced with once a week
# old: the ECB publishes every TARGET working day, and its longest pause (Easter, Christmas) is four days.
FX_SOURCE_URL = env.str("FX_SOURCE_URL", default="https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml")
FX_MAX_AGE_DAYS = env.int("FX_MAX_AGE_DAYS", default=7)
STORAGES = {**STORAGES,  # noqa: F405
            "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}

if _problems := production_problems(
        secret_key=SECRET_KEY, debug=DEBUG, allowed_hosts=ALLOWED_HOSTS, carrier_webhook_secret=CARRIER_WEBHOOK_SECRET,
        payment_provider=PAYMENT_PROVIDER, payment_provider_chosen=bool(env.str("PAYMENT_PROVIDER", default="")),
        stripe_secret_key=STRIPE_SECRET_KEY, stripe_publishable_key=STRIPE_PUBLISHABLE_KEY,
        stripe_webhook_secret=STRIPE_WEBHOOK_SECRET, stripe_api_base=STRIPE_API_BASE,
        customs_authority=CUSTOMS_AUTHORITY, customs_authority_url=CUSTOMS_AUTHORITY_URL,
        customs_authority_token=CUSTOMS_AUTHORITY_TOKEN, webhook_allow_local=WEBHOOK_ALLOW_LOCAL):  # noqa: F405
    raise ImproperlyConfigured("Production settings (ewtp.settings.production) refuse to load:\n  - "
                               + "\n  - ".join(_problems)
                               + "\n(On a developer's machine: DJANGO_SETTINGS_MODULE=ewtp.settings.development.)")
