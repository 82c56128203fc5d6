"""Sums of money read back exact on every database: SQLite adds decimals as floats (ewtp.models.DecimalSum)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ewtp.money import Money
from payments.selectors import account_balances
from payments.services import ledger_post

pytestmark = pytest.mark.django_db


def test_an_account_that_nets_to_nothing_has_a_balance_of_exactly_zero():
    # 10.00 in, then 9.90 and 0.10 out: as floats the sum is -3.6E-15, not zero
    ledger_post(kind="test", reference="T-1", entries=[("test:a", Money(Decimal("10.00"), "EUR")),
                                                        ("test:b", Money(Decimal("-10.00"), "EUR"))])
    for n, amount in enumerate(("9.90", "0.10"), start=2):
        ledger_post(kind="test", reference=f"T-{n}", entries=[("test:a", Money(-Decimal(amount), "EUR")),
                                                            ("test:b", Money(Decimal(amount), "EUR"))])
    balances = {row["account"]: row["balance"] for row in account_balances(prefix="test:")}
    assert balances == {"test:a": Decimal("0.00"), "test:b": Decimal("0.00")}
    assert str(balances["test:a"]) == "0.00"
