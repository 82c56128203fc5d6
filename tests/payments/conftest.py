import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def localstripe_url():
    """A real fake Stripe server (localstripe) on a loopback port, for the whole session."""
    port = _free_port()
    script = Path(__file__).with_name("localstripe_server.py")
    process = subprocess.Popen([sys.executable, str(script), "--port", str(port), "--from-scratch"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_mode(settings, localstripe_url):
    """The Stripe provider, pointed at localstripe."""
    import stripe

    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_localstripe"
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
    stripe.api_key, stripe.api_base = settings.STRIPE_SECRET_KEY, localstripe_url  # for the tests' own calls
    return localstripe_url


@pytest.fixture
def card(stripe_mode):
    """A PaymentMethod as Stripe.js would create it in the buyer's browser."""
    import stripe

    def make(number: str) -> str:
        return stripe.PaymentMethod.create(type="card", card={"number": number, "exp_month": 12, "exp_year": 2030,
                                                              "cvc": "123"}).id
    return make


@pytest.fixture(autouse=True)
def _fresh_fx_cache():
    """FX rates are cached per process; a test's rolled-back rates must not outlive it."""
    from ewtp.fx import fx_table

    yield
    fx_table.cache_clear()
