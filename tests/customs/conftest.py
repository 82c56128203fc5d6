"""Customs fixtures: the tariff book and round FX rates for the pure tests; declarations as logistics
builds them, and a driver that runs the clearance pipeline's steps in this process, one service call per
step, as the worker would."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

import pytest

from ewtp.money import FxTable

_refs = itertools.count(1)


@pytest.fixture(scope="session")
def book():
    """The tariff book, built once per session from the data files' records by the builder the app uses on
    the stored ones (tests/customs/test_tariff_book_from_database.py shows the two books are one)."""
    from customs.reference import load_book_from_files

    return load_book_from_files()


@pytest.fixture(scope="session")
def fx():
    # Round test rates per EUR so expected figures can be worked by hand.
    return FxTable({"GBP": Decimal("0.8"), "USD": Decimal("1.1"), "JPY": Decimal("160"), "AUD": Decimal("1.6"),
                    "CNY": Decimal("8"), "SGD": Decimal("1.5"), "KRW": Decimal("1500"), "CAD": Decimal("1.5"),
                    "MYR": Decimal("5"), "THB": Decimal("40")}, date(2026, 1, 14), "test rates")


def make_declaration(**overrides) -> dict:
    lines = overrides.pop("lines", None) or [{
        "description": "Longjing green tea 250 g", "hs_code": "090210", "quantity": 2, "unit_value": "168.00",
        "origin": "CN", "net_weight_kg": "0.700"}]
    return {
        "consignor": {"name": "Li Wei", "company": "Hangzhou West Lake Tea Co., Ltd.", "lines": ["18 Longjing Road"],
                      "city": "Hangzhou", "postcode": "310000", "country": "CN", "email": "seller@example.com"},
        "consignee": {"name": "Anna Becker", "company": "", "lines": ["Torstraße 45"], "city": "Berlin",
                      "postcode": "10119", "country": "DE"},
        "incoterm": "DDP", "currency": "CNY", "origin_country": "CN", "tracking_number": "SIM123",
        "lines": lines, **overrides,
    }


def open_case(*, company_id: int = 7001, buyer_id: int = 1, destination: str = "DE", **declaration):
    from customs.services import case_open

    return case_open(shipment_reference=f"TST-{next(_refs):06d}", company_id=company_id, buyer_id=buyer_id,
                     destination=destination, declaration=make_declaration(**declaration))


def drive(case_id: int, *, polls: int = 3) -> str:
    """Run automatic steps until the case waits for a person or the authority (or is done)."""
    from customs.models import ClearanceCase
    from customs.services import case_poll_authority, case_step

    for _ in range(40):
        case = ClearanceCase.objects.get(pk=case_id)
        if case.status == "submitted" and case.mrn:
            if polls == 0:
                return case.status
            polls -= 1
            if case_poll_authority(case_id=case_id) == "waiting":
                return "submitted"
            continue
        if case.status not in ("pending", "declared", "screening", "assessed", "auto_released", "submitted",
                               "released"):
            return case.status
        case_step(case_id=case_id, expected=case.status)
    raise AssertionError("the pipeline did not settle")


@pytest.fixture
def instant_authority(settings):
    settings.CUSTOMS_AUTHORITY_DELAY_SECONDS = 0
    return settings
