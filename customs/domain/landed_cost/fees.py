"""Step 6, fees: the destination's fees in force (processing fees, merchandise processing fees, ...),
charged only when goods are entered at the border: not under a duty de minimis or a low-value regime."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from customs.domain.landed_cost.explanation import Explanation, phrase
from customs.domain.landed_cost.plan import Context
from customs.domain.landed_cost.quote import FeeLine
from customs.domain.landed_cost.relief import Relief
from customs.domain.landed_cost.value import Valuation
from ewtp.money import FxTable, Money

HUNDRED = Decimal(100)
_ILLUSTRATIVE = phrase(" (illustrative figure)")
_money = Money.checked_already


def fees(ctx: Context, fx: FxTable, valuation: Valuation, relief: Relief, explanation: Explanation) -> list[FeeLine]:
    if relief.duty or relief.special is not None:
        return []
    dest, q, on = ctx.dest, ctx.q, ctx.on
    customs_value = valuation.customs_value
    fee_lines: list[FeeLine] = []
    for fee in ctx.fees:
        value_in_fee = customs_value if fee.currency == dest else customs_value * fx.rate(dest, fee.currency).rate
        if not fee.applies(on, value_in_fee):
            continue
        amount = fee.amount if fee.kind == "flat" else value_in_fee * fee.amount / HUNDRED
        if fee.minimum is not None:
            amount = max(amount, fee.minimum)
        if fee.maximum is not None:
            amount = min(amount, fee.maximum)
        amount = ctx.to_dest(amount, fee.currency).quantize(q, ROUND_HALF_UP)
        fee_lines.append(FeeLine(fee.code, fee.name, _money(amount, dest), fee.illustrative, fee.source))
        explanation.add("{name}: {amount:m}{flag} ({source}).", name=fee.name, amount=amount,
                        flag=_ILLUSTRATIVE if fee.illustrative else "", source=fee.source)
    return fee_lines
