"""Dispute writes. Each is one transaction; the dispute (and the order, where money may move) is locked
first. Input is checked before anything is written: bad input raises ApplicationError at its field and
changes nothing. Money moves only through payments' refund service, which posts it in the ledger; the
order's history and the dispute's own (append-only) history say who did what and why."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from accounts.selectors import company_of
from disputes.domain.states import (
    DISPUTABLE_ORDER_STATUSES,
    DISPUTE,
    check_decidable,
    check_partial_refund,
)
from disputes.models import Dispute, DisputeEvent, Evidence
from disputes.signals import dispute_answered, dispute_decided, dispute_opened
from ewtp import roles
from ewtp.audit import staff_action_record
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.files import sniff_upload
from ewtp.money import Money
from marketplace.models import Order
from marketplace.services.orders import order_history_note
from payments.selectors import refundable
from payments.services import payment_refund

MAX_TEXT = 4000
MAX_NOTE = 2000


def _setting(name: str, default):
    return getattr(settings, name, default)


def _text(value, *, field: str, required: str, maximum: int = MAX_TEXT) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise ApplicationError(required, code="required", field=field)
    if len(text) > maximum:
        raise ApplicationError(f"Write at most {maximum} characters.", code="too_long", field=field)
    return text


def _checked_files(files) -> list[tuple[object, str]]:
    """The uploads with the kind their bytes say: photos (PNG, JPEG, WebP) or PDF, each within the size limit,
    no more than the limit in number."""
    files = [f for f in (files or []) if f is not None]
    most = int(_setting("DISPUTE_EVIDENCE_MAX_FILES", 5))
    if len(files) > most:
        raise ApplicationError(f"Attach at most {most} files.", code="too_many_files", field="evidence")
    limit = int(_setting("DISPUTE_EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))
    checked = []
    for upload in files:
        if upload.size > limit:
            raise ApplicationError(f"{str(upload.name)[:80]} is larger than {limit // (1024 * 1024)} MB.",
                                   code="file_too_large", field="evidence")
        kind = sniff_upload(upload)
        if kind is None:
            raise ApplicationError(f"{str(upload.name)[:80]} is not a photo (PNG, JPEG, WebP) or a PDF.",
                                   code="invalid_file_type", field="evidence")
        checked.append((upload, kind))
    return checked


def _store_evidence(dispute: Dispute, party: str, files, user) -> None:
    for upload, kind in files:
        Evidence.objects.create(dispute=dispute, party=party, file=upload, kind=kind,
                                original_name=str(upload.name)[:200], size=upload.size, uploaded_by=user)


def _move(dispute: Dispute, target: str, *, action: str, actor=None, note: str = "", amount: Money | None = None):
    """Check the table, write the event (append-only), then the new status."""
    if target != dispute.status:
        DISPUTE.check(dispute.status, target)
    DisputeEvent.objects.create(dispute=dispute, action=action, from_status=dispute.status, to_status=target,
                                actor=actor, note=note[:MAX_NOTE], amount=amount.amount if amount else None,
                                currency=amount.currency if amount else "")
    dispute.status = target


def _after_commit(signal, dispute: Dispute, actor) -> None:
    transaction.on_commit(lambda: signal.send(sender=Dispute, dispute=dispute, actor=actor))


def _resume_escrow(order: Order) -> None:
    """The dispute no longer freezes the escrow: a delivered order past the window is released now (beat would
    soon); any other follows its course (released after delivery and the window)."""
    from marketplace.tasks import order_release_escrow

    window = timedelta(seconds=settings.ESCROW_DISPUTE_WINDOW_SECONDS)
    if order.status == Order.Status.DELIVERED and order.delivered_at and order.delivered_at <= timezone.now() - window:
        transaction.on_commit(lambda: order_release_escrow.delay(order.pk))


def _lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


# --- the buyer ----------------------------------------------------------------------------------------------

def dispute_open(*, buyer, order_id: int, reason: str, description: str, files=()) -> Dispute:
    """The buyer complains about one of their orders, inside the escrow window (paid, not yet released to the
    seller), with a reason, a description and evidence. One open dispute per order; a decided one is final.
    Freezes the order's escrow until it is decided or withdrawn."""
    if reason not in Dispute.Reason.values:
        raise ApplicationError("Choose what went wrong.", code="invalid_reason", field="reason")
    description = _text(description, field="description", required="Describe what went wrong.")
    checked = _checked_files(files)
    with transaction.atomic():
        # The order's lock orders this against its escrow release (marketplace.services.orders).
        order = Order.objects.select_for_update().filter(pk=order_id, buyer=buyer).first()
        if order is None:
            raise NotFound("No such order.", field="order")
        left = refundable(reference=order.reference)
        if order.status not in DISPUTABLE_ORDER_STATUSES or left is None or left.amount <= 0:
            raise Conflict("A dispute is opened after paying and before the seller is paid; this order is past that.",
                           code="outside_escrow_window", field="order")
        previous = Dispute.objects.filter(order=order).exclude(status="withdrawn").order_by("-id").first()
        if previous is not None:
            if previous.is_open:
                raise Conflict("This order already has an open dispute.", code="dispute_open", field="order")
            raise Conflict("A dispute on this order has been decided; the decision is final.",
                           code="already_decided", field="order")
        hours = float(_setting("DISPUTE_SELLER_ANSWER_HOURS", 72))
        dispute = Dispute.objects.create(order=order, order_reference=order.reference, company_id=order.company_id,
                                         buyer=buyer, reason=reason, description=description,
                                         seller_deadline=timezone.now() + timedelta(hours=hours),
                                         currency=left.currency)
        _store_evidence(dispute, Evidence.Party.BUYER, checked, buyer)
        with translation.override("en"):  # records are written in English, whatever the buyer's page language
            label = str(dispute.get_reason_display())
        DisputeEvent.objects.create(dispute=dispute, action="opened", to_status=dispute.status, actor=buyer,
                                    note=f"{label}: {description}"[:MAX_NOTE])
        order_history_note(order_id=order.pk, actor=buyer,
                           note=f"Dispute opened by the buyer ({label.lower()}); escrow frozen until it is decided.")
        _after_commit(dispute_opened, dispute, buyer)
    return dispute


