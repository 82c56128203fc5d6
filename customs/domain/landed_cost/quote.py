"""The answer: duty per line, taxes, fees and totals in the requested currency, with the explanation."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from customs.domain.landed_cost.explanation import Explanation
from customs.domain.tariff_book import Restriction
from ewtp.money import Money


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


DE_MINIMIS = {(duty, tax): DeMinimis(duty, tax) for duty in (False, True) for tax in (False, True)}


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

    @property
    def manual_lines(self) -> list[dict[str, str]]:
        """The lines whose duty customs assesses at import: HS code, description, reason."""
        return [{"hs_code": line.hs_code, "description": line.description, "reason": line.reason}
                for line in self.lines if line.rule == "manual_assessment"]

    @property
    def manual_reason(self) -> str:
        """Why the duty is assessed at import ("" when it is not), one reason per distinct cause."""
        return "; ".join(dict.fromkeys(line["reason"] or "no duty rate held" for line in self.manual_lines))
