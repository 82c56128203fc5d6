"""The landed-cost engine: what a cross-border order costs delivered, and why, rule by rule.

Pure: takes a loaded `TariffBook`, an `FxTable` and a `QuoteRequest`; no ORM, no I/O.

Steps: convert to the destination currency -> customs value on the destination's basis (CIF
apportions shipping and insurance over the lines by value; FOB counts the goods only) -> de
minimis tests on the consignment, separately for duty and tax -> low-value special regimes (EU
IOSS, UK £135, AU and SG low-value goods: no duty, tax at the point of sale) -> duty per line (the
measure in force on the date; a preference only when the origin is a party, the line has a
preferential rate and the preference is claimed; plus additional duties by origin) -> VAT/GST on
its base -> fees -> rounding in the destination currency at each figure -> totals in the
requested currency. Every figure gets a sentence in `explanation` with its base, rate, measure,
source and date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from string import Formatter
from typing import NamedTuple

from customs.domain.duty_expression import ManualAssessment, evaluate_amount
from customs.domain.tariff_book import DestinationRegime, Lookup, Measure, Restriction, TariffBook
from ewtp.exceptions import ApplicationError
from ewtp.money import FxTable, Money, quantum

INCOTERMS = ("DDP", "DAP")
EARLIEST_DATE = date(2000, 1, 1)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


# ---------------------------------------------------------------- errors

class LandedCostError(ApplicationError):
    """Bad input for a quote: the API answers 400 with the code and the field."""

    default_code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message, code=code or self.default_code, field=field)


class UnknownHsCode(LandedCostError):
    default_code = "unknown_hs_code"


class UnsupportedDestination(LandedCostError):
    default_code = "unsupported_destination"


class InvalidAmount(LandedCostError):
    default_code = "invalid_amount"


class CurrencyMismatchError(LandedCostError):
    default_code = "currency_mismatch"


class InvalidDate(LandedCostError):
    default_code = "invalid_date"


class DomesticShipment(LandedCostError):
    """Origin and destination in one customs territory: no import, so no duty and no import VAT."""

    default_code = "domestic_shipment"


# ---------------------------------------------------------------- explanation

_COMPILED: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {}


def _compile(template: str) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """A sentence template with its own specs taken out: `{x:m}` is an amount in the quote's currency
    ("1,234.50 GBP"), `{x:pct}` a percent rate ("20%"); other specs format the value as usual.
    Returns (plain template, money fields, percent fields), compiled once per template."""
    found = _COMPILED.get(template)
    if found is None:
        parts, money, pct = [], [], []
        for literal, name, spec, conversion in Formatter().parse(template):
            parts.append(literal.replace("{", "{{").replace("}", "}}"))
            if name is None:
                continue
            if spec == "m":
                money.append(name)
                spec = ""
            elif spec == "pct":
                pct.append(name)
                spec = ""
            parts.append("{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}")
        found = _COMPILED[template] = ("".join(parts), tuple(money), tuple(pct))
    return found


def _render(template: str, values: dict, currency: str) -> str:
    """The sentence; its amounts and rates in `values` are replaced by their text."""
    plain, money, pct = _COMPILED.get(template) or _compile(template)
    if money:
        q = quantum(currency)
        for name in money:  # as _fmt does
            values[name] = f"{values[name].quantize(q, ROUND_HALF_UP):,} {currency}"
    for name in pct:
        values[name] = f"{values[name].normalize():f}%"
    return plain.format_map(values)


class Explanation:
    """The quote's sentences, recorded as templates and values and rendered on first read: catalog pages
    ask for thousands of totals and read few explanations. Amounts stay Decimals until then; each sentence
    is rendered once."""

    __slots__ = ("_trace", "_lines", "currency")

    def __init__(self, currency: str = "") -> None:
        self._trace: list[tuple[str, dict | tuple[dict, dict] | None]] = []
        self._lines: list[str] = []
        self.currency = currency

    def add(self, template: str, **values: object) -> None:
        self._trace.append((template, values))

    def add_to(self, template: str, prepared: dict, **values: object) -> None:
        """`add` with values prepared once (per destination and date) beside the quote's own."""
        self._trace.append((template, (prepared, values)))

    def add_text(self, text: str) -> None:
        """A sentence already rendered (one that depends only on the destination and the date)."""
        self._trace.append((text, None))

    def lines(self) -> list[str]:
        done = self._lines
        if len(done) < len(self._trace):
            currency = self.currency
            done.extend(
                template if not values else _render(template, values, currency) if isinstance(values, dict)
                else _render(template, {**values[0], **values[1]}, currency)
                for template, values in self._trace[len(done):])
        return done


