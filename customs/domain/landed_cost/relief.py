"""Step 3, relief: on the whole consignment, the low-value special regimes (EU IOSS, the UK's £135, AU and
SG low-value goods: no duty, tax at the point of sale; China's cross-border e-commerce retail import for
consumers: no duty, VAT at a share) and the de minimis tests, separately for duty and tax. A de minimis
on the amount payable (China's) is tested once duty and tax are known: `waive_small_payable`."""

from __future__ import annotations

from decimal import Decimal

from customs.domain.landed_cost.duty import Duties
from customs.domain.landed_cost.explanation import Explanation, Sentence, phrase
from customs.domain.landed_cost.plan import Context
from customs.domain.landed_cost.quote import QuotedLine, TaxLine
from customs.domain.landed_cost.request import QuoteRequest
from customs.domain.landed_cost.validate import check_money
from customs.domain.landed_cost.value import Valuation
from ewtp.money import Money

ZERO = Decimal(0)
_money = Money.checked_already


class Relief:
    """What the consignment is spared: `special`, the low-value regime that applies (or None), `duty` and
    `tax`, whether no duty / no border tax is charged, with the `source` and `reason` its lines carry, and
    `payable_limits`, the de minimis on the amount payable still to test."""

    __slots__ = ("special", "reason", "source", "duty", "tax", "payable_limits")

    def __init__(self) -> None:
        self.special = None
        self.reason = "consignment at or below the duty de minimis"
        self.source = ""
        self.duty = self.tax = False
        self.payable_limits: list = []


def relief(ctx: Context, request: QuoteRequest, valuation: Valuation, explanation: Explanation) -> Relief:
    found = Relief()
    goods, customs_value = valuation.goods, valuation.customs_value
    special_sentence = ""
    for candidate, limit, reason, sentence in ctx.specials:
        if candidate.buyers == "consumer":
            if _consumer_channel(ctx, request, candidate, limit, goods, customs_value, explanation):
                found.special, found.reason, special_sentence = candidate, reason, sentence
                break
            continue
        if (goods if candidate.value_basis == "intrinsic" else customs_value) <= limit:
            found.special, found.reason, special_sentence = candidate, reason, sentence
            break
    for kind, threshold, limit, how in ctx.thresholds:
        if how == "payable":
            found.payable_limits.append((threshold, limit))
            continue
        if isinstance(how, Sentence):
            explanation.add_text(how)  # no threshold, none in force, or zero: nothing to test
            applied = False
        else:
            value = goods if threshold.basis == "intrinsic" else customs_value
            applied = value <= limit
            if applied:
                explanation.add_to("{Kind} de minimis applied: consignment {what} {value:m} is at or below "
                                   "{limit:m}{legal}, so no {kind} is charged ({source}).", how, value=value)
            else:
                explanation.add_to("{Kind} de minimis not applied: consignment {what} {value:m} is above "
                                   "{limit:m}{legal} ({source}).", how, value=value)
        if threshold is None or limit is None:
            continue
        if kind == "duty":
            found.duty = applied
            found.source = threshold.source
        else:
            found.tax = applied
    if found.special is not None:
        found.duty = True
        found.tax = False
        found.source = found.special.source
        explanation.add_text(special_sentence)
    return found


def waive_small_payable(relief: Relief, duties: Duties, taxes: list[TaxLine], dest: str,
                        explanation: Explanation) -> list[TaxLine]:
    """China-style de minimis on the amount payable: a small duty and tax bill is waived whole. Updates
    `relief` and `duties`; returns the taxes left."""
    if relief.special is not None:
        return taxes
    for threshold, limit in relief.payable_limits:
        payable = sum(duties.line_duty, ZERO) + sum((t.amount.amount for t in taxes), ZERO)
        if payable <= limit and (any(duties.line_duty) or taxes):
            explanation.add("Duty and tax payable {payable:m} is at or below {limit:m}, so it is waived ({source}).",
                            payable=payable, limit=limit, source=threshold.source)
            duties.line_duty = [ZERO] * len(duties.line_duty)
            duties.quoted = [QuotedLine(ql.hs_code, ql.description, ql.measure, "de_minimis", _money(ZERO, dest),
                                        ql.customs_value, ql.source, "duty and tax payable at or below the de minimis")
                             if ql.rule != "manual_assessment" else ql for ql in duties.quoted]
            relief.duty = relief.tax = True
            return []
    return taxes


def _consumer_channel(ctx: Context, request: QuoteRequest, special, limit: Decimal, goods: Decimal,
                      customs_value: Decimal, explanation: Explanation) -> bool:
    """Whether a consumer-only regime (CN cross-border e-commerce retail import) applies, with the sentence
    saying which channel applies and why: the buyer, the value per transaction, the buyer's year so far."""
    say = explanation.add
    value = goods if special.value_basis == "intrinsic" else customs_value
    what = phrase("goods value" if special.value_basis == "intrinsic"
                  else "dutiable price (goods + freight + insurance)")
    legal = special.currency
    if not request.buyer_is_consumer:
        say("General trade applies: the buyer is a business, and {code} ({name}) is for consumers only ({source}).",
            code=special.code, name=special.name, source=special.source)
        return False
    if value > limit:
        single = len(request.lines) == 1 and request.lines[0].quantity == 1
        say("General trade applies: the consumer's {what} {value:m} is above the {code} limit of {max} {legal} per "
            "transaction, so full duty and taxes are due{single} ({source}).", what=what, value=value,
            code=special.code, max=f"{special.max_value:,}", legal=legal, source=special.source,
            single=phrase("; a single-item order within the annual limit may still enter through the CBEC channel at "
                          "those full rates, counted toward the annual limit") if single else "")
        return False
    ytd = request.consumer_year_to_date
    if special.annual_limit is not None:
        annual = ctx.to_dest(special.annual_limit, special.currency)
        if ytd is None:
            so_far, known = ZERO, phrase("not given, taken as none")
        else:
            check_money(ytd, ctx.fx, "consumer_year_to_date")  # read only where the annual limit is tested
            so_far, known = ctx.to_dest(ytd.amount, ytd.currency), phrase("given")
        if so_far + value > annual:
            say("General trade applies: the consumer's purchases this year {so_far:m} + this transaction {value:m} = "
                "{total:m} exceed the {code} annual limit of {annual} {legal} per person, so full duty and taxes are "
                "due ({source}).", so_far=so_far, value=value, total=so_far + value, code=special.code,
                annual=f"{special.annual_limit:,}", legal=legal, source=special.source)
            return False
    else:
        so_far, known, annual = ZERO, "", None
    say("{code} applies: the buyer is a consumer, the {what} {value:m} is within {max} {legal} per transaction"
        "{annual_text}; the goods are taken to be on the CBEC positive list (not held here; the seller confirms) "
        "({source}).", code=special.code, what=what, value=value, max=f"{special.max_value:,}", legal=legal,
        annual_text="" if annual is None else Sentence(
            " and purchases this year ({known}) {so_far:m} + {value:m} are within {annual} {legal} per person",
            {"known": known, "so_far": so_far, "value": value, "annual": f"{special.annual_limit:,}", "legal": legal},
            ctx.dest), source=special.source)
    return True


