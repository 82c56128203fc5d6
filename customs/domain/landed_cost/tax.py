"""Step 5, tax: import VAT/GST per line at the rate its code takes (standard or reduced), on the
destination's base — the customs value, plus duty where the law says, plus transport on an FOB tariff —
summed by rate; under a low-value regime collected at the point of sale on the sale price, or at the border
at a share of the statutory rate (China's CBEC)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from customs.domain.landed_cost.duty import Duties
from customs.domain.landed_cost.explanation import Explanation
from customs.domain.landed_cost.plan import Context, LinePlan
from customs.domain.landed_cost.quote import TaxLine
from customs.domain.landed_cost.relief import Relief
from customs.domain.landed_cost.value import Valuation
from ewtp.money import Money

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_money = Money.checked_already


def tax(ctx: Context, plans: list[LinePlan], valuation: Valuation, duties: Duties, relief: Relief,
        explanation: Explanation) -> list[TaxLine]:
    regime = ctx.regime
    if not regime.tax_name or relief.tax:
        explanation.add_text(ctx.closing)
        return []
    special = relief.special
    share = special.tax_share if special is not None else None
    collected = "at_sale" if special is not None and share is None else "border"
    line_values, line_duty = valuation.line_values, duties.line_duty
    taxes: dict[tuple[Decimal, str], list] = {}
    for index, plan in enumerate(plans):
        if plan.tax is None:
            continue
        rate, label, source = plan.tax
        if share is not None:  # assessed at the border at a share of the statutory rate
            rate = rate * share / HUNDRED
            label = f"{label}, {share.normalize():f}% of the statutory amount under {special.code}"
            source = f"{source}; {special.source}"
            base = line_values[index]
        elif special is not None:
            base = valuation.line_goods[index] + (
                valuation.line_transport[index] if special.tax_base == "goods_and_transport" else ZERO)
        else:
            base = line_values[index]
            if regime.vat_on_duty_inclusive:
                base += line_duty[index]
            if regime.tax_base_adds_transport and not ctx.cif:
                base += valuation.line_transport[index]
        entry = taxes.get((rate, label))
        if entry is None:
            taxes[(rate, label)] = [base, source]
        else:
            entry[0] += base
    dest, q = ctx.dest, ctx.q
    say = explanation.add
    tax_lines: list[TaxLine] = []
    for (rate, label), (base, source) in taxes.items():
        amount = (base * rate / HUNDRED).quantize(q, ROUND_HALF_UP)
        name = regime.tax_name if label == "standard rate" else f"{regime.tax_name} ({label})"
        tax_lines.append(TaxLine(name, rate, _money(base.quantize(q, ROUND_HALF_UP), dest),
                                 _money(amount, dest), collected, source))
        if share is not None:
            say("Import {name} {rate:pct} ({share:pct} of the statutory rate) on customs value {base:m} = {amount:m}, "
                "withheld at import by the e-commerce enterprise, platform or customs agent ({source}).", name=name,
                rate=rate, share=share, base=base, amount=amount, source=source)
        elif special is not None:
            say("{name} {rate:pct} collected at the point of sale by the seller or marketplace, on the sale price "
                "({what}) {base:m} = {amount:m} ({source}).", name=name, rate=rate, base=base,
                what="goods + shipping and insurance" if special.tax_base == "goods_and_transport" else "goods only",
                amount=amount, source=source)
        else:
            say("Import {name} {rate:pct} on {parts} {base:m} = {amount:m} ({source}; base: {base_source}).", name=name,
                rate=rate, parts=ctx.tax_parts, base=base, amount=amount, source=source,
                base_source=regime.tax_base_source)
    return tax_lines
