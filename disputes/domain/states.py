"""The dispute's state machine and the rules of a decision. Pure: no ORM, no I/O."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ewtp.exceptions import ApplicationError, Conflict
from ewtp.states import StateMachine

DISPUTE = StateMachine("dispute", {
    "open": {"answered", "resolved", "returning", "rejected", "withdrawn"},
    "answered": {"resolved", "returning", "rejected", "withdrawn"},
    "returning": {"resolved"},  # the return is delivered to the seller: the buyer is refunded
    "resolved": set(),
    "rejected": set(),
    "withdrawn": set(),
})

OPEN = frozenset({"open", "answered", "returning"})
# Where each decision takes the dispute.
OUTCOME_STATUS = {"refund_full": "resolved", "refund_partial": "resolved", "return": "returning",
                  "reject": "rejected"}
# The order states inside the escrow window: paid, and not yet released to the seller (nor refunded, cancelled).
DISPUTABLE_ORDER_STATUSES = frozenset({"paid", "shipped", "delivered"})


def check_decidable(*, status: str, outcome: str, answered: bool, seller_deadline: datetime, now: datetime) -> str:
    """The status a decision moves the dispute to; refuses an unknown outcome, a final dispute (a replayed
    decision) and a decision before the seller answered or let their deadline pass."""
    if outcome not in OUTCOME_STATUS:
        raise ApplicationError("Choose a decision.", code="invalid_outcome", field="outcome")
    if status not in ("open", "answered"):
        raise Conflict("This dispute has already been decided.", code="already_decided", field="outcome")
    if not answered and now < seller_deadline:
        raise Conflict("The seller may still answer: decide after their answer or their deadline.",
                       code="seller_may_answer", field="outcome")
    target = OUTCOME_STATUS[outcome]
    DISPUTE.check(status, target)
    return target


def check_partial_refund(amount: Decimal | None, *, refundable: Decimal, currency: str,
                         amount_currency: str | None = None) -> Decimal:
    """A part refund: above zero, no more than what can still be refunded, in the payment's currency."""
    if amount is None:
        raise ApplicationError("Enter the amount to refund.", code="required", field="amount")
    if amount_currency is not None and amount_currency != currency:
        raise ApplicationError(f"Refund in {currency}, the currency that was paid.", code="currency_mismatch",
                               field="amount")
    if amount <= 0:
        raise ApplicationError("Refund more than nothing.", code="invalid_amount", field="amount")
    if amount > refundable:
        raise ApplicationError(f"At most {refundable} {currency} can be refunded.", code="invalid_amount",
                               field="amount")
    return amount
