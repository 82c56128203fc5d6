"""Trade-finance rules for sellers, as plain Python: no ORM, no I/O.

A verified seller may take an advance against orders whose money escrow holds. What it may take:

- its **limit**, from its platform history (`credit_limit`): a share of the volume it delivered,
  lowered by its refund and customs-rejection rates, scaled up with the company's age, capped;
  less what it owes already;
- the **eligible base** of the orders it pledges (`offer_terms`): what escrow would release to the
  seller for each order, times the advance rate of the order's stage (higher once customs cleared
  the goods, higher again once delivered).

The advance is paid out less its fee; the seller owes the whole advance, repaid first from the
escrow releases of the orders pledged to it (`allocate_repayment`). The ledger postings of both
(`disbursement_entries`, `repayment_entries`) balance by construction.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from enum import StrEnum

from ewtp.exceptions import ApplicationError
from ewtp.money import Money, quantum


class Stage(StrEnum):
    """How far a pledged order has come: the further, the surer its escrow reaches the seller."""

    IN_ESCROW = "in_escrow"  # paid (or shipped, customs not yet decided): escrow holds the money
    CLEARED = "cleared"  # shipped and released by customs
    DELIVERED = "delivered"  # at the buyer's door; escrow waits for the dispute window


@dataclass(frozen=True)
class Policy:
    """The figures the rules use. Rates and shares are fractions (0.30 = 30%)."""

    volume_share: Decimal = Decimal("0.30")  # of the delivered volume
    cap_eur: Decimal = Decimal("50000")  # the highest limit, in EUR (converted to the seller's currency)
    min_account_age_days: int = 30  # younger companies get no limit
    full_age_days: int = 365  # from this age the limit is not scaled down for age
    max_refund_rate: Decimal = Decimal("0.25")  # above: no limit
    max_rejection_rate: Decimal = Decimal("0.15")  # customs rejections; above: no limit
    refund_weight: Decimal = Decimal("2")  # each point of refund rate takes this many points off the limit
    rejection_weight: Decimal = Decimal("3")
    advance_rates: dict = field(default_factory=lambda: {
        Stage.IN_ESCROW: Decimal("0.50"), Stage.CLEARED: Decimal("0.70"), Stage.DELIVERED: Decimal("0.80")})
    fee_rate: Decimal = Decimal("0.015")  # of the advance, kept when it is paid out
    term_days: int = 60  # the advance is due this long after it is paid out


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class History:
    """A seller's record on the platform, in its own currency."""

    delivered_volume: Money  # what buyers paid for goods delivered to them (duties excluded)
    delivered_orders: int
    paid_orders: int  # orders that were ever paid (delivered, refunded, in progress)
    refunded_orders: int  # of those, refunded in part or in full
    customs_decided: int  # clearance cases customs decided
    customs_rejected: int  # of those, rejected
    account_age_days: int

    @property
    def refund_rate(self) -> Decimal:
        return _rate(self.refunded_orders, self.paid_orders)

    @property
    def rejection_rate(self) -> Decimal:
        return _rate(self.customs_rejected, self.customs_decided)


def _rate(part: int, whole: int) -> Decimal:
    return Decimal(part) / Decimal(whole) if whole else Decimal(0)


@dataclass(frozen=True)
class Limit:
    amount: Money
    reasons: tuple[str, ...] = ()  # why it is zero or lowered (codes: no_history, account_too_young, ...)


def round_down(money: Money) -> Money:
    """Down to the currency's minor unit: a limit or a maximum is never rounded up."""
    return Money(money.amount.quantize(quantum(money.currency), rounding=ROUND_DOWN), money.currency)


def credit_limit(history: History, *, cap: Money, policy: Policy = DEFAULT_POLICY) -> Limit:
    """The most the seller may owe at once. `cap` is policy.cap_eur in the seller's currency."""
    currency = history.delivered_volume.currency
    zero = Money.zero(currency)
    if history.account_age_days < policy.min_account_age_days:
        return Limit(zero, ("account_too_young",))
    if history.delivered_orders == 0 or history.delivered_volume.amount <= 0:
        return Limit(zero, ("no_history",))
    if history.refund_rate > policy.max_refund_rate:
        return Limit(zero, ("refund_rate_too_high",))
    if history.rejection_rate > policy.max_rejection_rate:
        return Limit(zero, ("rejection_rate_too_high",))
    reasons = []
    risk = Decimal(1) - policy.refund_weight * history.refund_rate - policy.rejection_weight * history.rejection_rate
    risk = max(Decimal(0), min(Decimal(1), risk))
    if risk < 1:
        reasons.append("lowered_for_refunds_or_rejections")
    age = min(Decimal(1), Decimal(history.account_age_days) / Decimal(policy.full_age_days))
    age_factor = Decimal("0.5") + Decimal("0.5") * age
    if age_factor < 1:
        reasons.append("lowered_for_account_age")
    amount = history.delivered_volume * (policy.volume_share * risk * age_factor)
    if amount > cap:
        amount, reasons = cap, [*reasons, "capped"]
    return Limit(round_down(Money(max(amount.amount, Decimal(0)), currency)), tuple(reasons))


