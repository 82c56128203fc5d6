"""Prepared plans: what a quote needs that depends only on (fx table, destination, date, origin) — a
`Context` — and, within it, on a line's code, origin and claim — a `LinePlan`. Each is worked out once and
kept in the tariff book's memo (a reloaded book starts with none), so that a quote is plain arithmetic on
them. Building a context checks the destination, the date and the origin (see `validate`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from customs.domain.landed_cost.errors import (
    CurrencyMismatchError,
    DomesticShipment,
    InvalidDate,
    UnsupportedDestination,
)
from customs.domain.landed_cost.explanation import Sentence, phrase
from customs.domain.tariff_book import DestinationRegime, Measure, TariffBook
from ewtp.money import FxTable, quantum

EARLIEST_DATE = date(2000, 1, 1)
MFN_REASON = phrase("MFN (third-country) duty of the tariff line in force")
_MFN_SOURCES: dict[tuple[str, date], str] = {}


def mfn_source(mfn: Measure) -> str:
    key = (mfn.source, mfn.valid_from)
    text = _MFN_SOURCES.get(key)
    if text is None:
        if len(_MFN_SOURCES) > 1000:
            _MFN_SOURCES.clear()
        text = _MFN_SOURCES[key] = f"{mfn.source}, in force from {mfn.valid_from.isoformat()}"
    return text


class LinePlan:
    """What a line needs that depends only on its code, origin and claim in a context: the tariff lookup,
    the VAT/GST rate, the restrictions and, for the common line (one MFN percentage, nothing to prefer or
    add), its rate, measure, source and reason, which `duty.line_duty` would give the same."""

    __slots__ = ("code", "lookup", "rate", "text", "source", "reason", "tax", "restrictions")

    def __init__(self, book: TariffBook, ctx: Context, code: str, origin: str, claim: bool) -> None:
        regime = ctx.regime
        self.code = code
        lookup = self.lookup = book.lookup(regime.territory, code, ctx.on, origin)
        mfn = lookup.mfn
        self.rate = self.text = self.source = self.reason = None
        if (mfn is not None and not lookup.preferences and not lookup.additional and not claim
                and mfn.expression.ad_valorem_rate is not None):
            self.rate = mfn.expression.ad_valorem_rate
            self.text = mfn.expression_text
            self.source = mfn_source(mfn)
            self.reason = f"{MFN_REASON}; {lookup.note}" if lookup.note else MFN_REASON  # a phrase alone
        self.tax = regime.tax_rate(code, ctx.on) if regime.tax_name else None
        self.restrictions = tuple(book.restrictions_for(regime.code, code, origin))


class Context:
    """What a quote needs that depends only on (fx table, destination, date, origin): the regime, exchange
    rates into its currency, the thresholds and low-value regimes in force with their limits converted,
    the fees in force, the destination's rounding in force (None: half-up at each figure), and the sentences
    of the explanation that depend on nothing else, rendered once. Prepared once and kept in the book's
    memo, as are its line plans."""

    __slots__ = ("regime", "dest", "q", "fx", "on", "cif", "rounding", "rates", "specials", "thresholds", "fees",
                 "opening", "closing", "tax_parts", "fx_sentences", "tax_word")

    def __init__(self, book: TariffBook, fx: FxTable, destination: str, on: date, origin: str) -> None:
        regime = book.destination(destination)
        if regime is None:
            raise UnsupportedDestination(format_lazy(_("no customs regime is configured for {destination!r}"),
                                                     destination=destination), field="destination")
        if regime.tax_name and not regime.standard_rates:
            raise UnsupportedDestination(format_lazy(_("{name} is a customs union: quote to one of its member "
                                                       "states, whose VAT applies"), name=regime.name),
                                         field="destination")
        start = regime.tariff_from or EARLIEST_DATE
        if on < start:
            raise InvalidDate(format_lazy(_("the {territory} tariff held covers {start} onwards; {on} is before "
                                            "it"), territory=regime.territory, start=start.isoformat(),
                                          on=on.isoformat()), field="date")
        if regime.territory in book.origin_keys(origin):
            raise DomesticShipment(domestic(origin, regime), field="origin")
        if not fx.supports(regime.currency):
            raise CurrencyMismatchError(format_lazy(_("no exchange rate for {currency}"), currency=regime.currency),
                                        field="destination")
        dest = regime.currency
        self.regime = regime
        self.dest = dest
        self.q = quantum(dest)
        self.fx = fx
        self.on = on
        self.cif = regime.valuation_basis == "CIF"
        rounding = regime.rounding
        self.rounding = rounding if rounding is not None and rounding.valid_from <= on else None
        self.rates: dict[str, Decimal] = {dest: Decimal(1)}
        self.fx_sentences: dict[str, Sentence] = {}
        self.opening = Sentence(
            "Destination {name} ({code}); customs territory {territory}; figures computed in {dest} and rounded to "
            "its minor unit at each figure, or cut down where its law says." if self.rounding else
            "Destination {name} ({code}); customs territory {territory}; figures computed in {dest} and rounded to "
            "its minor unit at each figure.",
            {"name": regime.name, "code": regime.code, "territory": regime.territory, "dest": dest}, dest)
        # (regime, limit in the destination currency, the reason its lines carry, the sentence saying so)
        self.specials = [(s, self.to_dest(s.max_value, s.currency),
                          f"{s.code}: consignment at or below {s.max_value:,} {s.currency}",
                          Sentence("{name} applies from {start}: {wording} ({source}).",
                                  {"name": s.name, "start": s.valid_from, "wording": s.wording, "source": s.source},
                                  dest))
                         for s in regime.special_regimes if s.in_force(on)]
        # Per kind ("duty", "tax"): (kind, threshold, limit in the destination currency, how to read it), where
        # how is a sentence (nothing to test), "payable" (tested on the duty and tax due) or the values of the
        # sentence that the consignment's value completes.
        self.thresholds = []
        for kind in ("duty", "tax"):
            threshold = threshold_in_force(regime, kind, on, origin)
            limit = how = None
            if threshold is None:
                how = Sentence("No {kind} de minimis is configured for {code}.",
                               {"kind": phrase(kind), "code": regime.code}, dest)
            elif threshold.amount is None:
                how = Sentence("No {kind} de minimis on {on}: {note} ({source}).",
                               {"kind": phrase(kind), "on": on, "note": threshold.note, "source": threshold.source}, dest)
            else:
                limit = self.to_dest(threshold.amount, threshold.currency)
                values = {"kind": phrase(kind), "Kind": phrase(kind.capitalize()), "source": threshold.source,
                          "limit": limit, "currency": threshold.currency,
                          "what": phrase("intrinsic value (goods)" if threshold.basis == "intrinsic"
                                         else "customs value"),
                          "legal": "" if threshold.currency == dest else f" ({threshold.amount:,} {threshold.currency})"}
                if threshold.basis == "amount_payable":
                    how = "payable"
                elif threshold.amount == 0:  # never applied: nothing below zero
                    how = Sentence("No {kind} de minimis: {kind} is due from the first {currency} ({source}).",
                                   values, dest)
                else:
                    how = values
            self.thresholds.append((kind, threshold, limit, how))
        self.fees = [fee for fee in regime.fees if fee_in_force(fee, on)]
        self.tax_word = phrase(regime.tax_name)  # "VAT", "GST": the explanation reads it in the reader's language
        self.tax_parts = phrase("customs value" + (" + duty" if regime.vat_on_duty_inclusive else "") + (
            " + shipping and insurance" if regime.tax_base_adds_transport and not self.cif else ""))
        if not regime.tax_name:
            self.closing = Sentence("{name} charges no import VAT/GST at the border. {notes}",
                                    {"name": regime.name, "notes": regime.notes}, dest)
        else:
            self.closing = Sentence("No import {tax}: the consignment is under the tax de minimis.",
                                    {"tax": self.tax_word}, dest)

    def rate(self, currency: str) -> Decimal:
        """Units of the destination currency per unit of `currency`."""
        found = self.rates.get(currency)
        if found is None:
            found = self.rates[currency] = self.fx.rate(currency, self.dest).rate
        return found

    def to_dest(self, amount: Decimal, currency: str) -> Decimal:
        return amount if currency == self.dest else amount * self.rate(currency)

    def fx_sentence(self, currency: str) -> Sentence:
        found = self.fx_sentences.get(currency)
        if found is None:
            found = self.fx_sentences[currency] = Sentence(
                "Exchange rate: 1 {currency} = {rate:.6f} {dest} ({source}, {on}).",
                {"currency": currency, "rate": self.rate(currency), "dest": self.dest, "source": self.fx.source,
                 "on": self.fx.as_of}, self.dest)
        return found

    def plan(self, book: TariffBook, code: str, origin: str, claim: bool) -> LinePlan:
        return memoised(book, (self, code, origin, claim), LinePlan, book, self, code, origin, claim)


def domestic(origin: str, regime: DestinationRegime) -> str:
    """Why there is nothing to quote (a lazy text: read in the reader's language)."""
    if origin != regime.code:
        return format_lazy(_("{origin} and {code} are both in the {territory} customs union: a domestic sale has no "
                             "import duty or import VAT to quote"), origin=origin, code=regime.code,
                           territory=regime.territory)
    return format_lazy(_("{origin} is the destination itself: a domestic sale has no import duty or import VAT to "
                         "quote"), origin=origin)


def fee_in_force(fee, on: date) -> bool:
    return fee.valid_from <= on and (fee.valid_to is None or on <= fee.valid_to)


def context(book: TariffBook, fx: FxTable, destination: str, on: date, origin: str) -> Context:
    return memoised(book, (fx, destination, on, origin), Context, book, fx, destination, on, origin)


def memoised(book: TariffBook, key: tuple, build, *args):
    """`build(*args)`, once per key. Contexts and line plans share the book's memo, bounded (dates,
    origins and codes vary without end): some tens of MB at most."""
    memo = book.engine_memo
    found = memo.get(key)
    if found is None:
        if len(memo) > 50_000:
            memo.clear()
        found = memo[key] = build(*args)
    return found


def threshold_in_force(regime: DestinationRegime, kind: str, on: date, origin: str):
    for threshold in regime.thresholds:
        if threshold.kind == kind and threshold.applies(on, origin):
            return threshold
    return None


