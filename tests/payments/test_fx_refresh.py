"""Reference rates kept fresh: the beat task fetches the ECB's daily file over HTTP (here from a real local
server answering as the ECB does), a failure changes nothing, and no price is quoted on rates older than
FX_MAX_AGE_DAYS before the day quoted."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone

from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_table
from ewtp.models import FxRateSet
from payments.integrations.ecb import SHIPPED_DATA_DIR, FxSourceUnavailable
from payments.services import fx_refresh
from payments.tasks import fx_refresh as fx_refresh_task

pytestmark = pytest.mark.django_db
SHIPPED_DAY = date(2025, 10, 21)


def ecb_daily_file(day: date, gbp: str) -> bytes:
    """The shipped ECB daily file, as the ECB would publish it for `day`."""
    return (SHIPPED_DATA_DIR / "eurofxref-daily-2025-10-21.xml").read_text().replace(
        "2025-10-21", day.isoformat()).replace("currency='GBP' rate='0.86780'", f"currency='GBP' rate='{gbp}'").encode()


@pytest.fixture
def ecb_server():
    """A local HTTP server; `answers[path] = (status, body)` says what it serves."""
    answers: dict[str, tuple[int, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            status, body = answers.get(self.path, (404, b"Not Found"))
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.answers = answers
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    server.server_close()


def test_the_beat_task_fetches_the_ecbs_newest_day_and_quotes_use_it(reference_data, ecb_server, settings):
    # given the ECB publishes a newer day than the shipped files
    today = timezone.now().date()
    ecb_server.answers["/eurofxref-daily.xml"] = (200, ecb_daily_file(today, "0.90000"))
    settings.FX_SOURCE_URL = f"{ecb_server.url}/eurofxref-daily.xml"
    # when the scheduled task runs (as the worker runs it)
    result = fx_refresh_task.apply()
    # then the day is stored and the newest rates are that day's
    assert result.successful(), result.traceback
    assert today.isoformat() in result.get()
    assert FxRateSet.objects.filter(as_of=today).exists()
    assert fx_table().as_of == today and fx_table().rate("EUR", "GBP").rate == Decimal("0.90000")
    fx_table.cache_clear()  # the stored day is rolled back with the test


def test_offline_the_task_fetches_nothing_and_the_shipped_rates_stay(reference_data, settings):
    settings.FX_SOURCE_URL = ""
    result = fx_refresh_task.apply()
    assert result.get().startswith("offline")
    assert FxRateSet.objects.order_by("-as_of").first().as_of == SHIPPED_DAY


@pytest.mark.parametrize(("status", "body", "error", "code"), [
    (503, b"Service Unavailable", FxSourceUnavailable, None),  # tried again later
    (200, b"<html>Maintenance</html>", ApplicationError, "invalid_fx_file"),  # not the ECB's shape
    (404, b"Not Found", ApplicationError, "invalid_fx_source"),  # a wrong URL: retrying will not mend it
])
def test_a_failed_fetch_is_refused_and_changes_nothing(reference_data, ecb_server, status, body, error, code):
    ecb_server.answers["/eurofxref-daily.xml"] = (status, body)
    before = list(FxRateSet.objects.values_list("as_of", "rates"))
    with pytest.raises(error) as raised:
        fx_refresh(f"{ecb_server.url}/eurofxref-daily.xml")
    assert code is None or raised.value.code == code
    assert list(FxRateSet.objects.values_list("as_of", "rates")) == before


def test_a_server_that_does_not_answer_is_a_transient_failure(reference_data):
    with pytest.raises(FxSourceUnavailable):
        fx_refresh("http://127.0.0.1:9/eurofxref-daily.xml")  # the discard port: nothing listens


def landed_cost(client: Client, on: date):
    return client.post("/api/v1/customs/landed-cost/", {
        "origin": "CN", "destination": "GB", "date": on.isoformat(), "currency": "GBP",
        "lines": [{"hs_code": "6109100010", "quantity": 1, "unit_value": {"amount": "200.00", "currency": "GBP"},
                   "net_weight_kg": "0.3"}]}, content_type="application/json")


def test_no_price_is_quoted_on_rates_older_than_the_configured_age(reference_data, settings):
    # given the newest rates are of 21 Oct 2025 and prices may use rates at most 7 days old
    settings.FX_MAX_AGE_DAYS = 7
    client = Client()
    # then a quote for a day within the week after them is answered, with the rates' date
    fresh = landed_cost(client, SHIPPED_DAY + timedelta(days=7))
    assert fresh.status_code == 200, fresh.json()
    # and a quote for a later day is refused until newer rates are loaded, naming their date
    stale = landed_cost(client, SHIPPED_DAY + timedelta(days=8))
    assert stale.status_code == 503
    assert stale.json()["error"]["code"] == "stale_fx_rates" and "2025-10-21" in stale.json()["error"]["message"]
    # and the calculator page says so at the form instead of quoting
    page = Client().get("/customs/landed-cost/", {"origin": "CN", "destination": "GB", "hs_code": "6109100010",
                                                 "value": "200", "currency": "GBP", "quantity": "1", "weight": "0.3",
                                                 "incoterm": "DDP", "shipping": "0"})
    assert page.status_code == 200 and "2025-10-21" in page.content.decode()


def test_with_stale_rates_the_shop_stays_up_and_prices_nothing(reference_data, settings):
    from tests import factories

    settings.FX_MAX_AGE_DAYS = 7  # and the newest rates are of October 2025
    listing = factories.listing(factories.seller())
    client = Client()
    client.force_login(factories.buyer())
    assert client.get("/").status_code == 200
    detail = client.get(f"/listings/{listing.pk}/")
    assert detail.status_code == 200 and "We cannot quote delivery to your country" in detail.content.decode()
    # and the page says why: the rates are too old, of which day
    assert 'data-testid="no-quote-reason"' in detail.content.decode() and "2025-10-21" in detail.content.decode()
