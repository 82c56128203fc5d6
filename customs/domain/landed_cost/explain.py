"""Step 7, explain: the totals (landed cost = goods + shipping + insurance + duties, taxes and fees, each
rounded in the destination currency), what DDP or DAP means for them, the answer in the requested currency,
and the closing sentences: the exchange rate, manual assessment, restrictions."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from customs.domain.landed_cost.duty import Duties
from customs.domain.landed_cost.explanation import Explanation, Sentence
from customs.domain.landed_cost.plan import Context, LinePlan
from customs.domain.landed_cost.quote import DE_MINIMIS, FeeLine, Quote, QuotedLine, TaxLine
from customs.domain.landed_cost.relief import Relief
from customs.domain.landed_cost.request import QuoteRequest
from customs.domain.landed_cost.value import Valuation
from ewtp.money import FxTable, Money, quantum

_money = Money.checked_already
_MANUAL = Sentence("Some lines need manual assessment: their duty is not included, so the totals are a floor.", {}, "")


def explain(ctx: Context, fx: FxTable, request: QuoteRequest, plans: list[LinePlan], valuation: Valuation,
            relief: Relief, duties: Duties, taxes: list[TaxLine], fees: list[FeeLine],
            explanation: Explanation) -> Quote:
    dest, q = ctx.dest, ctx.q
    say = explanation.add
    duty_total = sum(duties.line_duty, Decimal(0))
    charges = duty_total
    for tax in taxes:
        charges += tax.amount.amount
    for fee in fees:
        charges += fee.amount.amount
    landed = (valuation.goods.quantize(q, ROUND_HALF_UP) + valuation.shipping.quantize(q, ROUND_HALF_UP)
              + valuation.insurance.quantize(q, ROUND_HALF_UP) + charges)
    out = request.currency
    out_q = quantum(out)
    out_rate = None if out == dest else fx.rate(dest, out).rate

    def money_out(amount: Decimal) -> Money:
        return _money((amount if out_rate is None else amount * out_rate).quantize(out_q, ROUND_HALF_UP), out)

    if request.incoterm == "DDP":
        say("DDP: duties, taxes and fees {charges:m} are paid with the order; landed cost {landed:m} = goods + shipping "
            "+ insurance + duties, taxes and fees.", charges=charges, landed=landed)
    else:
        say("DAP: duties, taxes and fees {charges:m} are an estimate, payable by the buyer on delivery; landed cost "
            "{landed:m} includes them.", charges=charges, landed=landed)
    if out_rate is not None:
        say("Totals shown in {out} at 1 {dest} = {rate:.6f} {out} ({source}, {on}).", out=out, dest=dest,
            rate=out_rate, source=fx.source, on=fx.as_of)
    if duties.manual:
        explanation.add_text(_MANUAL)
    restrictions = tuple(restriction for plan in plans for restriction in plan.restrictions)
    for restriction in restrictions:
        say("Restriction ({kind}) for HS {prefix} in {where}: {wording} ({authority}; {source}).",
            kind=restriction.kind.replace("_", " "), prefix=restriction.hs_prefix, where=restriction.destination,
            wording=restriction.wording, authority=restriction.authority, source=restriction.source)

    quoted = duties.quoted
    if out_rate is not None:
        quoted = [QuotedLine(ql.hs_code, ql.description, ql.measure, ql.rule, money_out(ql.duty.amount),
                             money_out(ql.customs_value.amount), ql.source, ql.reason) for ql in quoted]
        taxes = [TaxLine(t.name, t.rate, money_out(t.base.amount), money_out(t.amount.amount), t.collected,
                         t.source) for t in taxes]
        fees = [FeeLine(f.code, f.name, money_out(f.amount.amount), f.illustrative, f.source) for f in fees]
    return Quote(
        currency=out, destination_currency=dest, incoterm=request.incoterm, customs_value=money_out(
            valuation.customs_value), duty=money_out(duty_total), taxes=tuple(taxes), fees=tuple(fees),
        total_duties_and_taxes=money_out(charges), landed_cost=money_out(landed),
        de_minimis=DE_MINIMIS[relief.duty, relief.tax], lines=tuple(quoted), needs_manual_assessment=duties.manual,
        restrictions=restrictions, trace=explanation)
