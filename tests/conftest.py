"""Shared fixtures: reference data, users and companies made through the real services, and a
real Celery worker (with beat) running against the configured broker and the test database."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Journey workers hold consignments above this customs value for an officer.
JOURNEY_HIGH_VALUE_EUR = "300"


def pytest_configure(config):
    """One queue per test process, so that parallel runs (xdist, CI) never take each other's
    tasks. Django's settings are loaded by now; Celery reads them lazily, so set both."""
    from django.conf import settings

    from ewtp.celery import app

    # Persistent connections from live-server threads would keep the test database busy at teardown.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Private files (ewtp/files.py) of a test run go to a folder of their own (the workers inherit it).
    import atexit
    import tempfile

    private = tempfile.mkdtemp(prefix="ewtp-private-")
    atexit.register(shutil.rmtree, private, ignore_errors=True)
    settings.PRIVATE_MEDIA_ROOT = private
    os.environ["PRIVATE_MEDIA_ROOT"] = private
    # A run stopped mid-way leaves its SQLite test database's -wal and -shm files behind; the next run's new
    # database would meet them ("disk I/O error" while migrating). This process removes its own.
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") and database.get("TEST", {}).get("NAME"):
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        name = database["TEST"]["NAME"] + (f"_{worker}" if worker else "")
        for sidecar in ("-wal", "-shm"):
            Path(name + sidecar).unlink(missing_ok=True)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    os.environ["CELERY_QUEUE"] = queue  # inherited by the worker processes the tests start
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    app.conf.task_default_queue = queue


@pytest.fixture(autouse=True)
def _each_test_starts_in_the_default_language():
    """A page asked for in Chinese leaves Chinese active in the thread (LocaleMiddleware activates it and
    nothing resets it), and a service called next, outside a request, would then write Chinese titles."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _force_login_gives_the_second_factor_too(monkeypatch):
    """Django's `force_login` signs a test client in without the password; for a staff role it skips the
    TOTP code as well (a device is made if the user has none), as if they had set one up and typed it.
    tests/test_security_two_factor.py signs in for real, through both steps."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    force_login = Client.force_login

    def force_login_both_factors(self, user, backend=None):
        force_login(self, user, backend)
        from ewtp.two_factor import two_factor_required
        from tests.two_factor import totp_device

        fresh = type(user).objects.get(pk=user.pk)  # the test's own instance keeps an empty permission cache
        if two_factor_required(fresh):
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = totp_device(fresh).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_both_factors)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.core.management import call_command

    with django_db_blocker.unblock():
        call_command("load_reference_data", verbosity=0)
    yield
    # A live-server thread can still hold a session on the test database; PostgreSQL will not drop a
    # database in use, so end such sessions before pytest-django drops it.
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def reference_data(db):
    """The reference data, reloaded when a transactional test has flushed it."""
    from django.core.management import call_command

    from customs.models import HsCode

    if not HsCode.objects.exists():
        call_command("load_reference_data", verbosity=0, force=True)


@pytest.fixture
def http_authority(settings, monkeypatch):
    """A fake customs authority over real HTTP (tests/customs/fake_authority.py) as the configured
    authority (CUSTOMS_AUTHORITY=http, polled at once), for this process and for any worker process
    started after this fixture (it inherits the environment)."""
    from tests.customs.fake_authority import TOKEN, FakeAuthority

    fake = FakeAuthority().start()
    values = {"CUSTOMS_AUTHORITY": "http", "CUSTOMS_AUTHORITY_URL": fake.url, "CUSTOMS_AUTHORITY_TOKEN": TOKEN,
              "CUSTOMS_AUTHORITY_FORMAT": "json", "CUSTOMS_AUTHORITY_POLL_SECONDS": "0",
              "CUSTOMS_AUTHORITY_HTTP_TIMEOUT_SECONDS": "5"}
    for key, value in values.items():
        monkeypatch.setenv(key, value)
        setattr(settings, key, float(value) if key.endswith("_SECONDS") else value)
    yield fake
    fake.stop()


def _database_url(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings_dict['NAME']}"


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, settings):
    """A real `celery worker -B` process on the test database and this run's queue."""
    from django.db import connection

    from ewtp.celery import app

    assert app.conf.task_default_queue == os.environ["CELERY_QUEUE"], "queue isolation broken"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CARRIER_SIM_SECONDS_PER_STEP": "0.3",
        "BEAT_INTERVAL_SECONDS": "1",
        "ESCROW_DISPUTE_WINDOW_SECONDS": "0",
        "CLEARANCE_HIGH_VALUE_EUR": JOURNEY_HIGH_VALUE_EUR,
        "EWTP_VAR_DIR": str(settings.VAR_DIR),
    }
    log = open(tmp_path / "worker.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "ewtp", "worker", "-B", "--loglevel", "INFO", "--concurrency", "2",
         "--pool", "prefork", "--schedule", str(tmp_path / "beat-schedule"), "-n", f"test-{uuid.uuid4().hex[:6]}@%h"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    yield process
    _stop_process_group(process)
    log.close()
    if os.environ.get("SHOW_WORKER_LOG"):
        print((tmp_path / "worker.log").read_text())


def _stop_process_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM the worker and its pool children, and wait until every one has gone, so that no
    database session outlives the test (the test database is dropped at the end)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)  # any member of the group left?
        except ProcessLookupError:
            return
        time.sleep(0.1)
    os.killpg(process.pid, signal.SIGKILL)


def wait_for(condition, *, timeout: float = 60, interval: float = 0.25, what: str = "condition"):
    """Poll until `condition()` is truthy; fail with `what` when the time is up."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture
def page():
    """A headless Chromium page (Debian's chromium). Skipped without it, except under CI=true. A test whose
    pages broke the Content-Security-Policy (a refused script, style or frame breaks a page silently) fails."""
    if not CHROMIUM:
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is missing: CI must run the browser tests (apt-get install chromium)")
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
    # between clicks are still plain synchronous code.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"])
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        refused = []
        page.on("console", lambda message: refused.append(f"{page.url}: {message.text}")
                if "Content Security Policy" in message.text else None)
        yield page
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert refused == [], "the Content-Security-Policy refused something on these pages"