# ---------------------------------------------------------------- input and output

@dataclass(frozen=True, slots=True)
class QuoteLine:
    hs_code: str
    description: str
    quantity: int
    unit_value: Money
    net_weight_kg: Decimal
    origin: str
    claim_preference: bool = False
    supplementary: Mapping[str, Decimal] = field(default_factory=dict)  # e.g. {"l": Decimal("7.5")}


@dataclass(frozen=True, slots=True)
class QuoteRequest:
    origin: str
    destination: str
    on: date
    incoterm: str  # "DDP" | "DAP"
    currency: str  # currency of the answer
    shipping: Money
    insurance: Money
    lines: Sequence[QuoteLine]
    latest: date | None = None  # the last date quoted (tariffs change by law: no quote far ahead); None = no limit
    # A consumer (no company) opens the consumer-only channels (CN cross-border e-commerce retail import);
    # False keeps general trade. `consumer_year_to_date`: what the buyer bought through that channel this year.
    buyer_is_consumer: bool = False
    consumer_year_to_date: Money | None = None


class TaxLine(NamedTuple):
    name: str
    rate: Decimal  # percent
    base: Money
    amount: Money
    collected: str  # "border" (import VAT) | "at_sale" (charged by the seller or marketplace)
    source: str


class FeeLine(NamedTuple):
    code: str
    name: str
    amount: Money
    illustrative: bool
    source: str


class DeMinimis(NamedTuple):
    duty_applied: bool  # True: no duty because the consignment is at or below a threshold
    tax_applied: bool  # True: no VAT/GST at the border because of a tax threshold


_DE_MINIMIS = {(duty, tax): DeMinimis(duty, tax) for duty in (False, True) for tax in (False, True)}


class QuotedLine(NamedTuple):
    hs_code: str
    description: str
    measure: str  # the duty expression applied ("12.0%"), "" when none
    rule: str  # "mfn" | "preference:<AGREEMENT>" | "de_minimis" | "manual_assessment"
    duty: Money  # incl. additional duties
    customs_value: Money
    source: str
    reason: str


class Quote(NamedTuple):
    currency: str
    destination_currency: str
    incoterm: str
    customs_value: Money
    duty: Money
    taxes: tuple[TaxLine, ...]
    fees: tuple[FeeLine, ...]
    total_duties_and_taxes: Money
    landed_cost: Money
    de_minimis: DeMinimis
    lines: tuple[QuotedLine, ...]
    needs_manual_assessment: bool  # some line's duty is not in the totals
    restrictions: tuple[Restriction, ...] = ()
    trace: Explanation | None = None  # the explanation, rendered on first read

    @property
    def explanation(self) -> list[str]:
        """One sentence per figure and rule: base, rate, measure, source, date, threshold and why."""
        return self.trace.lines() if self.trace is not None else []


# ---------------------------------------------------------------- the engine

# Amounts the engine computed, in currencies checked on the way in.
_money = Money.checked_already


_MFN_REASON = "MFN (third-country) duty of the tariff line in force"
_MFN_SOURCES: dict[tuple[str, date], str] = {}


def _mfn_source(mfn: Measure) -> str:
    key = (mfn.source, mfn.valid_from)
    text = _MFN_SOURCES.get(key)
    if text is None:
        if len(_MFN_SOURCES) > 1000:
            _MFN_SOURCES.clear()
        text = _MFN_SOURCES[key] = f"{mfn.source}, in force from {mfn.valid_from.isoformat()}"
    return text


