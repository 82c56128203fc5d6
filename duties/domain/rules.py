"""Pure rules of duty settlement: how a difference between what was collected and what the authority
assessed is settled, which VAT scheme a sale falls under, and the periods of the VAT returns."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ewtp.money import Money

POLICIES = ("platform", "seller")  # who pays an under-collection (settings.DUTY_SHORTFALL_POLICY)


@dataclass(frozen=True)
class Settling:
    resolution: str  # exact | refunded | absorbed | charged_seller (DutyAssessment.Resolution)
    refund: Money | None = None  # to the buyer
    shortfall: Money | None = None  # to be paid by the platform or the seller


def settle_difference(*, collected: Money, assessed: Money, policy: str) -> Settling:
    """Over-collected: the buyer gets the excess back. Under-collected: the platform absorbs the shortfall,
    or the seller pays it from the order's escrow, as `policy` says. Exact to the cent: nothing moves."""
    if policy not in POLICIES:
        raise ValueError(f"Unknown duty shortfall policy {policy!r}: use one of {', '.join(POLICIES)}.")
    difference = (assessed - collected).rounded()
    if difference.is_zero():
        return Settling("exact")
    if difference.amount < 0:
        return Settling("refunded", refund=-difference)
    return Settling("absorbed" if policy == "platform" else "charged_seller", shortfall=difference)


EU_MEMBER_STATES = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
                              "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})


def vat_scheme(destination: str) -> str | None:
    """The scheme of VAT collected at the sale to `destination`: IOSS in the EU, UK in Great Britain,
    None elsewhere (other countries' low-value regimes have no tax invoice here)."""
    if destination in EU_MEMBER_STATES:
        return "IOSS"
    if destination == "GB":
        return "UK"
    return None


_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class BadPeriod(ValueError):
    pass


def return_period(scheme: str, period: str) -> tuple[date, date]:
    """[start, end) of a return: IOSS monthly ("2026-12"), UK quarterly ("2026-Q4")."""
    period = (period or "").strip().upper()
    if scheme == "IOSS":
        match = _MONTH.match(period)
        if not match:
            raise BadPeriod("An IOSS return is monthly: give the month as YYYY-MM, e.g. 2026-12.")
        year, month = int(match[1]), int(match[2])
        return date(year, month, 1), date(year + month // 12, month % 12 + 1, 1)
    if scheme == "UK":
        match = _QUARTER.match(period)
        if not match:
            raise BadPeriod("A UK VAT return is quarterly: give the quarter as YYYY-Qn, e.g. 2026-Q4.")
        year, quarter = int(match[1]), int(match[2])
        start_month = 3 * quarter - 2
        end = date(year + 1, 1, 1) if quarter == 4 else date(year, start_month + 3, 1)
        return date(year, start_month, 1), end
    raise BadPeriod(f"Unknown scheme {scheme!r}: IOSS or UK.")


def current_period(scheme: str, today: date) -> str:
    return f"{today.year}-{today.month:02d}" if scheme == "IOSS" else f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def vat_sum(lines: list[dict]) -> Decimal:
    return sum((Decimal(line["amount"]) for line in lines), Decimal(0))
