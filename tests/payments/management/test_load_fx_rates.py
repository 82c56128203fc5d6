"""`load_fx_rates`: ECB files loaded by path, used by date, refused whole when broken."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ewtp.fx import fx_table
from payments.integrations.ecb import SHIPPED_DATA_DIR

pytestmark = pytest.mark.django_db


def test_a_newer_ecb_file_is_loaded_and_used_for_later_dates(tmp_path):
    # given a file in the ECB's format for a later day
    newer = (SHIPPED_DATA_DIR / "eurofxref-daily-2025-10-21.xml").read_text().replace(
        "2025-10-21", "2025-11-03").replace("currency='GBP' rate='0.86780'", "currency='GBP' rate='0.88000'")
    path = tmp_path / "eurofxref-daily.xml"
    path.write_text(newer)
    # when
    out = StringIO()
    call_command("load_fx_rates", str(path), stdout=out)
    # then quotes dated after it use it, quotes before it keep the older rates
    assert "2025-11-03" in out.getvalue()
    assert fx_table(date(2025, 11, 5)).rate("EUR", "GBP").rate == Decimal("0.88000")
    assert fx_table(date(2025, 10, 22)).rate("EUR", "GBP").rate == Decimal("0.86780")


def test_rates_loaded_by_another_process_are_used_once_the_cache_is_refreshed(reference_data, settings):
    from ewtp.models import FxRateSet

    # given this process has read the rates
    settings.FX_REFRESH_SECONDS = 3600
    before = fx_table()
    # when another process stores a newer day (here: straight into the table, so this process's cache is not told)
    rates = {**{cur: str(rate) for cur, rate in before.rates_per_eur.items()}, "GBP": "0.91000"}
    FxRateSet.objects.bulk_create([FxRateSet(as_of=date(2099, 1, 2), source="ECB", rates=rates)])  # no signals
    # then the cached rates stay until the refresh interval is over, and are read again after it
    assert fx_table().as_of == before.as_of
    settings.FX_REFRESH_SECONDS = 0
    assert fx_table().as_of == date(2099, 1, 2) and fx_table().rate("EUR", "GBP").rate == Decimal("0.91000")
    fx_table.cache_clear()  # the stored day is rolled back with the test


def test_a_broken_fx_file_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text("<html>Service unavailable</html>")
    with pytest.raises(CommandError):
        call_command("load_fx_rates", str(path))
    assert fx_table().as_of == date(2025, 10, 21)