class _LinePlan:
    """What a line needs that depends only on its code, origin and claim in a context: the tariff lookup,
    the VAT/GST rate, the restrictions and, for the common line (one MFN percentage, nothing to prefer or
    add), its rate, measure, source and reason, which `_line_duty` would give the same."""

    __slots__ = ("code", "lookup", "rate", "text", "source", "reason", "tax", "restrictions")

    def __init__(self, book: TariffBook, ctx: _Context, code: str, origin: str, claim: bool) -> None:
        regime = ctx.regime
        self.code = code
        lookup = self.lookup = book.lookup(regime.territory, code, ctx.on, origin)
        mfn = lookup.mfn
        self.rate = self.text = self.source = self.reason = None
        if (mfn is not None and not lookup.preferences and not lookup.additional and not claim
                and mfn.expression.ad_valorem_rate is not None):
            self.rate = mfn.expression.ad_valorem_rate
            self.text = mfn.expression_text
            self.source = _mfn_source(mfn)
            self.reason = f"{_MFN_REASON}; {lookup.note}" if lookup.note else _MFN_REASON
        self.tax = regime.tax_rate(code, ctx.on) if regime.tax_name else None
        self.restrictions = tuple(book.restrictions_for(regime.code, code, origin))


class _Context:
    """What a quote needs that depends only on (fx table, destination, date, origin): the regime, exchange
    rates into its currency, the thresholds and low-value regimes in force with their limits converted,
    the fees in force, and the sentences of the explanation that depend on nothing else, rendered once.
    Prepared once and kept in the book's memo, as are its line plans."""

    __slots__ = ("regime", "dest", "q", "fx", "on", "cif", "rates", "specials", "thresholds", "fees", "opening",
                 "closing", "tax_parts", "fx_sentences")

    def __init__(self, book: TariffBook, fx: FxTable, destination: str, on: date, origin: str) -> None:
        regime = book.destination(destination)
        if regime is None:
            raise UnsupportedDestination(f"no customs regime is configured for {destination!r}",
                                         field="destination")
        if regime.tax_name and not regime.standard_rates:
            raise UnsupportedDestination(f"{regime.name} is a customs union: quote to one of its member states, "
                                         "whose VAT applies", field="destination")
        start = regime.tariff_from or EARLIEST_DATE
        if on < start:
            raise InvalidDate(f"the {regime.territory} tariff held covers {start.isoformat()} onwards; "
                              f"{on.isoformat()} is before it", field="date")
        if regime.territory in book.origin_keys(origin):
            raise DomesticShipment(_domestic(origin, regime), field="origin")
        if not fx.supports(regime.currency):
            raise CurrencyMismatchError(f"no exchange rate for {regime.currency}", field="destination")
        dest = regime.currency
        self.regime = regime
        self.dest = dest
        self.q = quantum(dest)
        self.fx = fx
        self.on = on
        self.cif = regime.valuation_basis == "CIF"
        self.rates: dict[str, Decimal] = {dest: Decimal(1)}
        self.fx_sentences: dict[str, str] = {}
        self.opening = _render("Destination {name} ({code}); customs territory {territory}; figures computed in "
                               "{dest} and rounded to its minor unit at each figure.",
                               {"name": regime.name, "code": regime.code, "territory": regime.territory,
                                "dest": dest}, dest)
        # (regime, limit in the destination currency, the reason its lines carry, the sentence saying so)
        self.specials = [(s, self.to_dest(s.max_value, s.currency),
                          f"{s.code}: consignment at or below {s.max_value:,} {s.currency}",
                          _render("{name} applies from {start}: {wording} ({source}).",
                                  {"name": s.name, "start": s.valid_from, "wording": s.wording, "source": s.source},
                                  dest))
                         for s in regime.special_regimes if s.in_force(on)]
        # Per kind ("duty", "tax"): (kind, threshold, limit in the destination currency, how to read it), where
        # how is a sentence (nothing to test), "payable" (tested on the duty and tax due) or the values of the
        # sentence that the consignment's value completes.
        self.thresholds = []
        for kind in ("duty", "tax"):
            threshold = _threshold(regime, kind, on, origin)
            limit = how = None
            if threshold is None:
                how = _render("No {kind} de minimis is configured for {code}.", {"kind": kind, "code": regime.code},
                              dest)
            elif threshold.amount is None:
                how = _render("No {kind} de minimis on {on}: {note} ({source}).",
                              {"kind": kind, "on": on, "note": threshold.note, "source": threshold.source}, dest)
            else:
                limit = self.to_dest(threshold.amount, threshold.currency)
                values = {"kind": kind, "Kind": kind.capitalize(), "source": threshold.source, "limit": limit,
                          "currency": threshold.currency,
                          "what": "intrinsic value (goods)" if threshold.basis == "intrinsic" else "customs value",
                          "legal": "" if threshold.currency == dest else f" ({threshold.amount:,} {threshold.currency})"}
                if threshold.basis == "amount_payable":
                    how = "payable"
                elif threshold.amount == 0:  # never applied: nothing below zero
                    how = _render("No {kind} de minimis: {kind} is due from the first {currency} ({source}).",
                                  values, dest)
                else:
                    how = values
            self.thresholds.append((kind, threshold, limit, how))
        self.fees = [fee for fee in regime.fees if _fee_in_force(fee, on)]
        self.tax_parts = "customs value" + (" + duty" if regime.vat_on_duty_inclusive else "") + (
            " + shipping and insurance" if regime.tax_base_adds_transport and not self.cif else "")
        if not regime.tax_name:
            self.closing = _render("{name} charges no import VAT/GST at the border. {notes}",
                                   {"name": regime.name, "notes": regime.notes}, dest)
        else:
            self.closing = _render("No import {tax}: the consignment is under the tax de minimis.",
                                   {"tax": regime.tax_name}, dest)

    def rate(self, currency: str) -> Decimal:
        """Units of the destination currency per unit of `currency`."""
        found = self.rates.get(currency)
        if found is None:
            found = self.rates[currency] = self.fx.rate(currency, self.dest).rate
        return found

    def to_dest(self, amount: Decimal, currency: str) -> Decimal:
        return amount if currency == self.dest else amount * self.rate(currency)

    def fx_sentence(self, currency: str) -> str:
        found = self.fx_sentences.get(currency)
        if found is None:
            found = self.fx_sentences[currency] = _render(
                "Exchange rate: 1 {currency} = {rate:.6f} {dest} ({source}, {on}).",
                {"currency": currency, "rate": self.rate(currency), "dest": self.dest, "source": self.fx.source,
                 "on": self.fx.as_of}, self.dest)
        return found

    def plan(self, book: TariffBook, code: str, origin: str, claim: bool) -> _LinePlan:
        return _memoised(book, (self, code, origin, claim), _LinePlan, book, self, code, origin, claim)