def dispute_withdraw(*, buyer, dispute_id: int) -> Dispute:
    """The buyer withdraws a dispute not decided yet (nor waiting for a return): the escrow resumes."""
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().filter(pk=dispute_id, buyer=buyer).first()
        if dispute is None:
            raise NotFound("No such dispute.")
        if dispute.status not in ("open", "answered"):
            raise Conflict("Only a dispute waiting for the seller or a decision can be withdrawn.",
                           code="not_withdrawable", field="status")
        order = _lock_order(dispute.order_id)
        _move(dispute, "withdrawn", action="withdrawn", actor=buyer, note="Withdrawn by the buyer.")
        dispute.save(update_fields=["status", "updated_at"])
        order_history_note(order_id=order.pk, actor=buyer, note="The buyer withdrew the dispute; escrow resumes.")
        _resume_escrow(order)
        _after_commit(dispute_decided, dispute, buyer)
    return dispute


# --- the seller ---------------------------------------------------------------------------------------------

def dispute_answer(*, user, dispute_id: int, answer: str, files=()) -> Dispute:
    """A member of the seller company answers (text and evidence), once, before staff decide."""
    answer = _text(answer, field="answer", required="Write your answer to the buyer's complaint.")
    checked = _checked_files(files)
    company = company_of(user)
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
        if dispute is None or company is None or dispute.company_id != company.pk:
            raise NotFound("No such dispute.")
        if dispute.status != "open":
            raise Conflict("This dispute no longer waits for your answer.", code="not_awaiting_answer",
                           field="answer")
        dispute.seller_answer, dispute.answered_at = answer, timezone.now()
        _store_evidence(dispute, Evidence.Party.SELLER, checked, user)
        _move(dispute, "answered", action="answered", actor=user, note=answer)
        dispute.save(update_fields=["status", "seller_answer", "answered_at", "updated_at"])
        order_history_note(order_id=dispute.order_id, actor=user, note="The seller answered the dispute.")
        _after_commit(dispute_answered, dispute, user)
    return dispute


# --- staff --------------------------------------------------------------------------------------------------

