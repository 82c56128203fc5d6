"""Step 4, duty, line by line: the measure in force on the date — the plan's MFN percentage for the common
line; else the full lookup: a preference only when the origin is a party, the line has a preferential rate
and the preference is claimed (the best of those, with every rejected agreement and why), plus additional
duties by origin — rounded in the destination currency. A line whose duty cannot be computed is left to
manual assessment, with the reason, and is not in the totals."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from customs.domain.duty_expression import ManualAssessment, evaluate_amount
from customs.domain.landed_cost.explanation import Explanation, fmt, phrase
from customs.domain.landed_cost.plan import MFN_REASON, Context, LinePlan, mfn_source
from customs.domain.landed_cost.quote import QuotedLine
from customs.domain.landed_cost.request import QuoteLine
from customs.domain.landed_cost.rounding import cut_down, take_off
from customs.domain.landed_cost.value import Valuation
from customs.domain.tariff_book import DestinationRegime, Lookup, Measure, Rounding, TariffBook
from ewtp.money import FxTable, Money

if TYPE_CHECKING:
    from customs.domain.landed_cost.relief import Relief

ZERO = Decimal(0)
HUNDRED = Decimal(100)
_money = Money.checked_already  # amounts the engine computed, in currencies checked on the way in
_MFN = phrase("mfn")  # the rule as a sentence names it (in Chinese: 最惠国税率)


class Duties:
    """Per line: the answer's line (`quoted`), its duty in the destination currency (`line_duty`, zero
    when relieved or manual) and that duty as the tax base adds it (`in_tax_base`: the same figures, unless
    the destination cuts it down); `manual`: some line is left to manual assessment."""

    __slots__ = ("quoted", "line_duty", "in_tax_base", "manual")

    def __init__(self) -> None:
        self.quoted: list[QuotedLine] = []
        self.line_duty: list[Decimal] = []
        self.in_tax_base = self.line_duty
        self.manual = False


def duty(book: TariffBook, fx: FxTable, ctx: Context, lines: Sequence[QuoteLine], plans: list[LinePlan],
         valuation: Valuation, relief: Relief, explanation: Explanation) -> Duties:
    found = Duties()
    quoted, line_duty = found.quoted, found.line_duty
    dest, q, on, regime, rounding = ctx.dest, ctx.q, ctx.on, ctx.regime, ctx.rounding
    say = explanation.add
    for index, line in enumerate(lines):
        plan = plans[index]
        code = plan.code
        value = valuation.line_values[index]
        value_money = _money(value.quantize(q, ROUND_HALF_UP), dest)
        if relief.duty:
            quoted.append(QuotedLine(code, line.description, "", "de_minimis", _money(ZERO, dest), value_money,
                                     relief.source, relief.reason))
            line_duty.append(ZERO)
            continue
        # the value an ad valorem rate is charged on: the customs value, or cut down where the law says so
        base_value = value if rounding is None else cut_down(value, rounding.duty_base_unit)
        if plan.rate is not None:
            amount = base_duty = base_value * plan.rate / HUNDRED
            text, rule, source, reason = plan.text, "mfn", plan.source, plan.reason
        else:
            amount, base_duty, text, rule, source, reason = line_duty_of(book, fx, regime, code, line, base_value,
                                                                         on, plan.lookup)
            if amount is None:
                found.manual = True
                line_duty.append(ZERO)
                quoted.append(QuotedLine(code, line.description, text, "manual_assessment", _money(ZERO, dest),
                                         value_money, source, reason))
                say("Line {n} {code}: manual assessment: {reason}. Its duty is not in the totals.", n=index + 1,
                    code=code, reason=reason)
                continue
        amount = amount.quantize(q, ROUND_HALF_UP if rounding is None else ROUND_DOWN)
        line_duty.append(amount)
        quoted.append(QuotedLine(code, line.description, text, rule, _money(amount, dest), value_money, source,
                                 reason))
        if base_value == value:
            say("Line {n} {code}: {rule}: {text} on customs value {value:m} = {base:m}; {reason} ({source}). "
                "Line duty {duty:m}.", n=index + 1, code=code, rule=_MFN if rule == "mfn" else rule, text=text, value=value, base=base_duty,
                reason=reason, source=source, duty=amount)
        else:
            say("Line {n} {code}: {rule}: {text} on customs value {value:m} cut to {cut:m} = {base:m}; {reason} "
                "({source}). Line duty {duty:m}.", n=index + 1, code=code, rule=_MFN if rule == "mfn" else rule, text=text, value=value,
                cut=base_value, base=base_duty, reason=reason, source=source, duty=amount)
    if rounding is not None and not relief.duty:
        cut_duty_down(found, rounding, dest, explanation)
    return found


def cut_duty_down(found: Duties, rounding: Rounding, dest: str, explanation: Explanation) -> None:
    """The duty payable cut to the unit below (Japan: 100 yen), taken off the largest lines so that they
    add up to it; each line's duty enters the tax base cut down on its own."""
    found.in_tax_base = [cut_down(amount, rounding.duty_in_tax_base_unit) for amount in found.line_duty]
    total = sum(found.line_duty, ZERO)
    payable = cut_down(total, rounding.duty_total_unit)
    if payable == total:
        return
    found.line_duty[:] = take_off(found.line_duty, total - payable)
    found.quoted[:] = [ql if ql.duty.amount == amount else ql._replace(duty=_money(amount, dest))
                       for ql, amount in zip(found.quoted, found.line_duty, strict=True)]
    explanation.add("Duty {total:m} cut to {payable:m}, the {unit:m} below, taken off the largest line ({source}).",
                    total=total, payable=payable, unit=rounding.duty_total_unit, source=rounding.source)


