"""Checkouts held for compliance: staff clear them (the payment is made, the buyer may pay) or refuse
them (the orders are cancelled and their stock released; nothing was ever charged). Each decision takes
the checkout's lock first, as paying does, then the hold: a second click, a replayed form or a colleague
deciding at the same moment finds it decided and changes nothing (`already_decided`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from customs.domain.compliance import hit_key
from ewtp.audit import staff_action_record
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.roles import REVIEW_COMPLIANCE_HOLD
from marketplace.domain.states import ORDER
from marketplace.models import Checkout, ComplianceHold, Order, OrderEvent
from marketplace.services.checkout import _share
from marketplace.services.orders import _release_stock
from marketplace.signals import checkout_hold_cleared, checkout_hold_refused
from payments.services import payment_create


def _check_decision(staff: User, reason: str) -> str:
    if not staff.has_perm(REVIEW_COMPLIANCE_HOLD):
        raise PermissionDenied("Only compliance staff decide compliance holds.")
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("Give the reason for your decision (it is audited).", code="reason_required",
                               field="reason")
    if len(reason) > 500:
        raise ApplicationError("Keep the reason under 500 characters.", code="too_long", field="reason")
    return reason


def _hold_lock(hold_id) -> tuple[Checkout, ComplianceHold, list[Order]]:
    """The held checkout, then its hold, then its orders, locked in the order paying takes them."""
    if not isinstance(hold_id, int) and not str(hold_id).isdigit():
        raise NotFound("No such compliance hold.")
    checkout = Checkout.objects.select_for_update().filter(compliance_hold__pk=int(hold_id)).first()
    if checkout is None:
        raise NotFound("No such compliance hold.")
    hold = ComplianceHold.objects.select_for_update().get(checkout=checkout)
    if hold.status != ComplianceHold.Status.HELD:
        raise Conflict(f"This hold was already {hold.get_status_display().lower()}.", code="already_decided",
                       field="status")
    orders = list(checkout.orders.select_for_update(of=("self",)).select_related("company").order_by("pk"))
    return checkout, hold, orders


def _move(order: Order, target: str, *, actor: User, note: str) -> None:
    ORDER.check(order.status, target)
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=target, actor=actor, note=note)
    order.status = target


def _entries(hits: list[dict]) -> str:
    return "; ".join(f"{h.get('role')} '{h.get('name')}' ~ {h.get('list')} {h.get('entry_id')} "
                     f"{h.get('listed_name')} ({h.get('score')})" for h in hits) or "account flagged at sign-up"


def _decide(hold: ComplianceHold, checkout, staff: User, reason: str, *, status: str, screening: str,
            action: str, signal) -> None:
    """What both decisions record: the hold's status, the buyer's screening (with the hold's matches added, so
    a cleared match holds them no more), the staff audit entry, and the signal sent after commit."""
    hold.status, hold.decided_by, hold.decided_at, hold.decision_reason = status, staff, timezone.now(), reason
    hold.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    buyer = User.objects.select_for_update().get(pk=checkout.buyer_id)
    known = {hit_key(hit) for hit in buyer.screening_hits}
    buyer.screening_hits = buyer.screening_hits + [h for h in hold.hits if hit_key(h) not in known]
    buyer.screening = screening
    buyer.save(update_fields=["screening", "screening_hits"])
    staff_action_record(actor=staff, action=action, target=f"checkout {checkout.reference}", reason=reason,
                        entries=_entries(hold.hits))
    reference, buyer_id = checkout.reference, checkout.buyer_id
    transaction.on_commit(lambda: signal.send(sender=ComplianceHold, hold=hold, reference=reference,
                                              buyer_id=buyer_id))


def compliance_hold_clear(*, staff: User, hold_id: int, reason: str) -> ComplianceHold:
    """A false match: the checkout's one payment is made now (its PaymentIntent with it) and its orders
    await payment; the buyer is cleared of these matches, so they do not hold a later checkout."""
    reason = _check_decision(staff, reason)
    with transaction.atomic():
        checkout, hold, orders = _hold_lock(hold_id)
        now = timezone.now()
        for order in orders:
            _move(order, Order.Status.PENDING_PAYMENT, actor=staff, note="Cleared at the compliance review.")
            # A quote that ran out while held is re-quoted when the buyer pays (and not cancelled before).
            order.quote_expires_at = max(order.quote_expires_at, now)
            order.save(update_fields=["status", "quote_expires_at", "updated_at"])
        checkout.payment = payment_create(reference=checkout.reference, buyer=checkout.buyer,
                                          shares=[_share(o) for o in orders], destination=orders[0].ship_country,
                                          idempotency_key=f"checkout:{orders[0].pk}")
        checkout.save(update_fields=["payment"])
        _decide(hold, checkout, staff, reason, status=ComplianceHold.Status.CLEARED,
                screening=User.Screening.CLEARED, action="checkout.compliance_clear", signal=checkout_hold_cleared)
    return hold


def compliance_hold_refuse(*, staff: User, hold_id: int, reason: str) -> ComplianceHold:
    """A real match: the orders are cancelled and their stock goes back on sale. No payment was ever made,
    so nothing is charged or refunded. The buyer stays flagged: their next checkout is held too."""
    reason = _check_decision(staff, reason)
    with transaction.atomic():
        checkout, hold, orders = _hold_lock(hold_id)
        for order in orders:
            _release_stock(order, note="Refused at the compliance review; stock released.")
            _move(order, Order.Status.CANCELLED, actor=staff, note="Refused at the compliance review.")
            order.save(update_fields=["status", "updated_at"])
        _decide(hold, checkout, staff, reason, status=ComplianceHold.Status.REFUSED,
                screening=User.Screening.FLAGGED, action="checkout.compliance_refuse", signal=checkout_hold_refused)
    return hold