def dispute_decide(*, staff, dispute_id: int, outcome: str, note: str, amount: Money | None = None) -> Dispute:
    """Dispute staff decide: refund all that is left of the order's share, refund part (`amount`, no more than
    is left), ask for a return (a seller-bound shipment and its label; refunded when it is delivered), or
    reject. Under the dispute's lock: of two decisions at once one wins, the other (like a replay) is refused
    with `already_decided`. The audit trail, the order's history and the dispute's say who, what and why."""
    if not staff.has_perm(roles.DECIDE_DISPUTE):
        raise PermissionDenied("Only dispute staff decide disputes.")
    note = _text(note, field="note", required="Say why you decide so (the buyer and seller read it).",
                 maximum=MAX_NOTE)
    if outcome == Dispute.Outcome.REFUND_PARTIAL and amount is None:
        raise ApplicationError("Enter the amount to refund.", code="required", field="amount")
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
        if dispute is None:
            raise NotFound("No such dispute.")
        target = check_decidable(status=dispute.status, outcome=outcome, answered=dispute.answered_at is not None,
                                 seller_deadline=dispute.seller_deadline, now=timezone.now())
        order = _lock_order(dispute.order_id)
        left = refundable(reference=dispute.order_reference)
        if left is None or left.amount <= 0:
            raise Conflict("Nothing of this order can be refunded any more.", code="nothing_refundable",
                           field="outcome")
        why = f"Dispute {dispute.pk} ({dispute.reason}): {note}"
        refunded = None
        if outcome == Dispute.Outcome.REFUND_FULL:
            refunded = left
        elif outcome == Dispute.Outcome.REFUND_PARTIAL:
            refunded = Money(check_partial_refund(amount.amount, refundable=left.amount, currency=left.currency,
                                                  amount_currency=amount.currency), left.currency)
        elif outcome == Dispute.Outcome.RETURN:
            from logistics.services import return_shipment_create

            return_shipment_create(order_reference=dispute.order_reference)
        if refunded is not None:
            payment_refund(reference=dispute.order_reference, amount=refunded, reason=why, actor=staff)
            dispute.refunded_amount += refunded.amount
        dispute.outcome, dispute.decision_note = outcome, note
        dispute.decided_by, dispute.decided_at = staff, timezone.now()
        _move(dispute, target, action=outcome, actor=staff, note=note, amount=refunded)
        dispute.save(update_fields=["status", "outcome", "decision_note", "decided_by", "decided_at",
                                    "refunded_amount", "updated_at"])
        staff_action_record(actor=staff, action="dispute.decide", target=f"order {dispute.order_reference}",
                            dispute=dispute.pk, outcome=outcome, amount=refunded.amount if refunded else "",
                            currency=dispute.currency, reason=note)
        order_history_note(order_id=order.pk, actor=staff, note={
            "refund_full": "Dispute decided: the buyer is refunded in full.",
            "refund_partial": f"Dispute decided: the buyer is refunded {refunded}; escrow releases the rest.",
            "return": "Dispute decided: the buyer sends the goods back (return label issued); refunded on delivery.",
            "reject": "Dispute decided for the seller; escrow resumes.",
        }[outcome] + f" {note}")
        if target != "returning":
            order.refresh_from_db(fields=["status"])
            _resume_escrow(order)
        _after_commit(dispute_decided, dispute, staff)
    return dispute


# --- the platform -------------------------------------------------------------------------------------------

def dispute_return_delivered(*, shipment_id: int) -> Dispute | None:
    """A return shipment reached the seller: the buyer is refunded all that is left and the dispute resolved.
    Safe to run twice (a resolved dispute is left as it is)."""
    from logistics.models import RETURN_PREFIX, Shipment

    shipment = Shipment.objects.filter(pk=shipment_id, status=Shipment.Status.DELIVERED).first()
    if shipment is None or not shipment.is_return:
        return None
    reference = shipment.order_reference[len(RETURN_PREFIX):]
    with transaction.atomic():
        dispute = Dispute.objects.select_for_update().filter(order_reference=reference, status="returning").first()
        if dispute is None:
            return None
        order = _lock_order(dispute.order_id)
        left = refundable(reference=reference)
        refunded = None
        if left is not None and left.amount > 0:
            payment_refund(reference=reference, amount=left,
                           reason=f"Dispute {dispute.pk}: the return reached the seller ({shipment.tracking_number}).")
            refunded = left
            dispute.refunded_amount += left.amount
        _move(dispute, "resolved", action="return_delivered", note=f"Return {shipment.tracking_number} delivered.",
              amount=refunded)
        dispute.save(update_fields=["status", "refunded_amount", "updated_at"])
        order_history_note(order_id=order.pk, note="The returned goods reached the seller; the buyer is refunded.")
        _after_commit(dispute_decided, dispute, None)
    return dispute