_NO_QUANTITIES: Mapping[str, Decimal] = {}


def line_duty_of(book: TariffBook, fx: FxTable, regime: DestinationRegime, code: str, line: QuoteLine,
                 value: Decimal, on: date, lookup: Lookup) -> tuple[Decimal | None, Decimal, str, str, str, str]:
    """(duty incl. additional duties or None for manual assessment, duty before additional duties,
    measure text, rule, source, reason) for one line."""
    dest = regime.currency
    mfn = lookup.mfn
    if (mfn is not None and mfn.expression.ad_valorem_rate is not None and not lookup.additional
            and not (line.claim_preference and lookup.preferences)):
        quantities: Mapping[str, Decimal] = _NO_QUANTITIES  # a plain percentage needs none
    else:
        quantities = {"kg": line.net_weight_kg, "item": Decimal(line.quantity), **line.supplementary}
    notes = [lookup.note] if lookup.note else []

    mfn_duty: Decimal | ManualAssessment
    if mfn is None:
        mfn_duty = ManualAssessment(lookup.note or f"no MFN rate for {code}")
        notes = []
    else:
        mfn_duty = evaluate_amount(mfn.expression, value, dest, quantities, fx)
        if mfn.expression.seasons:
            season = mfn.expression.season_on(on)
            if season is not None:
                notes.append(f"the seasonal rate for {on.isoformat()} would be {season.expression.text}")

    # Preference: origin is a party, the line has a rate, and it is claimed.
    chosen: Measure | None = None
    chosen_duty: Decimal | None = None
    agreements = book.agreements_between(regime.territory, line.origin, on)
    in_force = {a.code for a in agreements}
    offers = [p for p in lookup.preferences if p.agreement in in_force]
    if line.claim_preference:
        # Every agreement considered, and why each one not chosen was rejected.
        considered: list[tuple[str, str]] = []
        for agreement in book.agreements_between(regime.territory, line.origin, None):
            if agreement.code not in in_force:
                considered.append((agreement.code, f"not in force on {on.isoformat()} (from "
                                                   f"{agreement.in_force_from.isoformat()})"))
            elif not any(p.agreement == agreement.code for p in offers):
                considered.append((agreement.code, f"no preferential rate for {code}"))
        for offer in lookup.preferences:
            if offer.agreement not in in_force and all(offer.agreement != c for c, _ in considered):
                considered.append((offer.agreement or "?", f"origin {line.origin} not a party"))
        rated: list[tuple[Measure, Decimal]] = []
        assessments = {}
        for offer in offers:
            assessment = assessments.get(offer.agreement)
            if assessment is None:
                assessment = assessments[offer.agreement] = book.assess_origin(offer.agreement or "", code,
                                                                                line.origin_declaration)
            if not assessment.met:
                considered.append((offer.agreement or "?", f"{offer.expression_text} not granted: {assessment.reason}"))
                continue
            result = evaluate_amount(offer.expression, value, dest, quantities, fx)
            if isinstance(result, ManualAssessment):
                considered.append((offer.agreement or "?", f"{offer.expression_text} cannot be computed: "
                                                           f"{result.reason}"))
                continue
            rated.append((offer, result))
            if chosen_duty is None or result < chosen_duty:
                chosen, chosen_duty = offer, result
        if chosen is not None and isinstance(mfn_duty, Decimal) and chosen_duty >= mfn_duty:
            chosen = chosen_duty = None
        for offer, result in rated:
            if offer is chosen:
                continue
            if isinstance(mfn_duty, Decimal) and result >= mfn_duty:
                considered.append((offer.agreement or "?", f"{offer.expression_text} not lower than MFN"))
            elif chosen is not None:
                considered.append((offer.agreement or "?", f"{offer.expression_text} not lower than "
                                                           f"{chosen.agreement} {chosen.expression_text}"))
        if not agreements:
            notes.append(f"preference claimed but origin {line.origin} is not a party to a trade agreement with "
                         f"{regime.territory} in force on {on.isoformat()}; MFN applies")
        elif not offers:
            names = ", ".join(sorted(in_force))
            notes.append(f"preference claimed: {line.origin} is a party to {names} with {regime.territory}, but no "
                         f"preferential rate is held for {code}; MFN applies")
        elif chosen is None and not any(a.met for a in assessments.values()):
            notes.append("preference claimed but the rule of origin is not shown to be met for any agreement; "
                         "MFN applies")
        elif chosen is None:
            notes.append("preference claimed but no agreement's rate lowers the MFN duty; MFN applies")
        if considered:
            notes.append("rejected: " + "; ".join(f"{c} {why}" for c, why in considered))
    elif offers:
        best = ", ".join(f"{o.agreement} {o.expression_text}" for o in offers)
        notes.append(f"preference available ({best}) but not claimed; MFN applies")

    if chosen is not None:
        agreement = book.agreements[chosen.agreement or ""]
        duty = chosen_duty
        text, rule, source = chosen.expression_text, f"preference:{chosen.agreement}", chosen.source
        notes.insert(0, f"origin {line.origin} is a party to {agreement.name}, the line has a preferential rate, "
                        f"the preference is claimed and the {assessments[chosen.agreement].reason} (proof of origin: "
                        f"{agreement.proof_of_origin})")
    elif isinstance(mfn_duty, ManualAssessment):
        text = mfn.expression_text if mfn else ""
        return None, ZERO, text, "manual_assessment", mfn.source if mfn else "", "; ".join([mfn_duty.reason, *notes])
    else:
        duty = mfn_duty
        text, rule, source = mfn.expression_text, "mfn", mfn_source(mfn)
        notes.insert(0, MFN_REASON)

    base_duty = duty
    for extra in lookup.additional:
        result = evaluate_amount(extra.expression, value, dest, quantities, fx)
        if isinstance(result, ManualAssessment):
            return None, ZERO, text, "manual_assessment", source, f"{extra.title}: {result.reason}"
        duty += result
        notes.append(f"plus {extra.title} {extra.expression_text} on origin {extra.origin or 'any'} = "
                     f"{fmt(result, dest)} ({extra.source}, from {extra.valid_from.isoformat()})")
    return duty, base_duty, text, rule, source, "; ".join(notes)
