from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

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


def test_a_broken_fx_file_is_refused_and_changes_nothing(tmp_path):
    path = tmp_path / "bad.xml"
    path.write_text("<html>Service unavailable</html>")
    with pytest.raises(CommandError):
        call_command("load_fx_rates", str(path))
    assert fx_table().as_of == date(2025, 10, 21)


def test_ledger_check_passes_on_an_empty_ledger_and_the_staff_page_shows_it(django_user_model):
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger balanced" in out.getvalue()
    staff = django_user_model.objects.create_user(email="staff@example.com", password="x" * 12, is_staff=True)
    client = Client()
    client.force_login(staff)
    assert b"Balanced" in client.get("/payments/ledger/").content
