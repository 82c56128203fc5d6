"""Golden tests: authorities' published worked examples, one file per destination. Each test builds the
example's own exchange rates, so the figures are the authority's; the tariff book is loaded once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from customs.domain.landed_cost import QuoteLine, QuoteRequest, quote_landed_cost
from customs.domain.origin import OriginDeclaration
from ewtp.money import FxTable, Money

# goods whose origin is not in question: wholly obtained in the origin country
WHOLLY_OBTAINED = OriginDeclaration(ex_works_price=Decimal(1), currency="EUR", wholly_obtained=True)


def money(amount: str, currency: str) -> Money:
    return Money(Decimal(amount), currency)


def fx_of(rates_per_eur: dict[str, str], on: date = date(2026, 1, 14), source: str = "the example's rate") -> FxTable:
    """An exchange-rate table holding the example's own rates (units per EUR; only ratios matter)."""
    return FxTable({code: Decimal(rate) for code, rate in rates_per_eur.items()}, on, source)


def line(code: str, value: str, currency: str, *, origin: str = "CN", quantity: int = 1, kg: str = "1",
         claim: bool = False, description: str = "goods") -> QuoteLine:
    return QuoteLine(hs_code=code, description=description, quantity=quantity, unit_value=money(value, currency),
                     net_weight_kg=Decimal(kg), origin=origin, claim_preference=claim,
                     origin_declaration=WHOLLY_OBTAINED if claim else None)


def quote(book, fx: FxTable, destination: str, lines: list[QuoteLine], *, on: date, origin: str | None = None,
          shipping: str = "0", insurance: str = "0", cost_currency: str | None = None, currency: str | None = None,
          consumer: bool = False, year_to_date: Money | None = None):
    cost_currency = cost_currency or lines[0].unit_value.currency
    request = QuoteRequest(origin=origin or lines[0].origin, destination=destination, on=on, incoterm="DDP",
                           currency=currency or cost_currency, shipping=money(shipping, cost_currency),
                           insurance=money(insurance, cost_currency), lines=lines, buyer_is_consumer=consumer,
                           consumer_year_to_date=year_to_date)
    return quote_landed_cost(book, fx, request)


def m(amount: str, currency: str) -> dict[str, str]:
    """An amount as the API carries it."""
    return {"amount": amount, "currency": currency}


@pytest.fixture
def api_quote(db):
    """POST a body to the landed-cost API as a client would; the answer's JSON (the endpoint is throttled, so
    the throttle's cache starts empty)."""
    from django.core.cache import cache
    from rest_framework.test import APIClient

    cache.clear()

    def post(body: dict) -> dict:
        response = APIClient().post("/api/v1/customs/landed-cost/", body, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    return post
