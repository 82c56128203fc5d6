"""The quote an order is locked at: a versioned snapshot of our own, not the landed-cost API's answer.

What the buyer was quoted and pays by — goods, shipping, the duties estimate and what of it is payable
now, the exchange rate, the customs figures line by line with the explanation, the DAP the buyer accepted
for a duty assessed at import, the last re-quote — as typed values, stored in `Order.quote` as JSON with
its `"version"`. Pages, services and the orders API read it through `QuoteSnapshot.from_json`, so the
landed-cost API may change its answer without changing what orders stored.

`from_json` reads every version written so far and refuses a newer one:
- version 1 (no `"version"` key): the shape stored before, whose `"customs"` was the API's answer of the
  time; it holds every field of version 2 (its extra ones are dropped);
- version 2: the same keys, written from `to_json`.

Bad payloads raise `ewtp.trade.PayloadError` naming the field. Pure code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from customs.domain.landed_cost.explanation import Explanation
from customs.domain.landed_cost.quote import DE_MINIMIS, FeeLine, Quote, QuotedLine, TaxLine
from ewtp.money import Money
from ewtp.trade import PayloadError

VERSION = 2


def _money(data: Mapping[str, Any], key: str, field: str) -> Money:
    value = data.get(key)
    if not isinstance(value, Mapping):
        raise PayloadError("expected an amount and a currency", field=f"{field}.{key}")
    try:
        return Money(Decimal(str(value["amount"])), str(value["currency"]))
    except (KeyError, ArithmeticError, ValueError) as exc:
        raise PayloadError(f"not money: {exc}", field=f"{field}.{key}") from exc


def _text(data: Mapping[str, Any], key: str, field: str, default: str | None = None) -> str:
    value = data.get(key, default)
    if not isinstance(value, str):
        raise PayloadError("expected text", field=f"{field}.{key}")
    return value


def _items(data: Mapping[str, Any], key: str, field: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise PayloadError("expected a list", field=f"{field}.{key}")
    return value


# The engine's own value types (customs.domain.landed_cost.quote) hold the lines, taxes and fees; the
# snapshot's codec below is what stays fixed when the engine or its API answer change.

def _line_json(line: QuotedLine) -> dict[str, Any]:
    return {"hs_code": line.hs_code, "description": line.description, "measure": line.measure, "rule": line.rule,
            "duty": line.duty.as_json(), "customs_value": line.customs_value.as_json(), "source": line.source,
            "reason": line.reason}


def _line(data: Mapping[str, Any], field: str) -> QuotedLine:
    return QuotedLine(hs_code=_text(data, "hs_code", field), description=_text(data, "description", field, ""),
                      measure=_text(data, "measure", field, ""), rule=_text(data, "rule", field),
                      duty=_money(data, "duty", field), customs_value=_money(data, "customs_value", field),
                      source=_text(data, "source", field, ""), reason=_text(data, "reason", field, ""))


def _tax_json(tax: TaxLine) -> dict[str, Any]:
    return {"name": tax.name, "rate": format(tax.rate.normalize(), "f"), "base": tax.base.as_json(),
            "amount": tax.amount.as_json(), "collected": tax.collected, "source": tax.source}


def _tax(data: Mapping[str, Any], field: str) -> TaxLine:
    try:
        rate = Decimal(str(data["rate"]))
    except (KeyError, ArithmeticError) as exc:
        raise PayloadError("expected a rate", field=f"{field}.rate") from exc
    return TaxLine(name=_text(data, "name", field), rate=rate, base=_money(data, "base", field),
                   amount=_money(data, "amount", field), collected=_text(data, "collected", field, "border"),
                   source=_text(data, "source", field, ""))


def _fee_json(fee: FeeLine) -> dict[str, Any]:
    return {"code": fee.code, "name": fee.name, "amount": fee.amount.as_json(), "illustrative": fee.illustrative,
            "source": fee.source}


def _fee(data: Mapping[str, Any], field: str) -> FeeLine:
    return FeeLine(code=_text(data, "code", field), name=_text(data, "name", field),
                   amount=_money(data, "amount", field), illustrative=bool(data.get("illustrative")),
                   source=_text(data, "source", field, ""))


def _customs_json(quote: Quote) -> dict[str, Any]:
    return {"currency": quote.currency, "destination_currency": quote.destination_currency,
            "incoterm": quote.incoterm, "customs_value": quote.customs_value.as_json(),
            "duty": quote.duty.as_json(), "taxes": [_tax_json(t) for t in quote.taxes],
            "fees": [_fee_json(f) for f in quote.fees],
            "total_duties_and_taxes": quote.total_duties_and_taxes.as_json(),
            "landed_cost": quote.landed_cost.as_json(),
            "de_minimis": {"duty_applied": quote.de_minimis.duty_applied,
                           "tax_applied": quote.de_minimis.tax_applied},
            "lines": [_line_json(line) for line in quote.lines],
            "needs_manual_assessment": quote.needs_manual_assessment,
            # stored in English, as written, whatever language the order was placed in
            "explanation": list(quote.trace.lines(english=True)) if quote.trace is not None else []}


def _customs(data: Any, field: str = "customs") -> Quote:
    """The engine's `Quote` as it was stored: its explanation is the stored sentences, its restrictions
    (checked again at every quote) are not kept."""
    if not isinstance(data, Mapping):
        raise PayloadError("expected the customs figures", field=field)
    de_minimis = data.get("de_minimis") or {}
    currency = _text(data, "currency", field)
    return Quote(
        currency=currency, destination_currency=_text(data, "destination_currency", field, ""),
        incoterm=_text(data, "incoterm", field),
        customs_value=_money(data, "customs_value", field), duty=_money(data, "duty", field),
        taxes=tuple(_tax(t, f"{field}.taxes[{i}]") for i, t in enumerate(_items(data, "taxes", field))),
        fees=tuple(_fee(f, f"{field}.fees[{i}]") for i, f in enumerate(_items(data, "fees", field))),
        total_duties_and_taxes=_money(data, "total_duties_and_taxes", field),
        landed_cost=_money(data, "landed_cost", field),
        de_minimis=DE_MINIMIS[bool(de_minimis.get("duty_applied")), bool(de_minimis.get("tax_applied"))],
        lines=tuple(_line(line, f"{field}.lines[{i}]") for i, line in enumerate(_items(data, "lines", field))),
        needs_manual_assessment=bool(data.get("needs_manual_assessment")),
        trace=Explanation.of_lines(str(s) for s in _items(data, "explanation", field)))


@dataclass(frozen=True, slots=True, kw_only=True)
class FxUsed:
    """The reference rate from the seller's currency into the buyer's, with its date and publisher."""

    base: str
    quote: str
    rate: Decimal
    as_of: date
    source: str

    @property
    def publisher(self) -> str:
        """Who published this pair's rate: the rate set's first publisher (the ECB), unless one of the two
        currencies came from another ("…; VND: State Bank of Vietnam central rate of … x ECB USD of …")."""
        first, *notes = (part.strip() for part in self.source.split(";"))
        crossed = [note.split(":", 1)[1].strip() for note in notes
                   if note.split(":", 1)[0] in (self.base, self.quote) and ":" in note]
        return "; ".join(crossed) or first

    def to_json(self) -> dict[str, str]:
        return {"base": self.base, "quote": self.quote, "rate": str(self.rate), "as_of": self.as_of.isoformat(),
                "source": self.source}

    @classmethod
    def from_json(cls, data: Any, field: str = "fx") -> FxUsed:
        if not isinstance(data, Mapping):
            raise PayloadError("expected the exchange rate", field=field)
        try:
            return cls(base=_text(data, "base", field), quote=_text(data, "quote", field),
                       rate=Decimal(str(data["rate"])), as_of=date.fromisoformat(_text(data, "as_of", field)),
                       source=_text(data, "source", field, ""))
        except (KeyError, ArithmeticError, ValueError) as exc:
            raise PayloadError(f"not an exchange rate: {exc}", field=field) from exc


@dataclass(frozen=True, slots=True, kw_only=True)
class QuoteSnapshot:
    currency: str  # the buyer's
    goods: Money
    goods_in_seller_currency: Money
    unit_prices: tuple[dict[str, Any], ...]  # {"listing": id, "quantity": n, "unit_price": Money JSON}
    shipping: Money
    shipping_service: str
    shipping_service_name: str
    shipping_days: tuple[int, int]
    duties_estimate: Money  # duty + import taxes + fees at the border
    duties_payable_now: Money  # DDP: the estimate; DAP: nothing (paid on delivery)
    total_payable_now: Money
    landed_cost: Money
    incoterm: str
    buyer: str  # "consumer" | "business"
    fx: FxUsed
    customs: Quote  # the engine's answer, as stored
    # the DAP the buyer accepted for a DDP order whose duty is assessed at import: asked, lines, reason
    dap_accepted: dict[str, Any] | None = None
    requoted: dict[str, Any] | None = None  # what the last re-quote changed, as the buyer confirmed it

    def but(self, **changes: Any) -> QuoteSnapshot:
        return replace(self, **changes)

    def figures(self) -> dict[str, Money]:
        """What a buyer compares when a quote changes."""
        return {"goods": self.goods, "shipping": self.shipping, "duty": self.customs.duty,
                "tax": self.duties_estimate - self.customs.duty, "total": self.total_payable_now}

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "version": VERSION, "currency": self.currency, "goods": self.goods.as_json(),
            "goods_in_seller_currency": self.goods_in_seller_currency.as_json(),
            "unit_prices": [dict(price) for price in self.unit_prices], "shipping": self.shipping.as_json(),
            "shipping_service": self.shipping_service, "shipping_service_name": self.shipping_service_name,
            "shipping_days": list(self.shipping_days), "duties_estimate": self.duties_estimate.as_json(),
            "duties_payable_now": self.duties_payable_now.as_json(),
            "total_payable_now": self.total_payable_now.as_json(), "landed_cost": self.landed_cost.as_json(),
            "incoterm": self.incoterm, "buyer": self.buyer, "fx": self.fx.to_json(),
            "customs": _customs_json(self.customs)}
        if self.dap_accepted is not None:
            data["dap_accepted"] = self.dap_accepted
        if self.requoted is not None:
            data["requoted"] = self.requoted
        return data

    @classmethod
    def from_json(cls, data: Any) -> QuoteSnapshot:
        if not isinstance(data, Mapping):
            raise PayloadError("expected a stored quote", field="quote")
        version = data.get("version", 1)
        if version not in (1, VERSION):
            raise PayloadError(f"version {version!r} is not one this code reads (1 to {VERSION})", field="version")
        days = data.get("shipping_days") or [0, 0]
        if not (isinstance(days, list) and len(days) == 2 and all(isinstance(d, int) for d in days)):
            raise PayloadError("expected [minimum, maximum] days", field="shipping_days")
        field = "quote"
        return cls(
            currency=_text(data, "currency", field), goods=_money(data, "goods", field),
            goods_in_seller_currency=_money(data, "goods_in_seller_currency", field),
            unit_prices=tuple(_items(data, "unit_prices", field)), shipping=_money(data, "shipping", field),
            shipping_service=_text(data, "shipping_service", field, ""),
            shipping_service_name=_text(data, "shipping_service_name", field, ""),
            shipping_days=(days[0], days[1]), duties_estimate=_money(data, "duties_estimate", field),
            duties_payable_now=_money(data, "duties_payable_now", field),
            total_payable_now=_money(data, "total_payable_now", field),
            landed_cost=_money(data, "landed_cost", field), incoterm=_text(data, "incoterm", field),
            buyer=_text(data, "buyer", field, "business"), fx=FxUsed.from_json(data.get("fx")),
            customs=_customs(data.get("customs")), dap_accepted=data.get("dap_accepted"),
            requoted=data.get("requoted"))
