"""Production settings refuse to load on a setting that is only safe on a developer's machine, and
say which variable to fix; a correct production environment starts. Each case imports the real
settings in a fresh process, as gunicorn, the worker and manage.py do."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

PRODUCTION = {"DJANGO_SETTINGS_MODULE": "ewtp.settings.production"}
SAFE = {
    **PRODUCTION,
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "shop.example",
    "CARRIER_WEBHOOK_SECRET": secrets.token_urlsafe(32),
    "PAYMENT_PROVIDER": "sandbox",
}
STRIPE = {
    "PAYMENT_PROVIDER": "",
    "STRIPE_SECRET_KEY": "sk_live_" + secrets.token_hex(12),
    "STRIPE_PUBLISHABLE_KEY": "pk_live_" + secrets.token_hex(12),
    "STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(16),
}
# Every variable the check reads; the parent's values (a developer's shell, CI) must not leak in.
HTTP_AUTHORITY = {"CUSTOMS_AUTHORITY": "http", "CUSTOMS_AUTHORITY_URL": "https://authority.example/api",
                  "CUSTOMS_AUTHORITY_TOKEN": secrets.token_urlsafe(24)}
CONTROLLED = {*SAFE, *STRIPE, *HTTP_AUTHORITY, "DEBUG", "STRIPE_API_BASE", "SECURE_SSL_REDIRECT"}


def start(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    return subprocess.run(
        [sys.executable, "manage.py", *(args or ("check",))], cwd=ROOT, capture_output=True, text=True,
        env={**base, "EWTP_VAR_DIR": str(tmp_path), **{k: v for k, v in env.items() if v is not None}}, timeout=120)


def test_a_correct_production_environment_starts_and_passes_the_deploy_checks(tmp_path):
    # when
    result = start(tmp_path, SAFE, "check", "--deploy", "--fail-level", "WARNING")
    # then
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("extra", [STRIPE, HTTP_AUTHORITY], ids=["stripe", "http-customs-authority"])
def test_a_correct_production_environment_with_stripe_or_the_http_authority_starts(tmp_path, extra):
    # when
    result = start(tmp_path, {**SAFE, **extra})
    # then
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("variable", "changes"), [
    ("SECRET_KEY", {"SECRET_KEY": None}),
    ("SECRET_KEY", {"SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}),
    ("SECRET_KEY", {"SECRET_KEY": "django-insecure-" + secrets.token_urlsafe(50)}),
    ("SECRET_KEY", {"SECRET_KEY": "changeme"}),
    ("SECRET_KEY", {"SECRET_KEY": "ab" * 40}),
    ("DEBUG", {"DEBUG": "1"}),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": None}),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "*"}),
    ("ALLOWED_HOSTS", {"ALLOWED_HOSTS": "shop.example,*"}),
    ("CARRIER_WEBHOOK_SECRET", {"CARRIER_WEBHOOK_SECRET": None}),
    ("CARRIER_WEBHOOK_SECRET", {"CARRIER_WEBHOOK_SECRET": "dev-carrier-webhook-secret"}),
    ("CARRIER_WEBHOOK_SECRET", {"CARRIER_WEBHOOK_SECRET": "ci"}),
    ("STRIPE_SECRET_KEY", {"PAYMENT_PROVIDER": None}),  # the sandbox by default: takes no money
    ("STRIPE_SECRET_KEY", {**STRIPE, "PAYMENT_PROVIDER": "stripe", "STRIPE_SECRET_KEY": None}),
    ("PAYMENT_PROVIDER", {"PAYMENT_PROVIDER": "paypal"}),
    ("STRIPE_WEBHOOK_SECRET", {**STRIPE, "STRIPE_WEBHOOK_SECRET": None}),
    ("STRIPE_WEBHOOK_SECRET", {**STRIPE, "STRIPE_WEBHOOK_SECRET": STRIPE["STRIPE_SECRET_KEY"]}),
    ("STRIPE_PUBLISHABLE_KEY", {**STRIPE, "STRIPE_PUBLISHABLE_KEY": None}),
    ("STRIPE_API_BASE", {**STRIPE, "STRIPE_API_BASE": "http://127.0.0.1:8420"}),
    ("CUSTOMS_AUTHORITY_URL", {**HTTP_AUTHORITY, "CUSTOMS_AUTHORITY_URL": None}),
    ("CUSTOMS_AUTHORITY_URL", {**HTTP_AUTHORITY, "CUSTOMS_AUTHORITY_URL": "http://authority.example/api"}),
    ("CUSTOMS_AUTHORITY_TOKEN", {**HTTP_AUTHORITY, "CUSTOMS_AUTHORITY_TOKEN": None}),
    ("WEBHOOK_ALLOW_LOCAL", {"WEBHOOK_ALLOW_LOCAL": "1"}),  # SSRF: sellers' URLs into our own network
])
def test_production_refuses_to_start_on_an_unsafe_setting_and_names_it(tmp_path, variable, changes):
    # given a correct production environment with one setting made unsafe
    env = {**SAFE, **changes}
    # when
    result = start(tmp_path, env)
    # then
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    refusal = result.stderr[result.stderr.index("ImproperlyConfigured"):]
    assert re.search(rf"\b{variable}\b", refusal), refusal
    assert refusal.count("\n  - ") <= 1, f"only {variable} is at fault: {refusal}"


def test_production_names_every_unsafe_setting_at_once(tmp_path):
    # when nothing at all is set
    result = start(tmp_path, PRODUCTION)
    # then
    for variable in ("SECRET_KEY", "ALLOWED_HOSTS", "CARRIER_WEBHOOK_SECRET", "STRIPE_SECRET_KEY"):
        assert variable in result.stderr
    assert result.returncode != 0


def test_the_compose_file_has_no_default_for_any_secret():
    # a secret-looking variable may be required (${X:?...}) or optional and empty (${X:-}), never preset
    compose = (ROOT / "docker-compose.yml").read_text()
    preset = re.findall(r"\$\{(\w*(?:SECRET|PASSWORD|KEY|TOKEN)\w*):?-([^}]+)\}", compose)
    assert preset == []
    assert "${POSTGRES_PASSWORD:?" in compose


def test_the_web_entry_point_loads_production_settings_unless_told_otherwise(tmp_path):
    # given no settings module named (a deployment that forgot to say)
    env = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    # when gunicorn would import the application
    result = subprocess.run([sys.executable, "-c", "import ewtp.wsgi"], cwd=ROOT, capture_output=True, text=True,
                            env={**env, "EWTP_VAR_DIR": str(tmp_path)}, timeout=120)
    # then it refuses, naming the secret: it never falls back to the development one
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_fresh_clone_runs_on_development_settings_with_nothing_set(tmp_path):
    # when manage.py runs with no settings module and no variable set
    env = {k: v for k, v in os.environ.items() if k not in CONTROLLED}
    result = subprocess.run([sys.executable, "manage.py", "diffsettings", "--output", "unified"], cwd=ROOT,
                            capture_output=True, text=True, env={**env, "EWTP_VAR_DIR": str(tmp_path)}, timeout=120)
    # then it starts, on the public development key
    assert result.returncode == 0, result.stderr
    assert "dev-only-insecure-key-do-not-use-in-production" in result.stdout


def test_the_test_settings_use_no_known_secret(settings):
    from ewtp.settings.development import DEV_CARRIER_WEBHOOK_SECRET, DEV_SECRET_KEY

    assert settings.SECRET_KEY != DEV_SECRET_KEY and len(settings.SECRET_KEY) >= 50
    assert settings.CARRIER_WEBHOOK_SECRET != DEV_CARRIER_WEBHOOK_SECRET
