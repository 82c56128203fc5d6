"""Step 1, validate: the checks in the order a caller fixes them — the destination, date and origin (the
prepared context), the date against the quoting horizon, incoterm, currency, the costs, then line by line —
each fault raised with its code and the field. A sound request comes out with its context and a plan per
line."""

from __future__ import annotations

from decimal import ROUND_HALF_UP

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customs.domain.landed_cost import errors
from customs.domain.landed_cost.plan import EARLIEST_DATE, Context, LinePlan, context, domestic
from customs.domain.landed_cost.request import INCOTERMS, QuoteLine, QuoteRequest
from customs.domain.tariff_book import TariffBook
from ewtp.money import FxTable, Money, quantum


def validate(book: TariffBook, fx: FxTable, request: QuoteRequest) -> tuple[Context, list[LinePlan]]:
    ctx = context(book, fx, request.destination, request.on, request.origin)
    if request.latest is not None and request.on > request.latest:
        start = ctx.regime.tariff_from or EARLIEST_DATE
        raise errors.InvalidDate(format_lazy(_("quotes cover {start} to {end}"), start=start.isoformat(),
                                                    end=request.latest.isoformat()), field="date")
    if request.incoterm not in INCOTERMS:
        raise errors.LandedCostError(format_lazy(_("incoterm must be one of {choices}"), choices=", ".join(INCOTERMS)),
                                     field="incoterm",
                              code="invalid_incoterm")
    if not fx.supports(request.currency):
        raise errors.CurrencyMismatchError(format_lazy(_("no exchange rate for {currency}"), currency=request.currency),
                                           field="currency")
    if not request.lines:
        raise errors.LandedCostError(_("a quote needs at least one line"), field="lines", code="invalid")
    check_money(request.shipping, fx, "shipping")
    check_money(request.insurance, fx, "insurance")
    territory = ctx.regime.territory
    plans = []
    for index, line in enumerate(request.lines):
        code = _checked_code(book, fx, line, index)
        if line.origin != request.origin and territory in book.origin_keys(line.origin):
            raise errors.DomesticShipment(domestic(line.origin, ctx.regime), field=f"lines[{index}].origin")
        plans.append(ctx.plan(book, code, line.origin, line.claim_preference))
    return ctx, plans


def check_money(money: Money, fx: FxTable, field: str) -> None:
    """An amount given to quote: not negative, in a currency with a rate, to its minor unit at most."""
    amount = money.amount
    if amount < 0:
        raise errors.InvalidAmount(_("amounts cannot be negative"), field=field)
    if not fx.supports(money.currency):
        raise errors.CurrencyMismatchError(format_lazy(_("no exchange rate for {currency}"), currency=money.currency),
                                           field=field)
    if amount != amount.quantize(quantum(money.currency), ROUND_HALF_UP):
        raise errors.InvalidAmount(format_lazy(_("{amount} has more decimals than {currency} allows"), amount=amount,
                                               currency=money.currency), field=field)


def _checked_code(book: TariffBook, fx: FxTable, line: QuoteLine, index: int) -> str:
    """The line's code as the tariff book quotes it, once its figures are sound; else the first fault."""
    where = f"lines[{index}]"
    check_money(line.unit_value, fx, f"{where}.unit_value")
    if not isinstance(line.quantity, int) or line.quantity < 1:
        raise errors.InvalidAmount(_("quantity must be a whole number of at least 1"), field=f"{where}.quantity")
    if line.net_weight_kg < 0:
        raise errors.InvalidAmount(_("net weight cannot be negative"), field=f"{where}.net_weight_kg")
    for key, value in line.supplementary.items():
        if value < 0:
            raise errors.InvalidAmount(format_lazy(_("supplementary quantity {key} cannot be negative"), key=key),
                                       field=f"{where}.supplementary")
    code = book.quotable_code(line.hs_code)
    if code is None:
        raise errors.UnknownHsCode(format_lazy(_("{code!r} is not a known HS code (6 to 10 digits)"), code=line.hs_code),
                                   field=f"{where}.hs_code")
    return code
