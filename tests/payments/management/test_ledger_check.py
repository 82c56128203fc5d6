"""`ledger_check` and the staff ledger page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from tests import factories

pytestmark = pytest.mark.django_db


def test_ledger_check_passes_on_an_empty_ledger_and_the_staff_page_shows_it(django_user_model):
    out = StringIO()
    call_command("ledger_check", stdout=out)
    assert "Ledger balanced" in out.getvalue()
    client = Client()
    client.force_login(factories.finance())  # the ledger is finance's page
    assert b"Balanced" in client.get("/payments/ledger/").content
