"""Reads the dispute pages and API share. Whoever is not the buyer, a member of the seller's company or
dispute staff finds no such dispute (404), never a 403 that would tell them it exists."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.selectors import company_of
from disputes.domain.states import DISPUTABLE_ORDER_STATUSES, OPEN
from disputes.models import Dispute, Evidence
from ewtp import roles
from ewtp.exceptions import NotFound


def dispute_role(dispute: Dispute, user) -> str | None:
    """"buyer", "seller" (a member of the seller company), "staff" (dispute staff), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    if dispute.buyer_id == user.pk:
        return "buyer"
    company = company_of(user)
    if company is not None and company.pk == dispute.company_id:
        return "seller"
    if user.has_perm(roles.DECIDE_DISPUTE):
        return "staff"
    return None


def dispute_get_for_user(*, user, dispute_id: int) -> tuple[Dispute, str]:
    dispute = (Dispute.objects.select_related("order", "company", "buyer", "decided_by")
               .prefetch_related("evidence", "events").filter(pk=dispute_id).first())
    role = dispute_role(dispute, user) if dispute else None
    if role is None:
        raise NotFound("No such dispute.")
    return dispute, role


def disputes_for_user(user) -> QuerySet[Dispute]:
    """The disputes a user opened as a buyer or their company must answer, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Dispute.objects.none()
    company = company_of(user)
    condition = Q(buyer=user)
    if company is not None:
        condition |= Q(company=company)
    return Dispute.objects.filter(condition).select_related("company").order_by("-created_at", "-id")


def dispute_queue(*, status: str = "", reason: str = "") -> QuerySet[Dispute]:
    """Staff's queue: the disputes waiting for a decision (answered, or the seller's deadline passed) first,
    then those waiting for the seller, oldest first; returns on their way last."""
    from django.db.models import Case, IntegerField, Value, When

    now = timezone.now()
    rows = Dispute.objects.filter(status__in=OPEN).select_related("company", "buyer")
    if status:
        rows = rows.filter(status=status)
    if reason:
        rows = rows.filter(reason=reason)
    return rows.annotate(rank=Case(
        When(status="answered", then=Value(0)),
        When(status="open", seller_deadline__lte=now, then=Value(0)),
        When(status="open", then=Value(1)),
        default=Value(2), output_field=IntegerField())).order_by("rank", "created_at", "id")


def disputes_recently_closed(limit: int = 20) -> QuerySet[Dispute]:
    return Dispute.objects.exclude(status__in=OPEN).select_related("company").order_by("-updated_at")[:limit]


def dispute_decidable_now(dispute: Dispute) -> bool:
    return dispute.status == "answered" or (dispute.status == "open" and dispute.seller_deadline <= timezone.now())


def evidence_get_for_user(*, user, evidence_id: int) -> Evidence:
    evidence = Evidence.objects.select_related("dispute").filter(pk=evidence_id).first()
    if evidence is None or dispute_role(evidence.dispute, user) is None:
        raise NotFound("No such file.")
    return evidence


def order_dispute(*, order_id: int) -> Dispute | None:
    """The order's open dispute, else its latest one."""
    disputes = list(Dispute.objects.filter(order_id=order_id).order_by("-created_at", "-id")[:5])
    return next((d for d in disputes if d.is_open), disputes[0] if disputes else None)


def order_disputable(order) -> bool:
    """Whether the buyer may open a dispute on the order now: paid, its escrow not released, no dispute open
    or decided (a withdrawn one may be opened again)."""
    from payments.selectors import refundable

    if order.status not in DISPUTABLE_ORDER_STATUSES:
        return False
    if Dispute.objects.filter(order_id=order.pk).exclude(status="withdrawn").exists():
        return False
    left = refundable(reference=order.reference)
    return left is not None and left.amount > 0


def escrow_frozen_reason(*, reference: str) -> str | None:
    """Why the order's escrow is frozen (a dispute is open on it), or None."""
    if Dispute.objects.filter(order_reference=reference, status__in=OPEN).exists():
        return "a buyer's dispute is open; it resumes once the dispute is decided."
    return None