def _domestic(origin: str, regime: DestinationRegime) -> str:
    where = (f"{origin} and {regime.code} are both in the {regime.territory} customs union" if origin != regime.code
             else f"{origin} is the destination itself")
    return f"{where}: a domestic sale has no import duty or import VAT to quote"


def _fee_in_force(fee, on: date) -> bool:
    return fee.valid_from <= on and (fee.valid_to is None or on <= fee.valid_to)


def _context(book: TariffBook, fx: FxTable, destination: str, on: date, origin: str) -> _Context:
    return _memoised(book, (fx, destination, on, origin), _Context, book, fx, destination, on, origin)


def _memoised(book: TariffBook, key: tuple, build, *args):
    """`build(*args)`, once per key. Contexts and line plans share the book's memo, bounded (dates,
    origins and codes vary without end): some tens of MB at most."""
    memo = book.engine_memo
    found = memo.get(key)
    if found is None:
        if len(memo) > 50_000:
            memo.clear()
        found = memo[key] = build(*args)
    return found


def _money_problem(money: Money, fx: FxTable) -> tuple[type[LandedCostError], str] | None:
    """What is wrong with an amount given to quote (the caller names the field), or None."""
    amount = money.amount
    if amount < 0:
        return InvalidAmount, "amounts cannot be negative"
    if not fx.supports(money.currency):
        return CurrencyMismatchError, f"no exchange rate for {money.currency}"
    if amount != amount.quantize(quantum(money.currency), ROUND_HALF_UP):
        return InvalidAmount, f"{amount} has more decimals than {money.currency} allows"
    return None


