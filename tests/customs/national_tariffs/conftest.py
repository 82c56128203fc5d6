"""Fixtures for the national tariff schedule tests: the tariff book loaded once per session (as tests/customs/domain)."""

from datetime import date
from decimal import Decimal

import pytest

from customs.reference import load_book_from_files
from ewtp.money import FxTable


@pytest.fixture(scope="session")
def book():
    return load_book_from_files()


@pytest.fixture(scope="session")
def fx():
    # Round test rates per EUR so expected figures can be worked by hand.
    return FxTable({"GBP": Decimal("0.8"), "USD": Decimal("1.1"), "JPY": Decimal("160"), "AUD": Decimal("1.6"),
                    "CNY": Decimal("8"), "SGD": Decimal("1.5"), "KRW": Decimal("1500"), "CAD": Decimal("1.5"),
                    "MYR": Decimal("5"), "THB": Decimal("40")}, date(2026, 1, 14), "test rates")
