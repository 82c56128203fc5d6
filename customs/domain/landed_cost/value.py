"""Step 2, value: the goods, shipping and insurance in the destination currency, and the customs value on
the destination's basis — CIF apportions shipping and insurance over the lines by value, FOB counts the
goods only."""

from __future__ import annotations

from decimal import Decimal

from customs.domain.landed_cost.explanation import Explanation
from customs.domain.landed_cost.plan import Context
from customs.domain.landed_cost.request import QuoteRequest

ZERO = Decimal(0)


class Valuation:
    """The consignment's figures in the destination currency, unrounded, per line and in all."""

    __slots__ = ("line_goods", "line_transport", "line_values", "goods", "shipping", "insurance", "customs_value")

    def __init__(self, ctx: Context, request: QuoteRequest) -> None:
        dest = ctx.dest
        line_goods = self.line_goods = []
        for line in request.lines:
            unit = line.unit_value
            if unit.currency == dest:
                line_goods.append(unit.amount * line.quantity)
            else:
                line_goods.append(unit.amount * ctx.rate(unit.currency) * line.quantity)
        goods = self.goods = sum(line_goods, ZERO)
        shipping = self.shipping = ctx.to_dest(request.shipping.amount, request.shipping.currency)
        insurance = self.insurance = ctx.to_dest(request.insurance.amount, request.insurance.currency)
        transport = shipping + insurance
        count = len(line_goods)
        if count == 1:
            self.line_transport = [transport]
        elif goods:
            self.line_transport = [transport * g / goods for g in line_goods]
        else:
            self.line_transport = [transport / count] * count
        if ctx.cif:
            self.line_values = [g + t for g, t in zip(line_goods, self.line_transport, strict=True)]
            self.customs_value = goods + transport
        else:
            self.line_values = line_goods
            self.customs_value = goods


def value(ctx: Context, request: QuoteRequest, explanation: Explanation) -> Valuation:
    valuation = Valuation(ctx, request)
    dest = ctx.dest
    explanation.add_text(ctx.opening)
    foreign = {line.unit_value.currency for line in request.lines} | {request.shipping.currency,
                                                                      request.insurance.currency}
    for currency in sorted(foreign):
        if currency != dest:
            explanation.add_text(ctx.fx_sentence(currency))
    regime = ctx.regime
    if ctx.cif:
        explanation.add("Customs value {value:m} on a CIF basis: goods {goods:m} + shipping {shipping:m} + insurance "
                        "{insurance:m}, transport apportioned over the lines by value ({source}).",
                        value=valuation.customs_value, goods=valuation.goods, shipping=valuation.shipping,
                        insurance=valuation.insurance, source=regime.valuation_source)
    else:
        explanation.add("Customs value {value:m} on an FOB basis: goods only; shipping {shipping:m} and insurance "
                        "{insurance:m} are not dutiable ({source}).", value=valuation.customs_value,
                        shipping=valuation.shipping, insurance=valuation.insurance, source=regime.valuation_source)
    return valuation