def _line_problem(book: TariffBook, fx: FxTable, line: QuoteLine, index: int) -> LandedCostError | None:
    """The first thing wrong with a line, or None when its code is known and its figures are sound."""
    problem = _money_problem(line.unit_value, fx)
    if problem is not None:
        return problem[0](problem[1], field=f"lines[{index}].unit_value")
    if not isinstance(line.quantity, int) or line.quantity < 1:
        return InvalidAmount("quantity must be a whole number of at least 1", field=f"lines[{index}].quantity")
    if line.net_weight_kg < 0:
        return InvalidAmount("net weight cannot be negative", field=f"lines[{index}].net_weight_kg")
    for key, value in line.supplementary.items():
        if value < 0:
            return InvalidAmount(f"supplementary quantity {key} cannot be negative",
                                 field=f"lines[{index}].supplementary")
    if book.quotable_code(line.hs_code) is None:
        return UnknownHsCode(f"{line.hs_code!r} is not a known HS code (6 to 10 digits)",
                             field=f"lines[{index}].hs_code")
    return None


def _consumer_channel(ctx: _Context, request: QuoteRequest, special, limit: Decimal, goods: Decimal,
                      customs_value: Decimal, explanation: Explanation) -> bool:
    """Whether a consumer-only regime (CN cross-border e-commerce retail import) applies, with the sentence
    saying which channel applies and why: the buyer, the value per transaction, the buyer's year so far."""
    say = explanation.add
    value = goods if special.value_basis == "intrinsic" else customs_value
    what = "goods value" if special.value_basis == "intrinsic" else "dutiable price (goods + freight + insurance)"
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
            single="; a single-item order within the annual limit may still enter through the CBEC channel at those "
                   "full rates, counted toward the annual limit" if single else "")
        return False
    ytd = request.consumer_year_to_date
    if special.annual_limit is not None:
        annual = ctx.to_dest(special.annual_limit, special.currency)
        if ytd is None:
            so_far, known = ZERO, "not given, taken as none"
        else:
            problem = _money_problem(ytd, ctx.fx)
            if problem is not None:
                raise problem[0](problem[1], field="consumer_year_to_date")
            so_far, known = ctx.to_dest(ytd.amount, ytd.currency), "given"
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
        annual_text="" if annual is None else _render(
            " and purchases this year ({known}) {so_far:m} + {value:m} are within {annual} {legal} per person",
            {"known": known, "so_far": so_far, "value": value, "annual": f"{special.annual_limit:,}", "legal": legal},
            ctx.dest), source=special.source)
    return True


def _threshold(regime: DestinationRegime, kind: str, on: date, origin: str):
    for threshold in regime.thresholds:
        if threshold.kind == kind and threshold.applies(on, origin):
            return threshold
    return None


def _fmt(amount: Decimal, currency: str) -> str:
    return f"{amount.quantize(quantum(currency), ROUND_HALF_UP):,} {currency}"