@dataclass(frozen=True)
class Collateral:
    """One order offered as collateral: what its escrow release would pay the seller."""

    reference: str
    stage: Stage
    base: Money  # in the seller's currency, net of the platform fee


@dataclass(frozen=True)
class CollateralTerms:
    reference: str
    stage: Stage
    base: Money
    rate: Decimal
    eligible: Money  # base × rate, rounded down


@dataclass(frozen=True)
class Offer:
    """What the platform offers, shown before the seller accepts."""

    currency: str
    limit: Money
    outstanding: Money  # owed on earlier advances
    available: Money  # limit - outstanding, never below zero
    orders: tuple[CollateralTerms, ...]
    eligible: Money  # the sum of the orders' eligible amounts
    maximum: Money  # min(available, eligible): the most the seller may take
    fee_rate: Decimal
    term_days: int

    def fee_for(self, amount: Money) -> Money:
        return advance_fee(amount, self.fee_rate)

    def fingerprint(self) -> str:
        """Changes whenever anything the seller was shown changes."""
        shown = {"currency": self.currency, "limit": str(self.limit.amount), "outstanding": str(self.outstanding.amount),
                 "maximum": str(self.maximum.amount), "fee_rate": str(self.fee_rate), "term_days": self.term_days,
                 "orders": [[o.reference, o.stage.value, str(o.base.amount), str(o.rate)] for o in self.orders]}
        return hashlib.sha256(json.dumps(shown, sort_keys=True).encode()).hexdigest()


def offer_terms(*, limit: Money, outstanding: Money, collateral: list[Collateral],
                policy: Policy = DEFAULT_POLICY) -> Offer:
    currency = limit.currency
    if outstanding.currency != currency or any(c.base.currency != currency for c in collateral):
        raise ApplicationError("An offer is in the seller's currency.", code="currency_mismatch", field="currency")
    if not collateral:
        raise ApplicationError("Choose at least one order.", code="required", field="orders")
    if len({c.reference for c in collateral}) != len(collateral):
        raise ApplicationError("Each order once.", code="duplicate", field="orders")
    terms = []
    for item in collateral:
        rate = policy.advance_rates[item.stage]
        base = Money(max(item.base.amount, Decimal(0)), currency)
        terms.append(CollateralTerms(item.reference, item.stage, base, rate, round_down(base * rate)))
    eligible = sum((t.eligible for t in terms), Money.zero(currency))
    available = Money(max(limit.amount - outstanding.amount, Decimal(0)), currency)
    maximum = min(available, eligible, key=lambda m: m.amount)
    return Offer(currency=currency, limit=limit, outstanding=outstanding, available=available, orders=tuple(terms),
                 eligible=eligible, maximum=maximum, fee_rate=policy.fee_rate, term_days=policy.term_days)


def advance_fee(amount: Money, fee_rate: Decimal) -> Money:
    return Money((amount.amount * fee_rate).quantize(quantum(amount.currency), rounding=ROUND_HALF_UP),
                 amount.currency)


def check_advance_amount(amount: Money, offer: Offer) -> None:
    """Refuse an amount the offer does not allow, naming the field."""
    if amount.currency != offer.currency:
        raise ApplicationError(f"Advances to you are in {offer.currency}.", code="currency_mismatch", field="amount")
    if amount.amount != amount.amount.quantize(quantum(amount.currency)):
        raise ApplicationError(f"{amount.currency} has no smaller unit than {quantum(amount.currency)}.",
                               code="invalid_amount", field="amount")
    if amount.amount <= 0 or (amount - offer.fee_for(amount)).amount <= 0:
        raise ApplicationError("Ask for a positive amount, more than its fee.", code="invalid_amount", field="amount")
    if amount > offer.available:
        raise ApplicationError(f"Your available limit is {offer.available}.", code="above_limit", field="amount")
    if amount > offer.eligible:
        raise ApplicationError(f"These orders allow at most {offer.eligible}.", code="above_eligible", field="amount")


def allocate_repayment(*, available: Money, outstanding: list[Money]) -> list[Money]:
    """What a payout of `available` repays of each debt, in order, until it or they run out. Never
    negative, never more than a debt, never more than `available` in all."""
    left = Money(max(available.amount, Decimal(0)), available.currency)
    repaid = []
    for owed in outstanding:
        part = Money(max(min(owed.amount, left.amount), Decimal(0)), available.currency)
        repaid.append(part)
        left = left - part
    return repaid


def receivable_account(company_id: int) -> str:
    return f"advances_receivable:{company_id}"


FEE_INCOME = "finance_fees"


def disbursement_entries(*, company_id: int, amount: Money, fee: Money, cash_account: str) -> list[tuple]:
    """Paying out an advance: the seller owes all of it, gets it less the fee, the fee is income."""
    return [(receivable_account(company_id), amount), (FEE_INCOME, -fee), (cash_account, -(amount - fee))]


def repayment_entries(*, company_id: int, repaid: Money, payable_account: str) -> list[tuple]:
    """Part of what escrow released to the seller repays its advance instead of being paid out."""
    return [(payable_account, repaid), (receivable_account(company_id), -repaid)]
