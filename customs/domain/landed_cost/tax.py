"""Step 5, tax: import VAT/GST per line at the rate its code takes (standard or reduced), on the
destination's base — the customs value, plus duty where the law says, plus transport on an FOB tariff —
summed by rate; under a low-value regime collected at the point of sale on the sale price, or at the border
at a share of the statutory rate (China's CBEC)."""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from customs.domain.landed_cost.duty import Duties
from customs.domain.landed_cost.explanation import Explanation, phrase
from customs.domain.landed_cost.plan import Context, LinePlan
from customs.domain.landed_cost.quote import TaxLine
from customs.domain.landed_cost.relief import Relief
from customs.domain.landed_cost.rounding import cut_down, take_off
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
    if special is None and ctx.rounding is not None:
        return national_and_local(ctx, plans, valuation, duties, explanation)
    share = special.tax_share if special is not None else None
    collected = "at_sale" if special is not None and share is None else "border"
    line_values, line_duty = valuation.line_values, duties.in_tax_base
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
        if label == "standard rate":
            name, tax_word = regime.tax_name, ctx.tax_word
        else:
            name = tax_word = f"{regime.tax_name} ({label})"
        tax_lines.append(TaxLine(name, rate, _money(base.quantize(q, ROUND_HALF_UP), dest),
                                 _money(amount, dest), collected, source))
        if share is not None:
            say("Import {name} {rate:pct} ({share:pct} of the statutory rate) on customs value {base:m} = {amount:m}, "
                "withheld at import by the e-commerce enterprise, platform or customs agent ({source}).", name=tax_word,
                rate=rate, share=share, base=base, amount=amount, source=source)
        elif special is not None:
            say("{name} {rate:pct} collected at the point of sale by the seller or marketplace, on the sale price "
                "({what}) {base:m} = {amount:m} ({source}).", name=tax_word, rate=rate, base=base,
                what=phrase("goods + shipping and insurance" if special.tax_base == "goods_and_transport"
                            else "goods only"),
                amount=amount, source=source)
        else:
            say("Import {name} {rate:pct} on {parts} {base:m} = {amount:m} ({source}; base: {base_source}).", name=tax_word,
                rate=rate, parts=ctx.tax_parts, base=base, amount=amount, source=source,
                base_source=regime.tax_base_source)
    return tax_lines


def national_and_local(ctx: Context, plans: list[LinePlan], valuation: Valuation, duties: Duties,
                       explanation: Explanation) -> list[TaxLine]:
    """Import tax where the law cuts figures down (`ctx.rounding`, Japan): per line, the base (customs value
    + the line's duty cut down) cut to its unit; the national tax at its share of the rate, truncated to the
    minor unit; the local tax on the national amount cut down, truncated; then each kind's total cut to its
    unit, taken off the largest lines. One tax line per rate, national and local together, as the rate is
    published (10% = 7.8% + 2.2%)."""
    regime, rounding, dest, q = ctx.regime, ctx.rounding, ctx.dest, ctx.q
    national_share = rounding.national_share if rounding.national_share is not None else HUNDRED
    say = explanation.add
    by_rate: dict[tuple[Decimal, str], list] = {}  # (rate, label) -> [base, national, local, source]
    for index, plan in enumerate(plans):
        if plan.tax is None:
            continue
        rate, label, source = plan.tax
        value, duty = valuation.line_values[index], duties.in_tax_base[index]
        base = cut_down(value + duty, rounding.tax_base_unit)
        national_rate = rate * national_share / HUNDRED
        national = (base * national_rate / HUNDRED).quantize(q, ROUND_DOWN)
        local = ZERO
        if national_share < HUNDRED:
            local_base = cut_down(national, rounding.local_base_unit)
            local = (local_base * (HUNDRED - national_share) / national_share).quantize(q, ROUND_DOWN)
            say("Line {n}: {name} base: customs value {value:m} + duty {duty:m} = {sum:m}, cut to {base:m}; national "
                "{national_rate:pct} = {national:m}; local {local_share} of {local_base:m} = {local:m} ({source}).",
                n=index + 1, name=ctx.tax_word, value=value, duty=duty, sum=value + duty, base=base,
                national_rate=national_rate, national=national, local_share=f"{HUNDRED - national_share:f}/"
                f"{national_share:f}", local_base=local_base, local=local, source=source)
        else:
            say("Line {n}: {name} base: customs value {value:m} + duty {duty:m} = {sum:m}, cut to {base:m}; "
                "{rate:pct} = {national:m} ({source}).", n=index + 1, name=ctx.tax_word, value=value, duty=duty,
                sum=value + duty, base=base, rate=rate, national=national, source=source)
        entry = by_rate.get((rate, label))
        if entry is None:
            by_rate[(rate, label)] = [base, national, local, source]
        else:
            entry[0] += base
            entry[1] += national
            entry[2] += local
    if not by_rate:
        return []
    unit, split = rounding.tax_total_unit, national_share < HUNDRED
    national_total = sum((entry[1] for entry in by_rate.values()), ZERO)
    local_total = sum((entry[2] for entry in by_rate.values()), ZERO)
    national_payable, local_payable = cut_down(national_total, unit), cut_down(local_total, unit)
    excess = national_total - national_payable + local_total - local_payable
    say("{name}: national {national:m} cut to {national_payable:m}" + (
        ", local {local:m} cut to {local_payable:m}" if split else "") + ", the {unit:m} below; {excess:m} taken off "
        "the largest line ({source}).", name=ctx.tax_word, national=national_total,
        national_payable=national_payable, local=local_total, local_payable=local_payable, unit=unit, excess=excess,
        source=rounding.source)
    amounts = take_off([national + local for _, national, local, _ in by_rate.values()], excess)
    tax_lines = []
    for ((rate, label), (base, _, _, source)), amount in zip(by_rate.items(), amounts, strict=True):
        name = regime.tax_name if label == "standard rate" else f"{regime.tax_name} ({label})"
        tax_lines.append(TaxLine(name, rate, _money(base, dest), _money(amount, dest), "border", source))
    return tax_lines