def quote_landed_cost(book: TariffBook, fx: FxTable, request: QuoteRequest) -> Quote:
    # Checks, in the order a caller fixes them: the context (destination, date), incoterm, currency, the
    # costs, then line by line. The common line passes one compound test; the first fault is named by
    # _line_problem.
    ctx = _context(book, fx, request.destination, request.on, request.origin)
    if request.latest is not None and request.on > request.latest:
        start = ctx.regime.tariff_from or EARLIEST_DATE
        raise InvalidDate(f"quotes cover {start.isoformat()} to {request.latest.isoformat()}", field="date")
    if request.incoterm not in INCOTERMS:
        raise LandedCostError(f"incoterm must be one of {', '.join(INCOTERMS)}", field="incoterm",
                              code="invalid_incoterm")
    if not fx.supports(request.currency):
        raise CurrencyMismatchError(f"no exchange rate for {request.currency}", field="currency")
    lines = request.lines
    if not lines:
        raise LandedCostError("a quote needs at least one line", field="lines", code="invalid")
    for where, money in (("shipping", request.shipping), ("insurance", request.insurance)):
        amount = money.amount
        if amount < 0 or not fx.supports(money.currency) or amount != amount.quantize(quantum(money.currency),
                                                                                      ROUND_HALF_UP):
            problem = _money_problem(money, fx)
            raise problem[0](problem[1], field=where)
    regime = ctx.regime
    on = request.on
    dest = ctx.dest
    q = ctx.q
    explanation = Explanation(dest)
    say = explanation.add
    said = explanation.add_text
    say_to = explanation.add_to
    to_dest = ctx.to_dest
    supports = fx.supports
    quotable = book.quotable_code
    plan_for = ctx.plan

    # 1. Values in the destination currency.
    plans: list[_LinePlan] = []
    line_goods: list[Decimal] = []
    foreign: set[str] = set()
    for index, line in enumerate(lines):
        unit = line.unit_value
        amount, currency, quantity = unit.amount, unit.currency, line.quantity
        code = quotable(line.hs_code)
        if (code is None or amount < 0 or not supports(currency)
                or amount != amount.quantize(quantum(currency), ROUND_HALF_UP)
                or not isinstance(quantity, int) or quantity < 1 or line.net_weight_kg < 0
                or (line.supplementary and min(line.supplementary.values()) < 0)):
            raise _line_problem(book, fx, line, index)
        if line.origin != request.origin and regime.territory in book.origin_keys(line.origin):
            raise DomesticShipment(_domestic(line.origin, regime), field=f"lines[{index}].origin")
        plans.append(plan_for(book, code, line.origin, line.claim_preference))
        if currency == dest:
            line_goods.append(amount * quantity)
        else:
            foreign.add(currency)
            line_goods.append(amount * ctx.rate(currency) * quantity)
    goods = sum(line_goods, ZERO)
    shipping = to_dest(request.shipping.amount, request.shipping.currency)
    insurance = to_dest(request.insurance.amount, request.insurance.currency)
    transport = shipping + insurance
    count = len(line_goods)
    if count == 1:
        line_transport = [transport]
    elif goods:
        line_transport = [transport * g / goods for g in line_goods]
    else:
        line_transport = [transport / count] * count
    cif = ctx.cif
    if cif:
        line_values = [g + t for g, t in zip(line_goods, line_transport, strict=True)]
        customs_value = goods + transport
    else:
        line_values = line_goods
        customs_value = goods

    said(ctx.opening)
    for money in (request.shipping, request.insurance):
        if money.currency != dest:
            foreign.add(money.currency)
    for currency in sorted(foreign):
        said(ctx.fx_sentence(currency))
    if cif:
        say("Customs value {value:m} on a CIF basis: goods {goods:m} + shipping {shipping:m} + insurance {insurance:m}, "
            "transport apportioned over the lines by value ({source}).", value=customs_value, goods=goods,
            shipping=shipping, insurance=insurance, source=regime.valuation_source)
    else:
        say("Customs value {value:m} on an FOB basis: goods only; shipping {shipping:m} and insurance {insurance:m} are "
            "not dutiable ({source}).", value=customs_value, shipping=shipping, insurance=insurance,
            source=regime.valuation_source)

    # 2. De minimis and low-value regimes, on the whole consignment.
    special = None
    special_reason = "consignment at or below the duty de minimis"
    special_sentence = ""
    for candidate, limit, reason, sentence in ctx.specials:
        if candidate.buyers == "consumer":
            if _consumer_channel(ctx, request, candidate, limit, goods, customs_value, explanation):
                special, special_reason, special_sentence = candidate, reason, sentence
                break
            continue
        if (goods if candidate.value_basis == "intrinsic" else customs_value) <= limit:
            special, special_reason, special_sentence = candidate, reason, sentence
            break
    duty_relief = tax_relief = False
    relief_source = ""
    payable_limits = []
    for kind, threshold, limit, how in ctx.thresholds:
        if isinstance(how, str):
            if how == "payable":
                payable_limits.append((threshold, limit))
                continue
            said(how)  # no threshold, none in force, or zero: nothing to test
            applied = False
        else:
            value = goods if threshold.basis == "intrinsic" else customs_value
            applied = value <= limit
            if applied:
                say_to("{Kind} de minimis applied: consignment {what} {value:m} is at or below {limit:m}{legal}, so "
                       "no {kind} is charged ({source}).", how, value=value)
            else:
                say_to("{Kind} de minimis not applied: consignment {what} {value:m} is above {limit:m}{legal} "
                       "({source}).", how, value=value)
        if threshold is None or limit is None:
            continue
        if kind == "duty":
            duty_relief = applied
            relief_source = threshold.source
        else:
            tax_relief = applied
    if special is not None:
        duty_relief = True
        tax_relief = False
        said(special_sentence)

    # 3. Duty per line.
    quoted: list[QuotedLine] = []
    line_duty: list[Decimal] = []
    manual = False
    restrictions: list[Restriction] = []
    for index, line in enumerate(lines):
        plan = plans[index]
        code = plan.code
        value = line_values[index]
        value_money = _money(value.quantize(q, ROUND_HALF_UP), dest)
        if plan.restrictions:
            restrictions.extend(plan.restrictions)
        if duty_relief:
            quoted.append(QuotedLine(code, line.description, "", "de_minimis", _money(ZERO, dest), value_money,
                                     special.source if special else relief_source, special_reason))
            line_duty.append(ZERO)
            continue
        if plan.rate is not None:
            duty = base_duty = value * plan.rate / HUNDRED
            text, rule, source, reason = plan.text, "mfn", plan.source, plan.reason
        else:
            duty, base_duty, text, rule, source, reason = _line_duty(book, fx, regime, code, line, value, on,
                                                                     plan.lookup)
            if duty is None:
                manual = True
                line_duty.append(ZERO)
                quoted.append(QuotedLine(code, line.description, text, "manual_assessment", _money(ZERO, dest),
                                         value_money, source, reason))
                say("Line {n} {code}: manual assessment: {reason}. Its duty is not in the totals.", n=index + 1,
                    code=code, reason=reason)
                continue
        duty = duty.quantize(q, ROUND_HALF_UP)
        line_duty.append(duty)
        quoted.append(QuotedLine(code, line.description, text, rule, _money(duty, dest), value_money, source,
                                 reason))
        say("Line {n} {code}: {rule}: {text} on customs value {value:m} = {base:m}; {reason} ({source}). "
            "Line duty {duty:m}.", n=index + 1, code=code, rule=rule, text=text, value=value, base=base_duty,
            reason=reason, source=source, duty=duty)

    # 4. VAT/GST.
    taxes: dict[tuple[Decimal, str], list] = {}
    share = special.tax_share if special is not None else None
    collected = "at_sale" if special is not None and share is None else "border"
    if regime.tax_name and not tax_relief:
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
                base = line_goods[index] + (line_transport[index] if special.tax_base == "goods_and_transport" else ZERO)
            else:
                base = line_values[index]
                if regime.vat_on_duty_inclusive:
                    base += line_duty[index]
                if regime.tax_base_adds_transport and not cif:
                    base += line_transport[index]
            entry = taxes.get((rate, label))
            if entry is None:
                taxes[(rate, label)] = [base, source]
            else:
                entry[0] += base
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
    if not regime.tax_name or tax_relief:
        said(ctx.closing)

    # China-style de minimis on the amount payable: small duty and tax bills are waived.
    for threshold, limit in (payable_limits if special is None else ()):
        payable = sum(line_duty, ZERO) + sum((t.amount.amount for t in tax_lines), ZERO)
        if payable <= limit and (any(line_duty) or tax_lines):
            say("Duty and tax payable {payable:m} is at or below {limit:m}, so it is waived ({source}).",
                payable=payable, limit=limit, source=threshold.source)
            line_duty = [ZERO] * len(line_duty)
            quoted = [QuotedLine(ql.hs_code, ql.description, ql.measure, "de_minimis", _money(ZERO, dest),
                                 ql.customs_value, ql.source, "duty and tax payable at or below the de minimis")
                      if ql.rule != "manual_assessment" else ql for ql in quoted]
            tax_lines = []
            duty_relief = tax_relief = True
            break

    # 5. Fees, when goods are entered at the border.
    fee_lines: list[FeeLine] = []
    if not duty_relief and special is None:
        for fee in ctx.fees:
            value_in_fee = customs_value if fee.currency == dest else customs_value * fx.rate(dest, fee.currency).rate
            if not fee.applies(on, value_in_fee):
                continue
            amount = fee.amount if fee.kind == "flat" else value_in_fee * fee.amount / HUNDRED
            if fee.minimum is not None:
                amount = max(amount, fee.minimum)
            if fee.maximum is not None:
                amount = min(amount, fee.maximum)
            amount = to_dest(amount, fee.currency).quantize(q, ROUND_HALF_UP)
            fee_lines.append(FeeLine(fee.code, fee.name, _money(amount, dest), fee.illustrative, fee.source))
            say("{name}: {amount:m}{flag} ({source}).", name=fee.name, amount=amount,
                flag=" (illustrative figure)" if fee.illustrative else "", source=fee.source)

    # 6. Totals, then in the requested currency.
    duty_total = sum(line_duty, ZERO)
    charges = duty_total
    for tax in tax_lines:
        charges += tax.amount.amount
    for fee in fee_lines:
        charges += fee.amount.amount
    landed = (goods.quantize(q, ROUND_HALF_UP) + shipping.quantize(q, ROUND_HALF_UP)
              + insurance.quantize(q, ROUND_HALF_UP) + charges)
    out = request.currency
    out_q = quantum(out)
    if out == dest:
        out_rate = None

        def money_out(amount: Decimal) -> Money:
            return _money(amount.quantize(out_q, ROUND_HALF_UP), out)
    else:
        out_rate = fx.rate(dest, out).rate

        def money_out(amount: Decimal) -> Money:
            return _money((amount * out_rate).quantize(out_q, ROUND_HALF_UP), out)

    if request.incoterm == "DDP":
        say("DDP: duties, taxes and fees {charges:m} are paid with the order; landed cost {landed:m} = goods + shipping "
            "+ insurance + duties, taxes and fees.", charges=charges, landed=landed)
    else:
        say("DAP: duties, taxes and fees {charges:m} are an estimate, payable by the buyer on delivery; landed cost "
            "{landed:m} includes them.", charges=charges, landed=landed)
    if out_rate is not None:
        say("Totals shown in {out} at 1 {dest} = {rate:.6f} {out} ({source}, {on}).", out=out, dest=dest,
            rate=out_rate, source=fx.source, on=fx.as_of)
    if manual:
        said("Some lines need manual assessment: their duty is not included, so the totals are a floor.")
    for restriction in restrictions:
        say("Restriction ({kind}) for HS {prefix} in {where}: {wording} ({authority}; {source}).",
            kind=restriction.kind.replace("_", " "), prefix=restriction.hs_prefix, where=restriction.destination,
            wording=restriction.wording, authority=restriction.authority, source=restriction.source)

    if out_rate is not None:
        quoted = [QuotedLine(ql.hs_code, ql.description, ql.measure, ql.rule, money_out(ql.duty.amount),
                             money_out(ql.customs_value.amount), ql.source, ql.reason) for ql in quoted]
        tax_lines = [TaxLine(t.name, t.rate, money_out(t.base.amount), money_out(t.amount.amount), t.collected,
                             t.source) for t in tax_lines]
        fee_lines = [FeeLine(f.code, f.name, money_out(f.amount.amount), f.illustrative, f.source) for f in fee_lines]
    # Positional: keywords cost a third of the quote's construction.
    return Quote(out, dest, request.incoterm, money_out(customs_value), money_out(duty_total), tuple(tax_lines),
                 tuple(fee_lines), money_out(charges), money_out(landed), _DE_MINIMIS[duty_relief, tax_relief],
                 tuple(quoted), manual, tuple(restrictions), explanation)


_NO_QUANTITIES: Mapping[str, Decimal] = {}


def _line_duty(book: TariffBook, fx: FxTable, regime: DestinationRegime, code: str, line: QuoteLine,
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
        for offer in offers:
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
        notes.insert(0, f"origin {line.origin} is a party to {agreement.name}, the line has a preferential rate and "
                        f"the preference is claimed (proof of origin: {agreement.proof_of_origin}; rule of origin: "
                        f"{', '.join(agreement.origin_criteria)})")
    elif isinstance(mfn_duty, ManualAssessment):
        text = mfn.expression_text if mfn else ""
        return None, ZERO, text, "manual_assessment", mfn.source if mfn else "", "; ".join([mfn_duty.reason, *notes])
    else:
        duty = mfn_duty
        text, rule, source = mfn.expression_text, "mfn", _mfn_source(mfn)
        notes.insert(0, _MFN_REASON)

    base_duty = duty
    for extra in lookup.additional:
        result = evaluate_amount(extra.expression, value, dest, quantities, fx)
        if isinstance(result, ManualAssessment):
            return None, ZERO, text, "manual_assessment", source, f"{extra.title}: {result.reason}"
        duty += result
        notes.append(f"plus {extra.title} {extra.expression_text} on origin {extra.origin or 'any'} = "
                     f"{_fmt(result, dest)} ({extra.source}, from {extra.valid_from.isoformat()})")
    return duty, base_duty, text, rule, source, "; ".join(notes)
