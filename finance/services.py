"""Trade-finance writes. Each is one transaction; the seller's credit line, the offer and the
advances whose money moves are locked first."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.services import seller_company
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.money import Money
from finance import selectors
from finance.domain.advances import (
    Offer,
    advance_fee,
    allocate_repayment,
    check_advance_amount,
    disbursement_entries,
    offer_terms,
    repayment_entries,
)
from finance.domain.states import ADVANCE
from finance.models import Advance, AdvanceEvent, AdvanceOffer, CreditLine, PledgedOrder
from payments.integrations.providers import payment_provider
from payments.services import PROVIDER_CASH, ledger_post, seller_payable, seller_transfer

REFUSALS = {
    "not_paid": "is not paid and held in escrow",
    "released": "has been paid out already",
    "nothing_held": "has nothing left in escrow",
    "already_financed": "is financed by another advance",
}


def _verified_seller(user):
    company = seller_company(user)
    if not company.is_verified:
        raise PermissionDenied("Only verified sellers can take an advance.", code="not_verified")
    return company


def _offer_now(*, company, order_ids: list[int]) -> tuple[Offer, list, dict]:
    """The terms the platform offers now for these orders of the company. An order of another
    company, or one that cannot be pledged, is refused at the field `orders`."""
    if not order_ids:
        raise ApplicationError("Choose at least one order.", code="required", field="orders")
    if len(set(order_ids)) != len(order_ids):
        raise ApplicationError("Each order once.", code="duplicate", field="orders")
    from marketplace.selectors import seller_orders_by_id

    orders = seller_orders_by_id(company_id=company.pk, order_ids=order_ids)
    missing = [pk for pk in order_ids if pk not in orders]
    if missing:
        raise NotFound(f"You have no order #{missing[0]}.", code="not_eligible", field="orders")
    found = selectors.candidates(company=company, orders=[orders[pk] for pk in order_ids])
    for candidate in found:
        if candidate.collateral is None:
            raise ApplicationError(f"Order {candidate.order.reference} {REFUSALS[candidate.refusal]}.",
                                   code="not_eligible", field="orders")
    limit, history = selectors.seller_limit(company=company)
    outstanding = selectors.outstanding_for(company_id=company.pk, currency=company.currency)
    offer = offer_terms(limit=limit.amount, outstanding=outstanding, collateral=[c.collateral for c in found])
    facts = {"limit_reasons": list(limit.reasons), "history": {
        "delivered_volume": history.delivered_volume.as_json(), "delivered_orders": history.delivered_orders,
        "paid_orders": history.paid_orders, "refunded_orders": history.refunded_orders,
        "customs_decided": history.customs_decided, "customs_rejected": history.customs_rejected,
        "account_age_days": history.account_age_days}}
    return offer, [c.order for c in found], facts


def advance_offer_create(*, user, order_ids: list[int]) -> AdvanceOffer:
    """Offer the seller an advance against these orders: its limit, each order's stage and rate, the
    most it may take and the fee, valid for FINANCE_OFFER_VALIDITY_MINUTES. Nothing is paid yet."""
    company = _verified_seller(user)
    offer, orders, facts = _offer_now(company=company, order_ids=order_ids)
    if offer.maximum.amount <= 0:
        why = "your limit is used up" if offer.available.amount <= 0 else "these orders allow nothing"
        if offer.limit.amount <= 0:
            why = "you have no limit yet: " + ", ".join(r.replace("_", " ") for r in facts["limit_reasons"])
        raise ApplicationError(f"No advance can be offered: {why}.", code="nothing_to_offer", field="orders")
    try:
        with transaction.atomic():
            CreditLine.objects.get_or_create(company_id=company.pk)
    except IntegrityError:  # made at the same moment by another request
        pass
    ids = {order.reference: order.pk for order in orders}
    terms = {**facts, "orders": [{"id": ids[o.reference], "reference": o.reference, "stage": o.stage.value,
                                  "base": o.base.as_json(), "rate": str(o.rate), "eligible": o.eligible.as_json()}
                                 for o in offer.orders]}
    return AdvanceOffer.objects.create(
        company_id=company.pk, created_by=user, currency=offer.currency, limit_amount=offer.limit.amount,
        outstanding_amount=offer.outstanding.amount, available_amount=offer.available.amount,
        eligible_amount=offer.eligible.amount, max_amount=offer.maximum.amount, fee_rate=offer.fee_rate,
        term_days=offer.term_days, terms=terms, fingerprint=offer.fingerprint(),
        expires_at=timezone.now() + timedelta(minutes=settings.FINANCE_OFFER_VALIDITY_MINUTES))


def advance_accept(*, user, offer_id: int, amount: Money) -> Advance:
    """Take `amount` of an offer: checked again under the seller's credit-line lock (an expired,
    accepted or changed offer is refused), paid out through the payment provider less its fee, and
    booked as the seller's receivable. A refusal changes nothing."""
    company = _verified_seller(user)
    with transaction.atomic():
        CreditLine.objects.select_for_update().filter(company_id=company.pk).first()
        offer = AdvanceOffer.objects.select_for_update().filter(pk=offer_id, company_id=company.pk).first()
        if offer is None:
            raise NotFound("No such offer.", field="offer")
        if offer.accepted_at is not None:
            raise Conflict(f"This offer was accepted already (advance {offer.advance.reference}).",
                           code="already_accepted", field="offer")
        if offer.expires_at <= timezone.now():
            raise Conflict("This offer has expired: ask for a new one.", code="offer_expired", field="offer")
        try:
            current, _orders, _facts = _offer_now(company=company, order_ids=[o["id"] for o in offer.terms["orders"]])
        except ApplicationError as exc:
            raise Conflict(f"The terms changed since the offer: {exc.message} Ask for a new offer.",
                           code="offer_changed", field="offer") from exc
        if current.fingerprint() != offer.fingerprint:
            raise Conflict("The terms changed since the offer (your limit or an order's state): ask for a new one.",
                           code="offer_changed", field="offer")
        check_advance_amount(amount, current)
        fee = advance_fee(amount, current.fee_rate)
        provider = payment_provider()
        now = timezone.now()
        advance = Advance.objects.create(
            offer=offer, company_id=company.pk, created_by=user, currency=amount.currency, amount=amount.amount,
            fee_amount=fee.amount, disbursed_amount=(amount - fee).amount, provider=provider.name,
            due_at=now + timedelta(days=current.term_days))
        PledgedOrder.objects.bulk_create(
            PledgedOrder(advance=advance, order_reference=o.reference, stage=o.stage.value, base_amount=o.base.amount,
                         rate=o.rate, eligible_amount=o.eligible.amount) for o in current.orders)
        ledger_post(kind="advance_paid_out", reference=advance.reference,
                    entries=disbursement_entries(company_id=company.pk, amount=amount, fee=fee,
                                                 cash_account=PROVIDER_CASH),
                    memo=f"{amount} advanced, fee {fee}, to {company.legal_name}"[:300])
        # money last: a refusal by the provider rolls everything back
        advance.provider_id = seller_transfer(
            provider_name=provider.name, company_id=company.pk, amount=amount - fee, transfer_group=advance.reference,
            reference=advance.reference, idempotency_key=f"advance:{advance.reference}")
        advance.save(update_fields=["provider_id"])
        AdvanceEvent.objects.create(advance=advance, kind=AdvanceEvent.Kind.PAID_OUT, amount=(amount - fee).amount,
                                    currency=amount.currency, note=f"fee {fee}")
        offer.accepted_at = now
        offer.save(update_fields=["accepted_at"])
    return advance


def _set_status(advance: Advance, target: str) -> None:
    ADVANCE.check(advance.status, target)
    advance.status = target


def _reassess(advance: Advance, *, why: str) -> None:
    """Mark the locked advance at risk when what its unreleased orders would still release is less
    than it owes (a refund, a customs rejection, a release that did not cover it)."""
    if advance.outstanding.amount <= 0:
        advance.at_risk, advance.at_risk_reason = False, ""
        return
    from payments.selectors import escrowed, release_figures

    waiting = [p.order_reference for p in advance.orders.filter(released=False)]
    expected = Money.zero(advance.currency)
    for money in escrowed(references=waiting).values():
        if money.held.amount > 0 and not money.released:
            expected += release_figures(held=money.held, seller_currency=advance.currency).paid_out
    if expected < advance.outstanding:
        advance.at_risk = True
        advance.at_risk_reason = (f"{why} What its orders can still repay ({expected}) is less than is owed "
                                  f"({advance.outstanding}).")[:300]


def advance_repay_from_release(*, reference: str, company_id: int, payout: Money) -> Money:
    """An order's escrow is being released (inside escrow_release's transaction): if the order is
    pledged, its advance is repaid first from the seller's payout, then the seller's other overdue or
    at-risk advances, oldest first. Returns what was kept of the payout, posted to the ledger."""
    pledge = PledgedOrder.objects.select_for_update().filter(order_reference=reference).first()
    if pledge is None or pledge.released:
        return Money.zero(payout.currency)
    owing = list(Advance.objects.select_for_update().filter(
        company_id=company_id, currency=payout.currency, status__in=selectors.OWING).order_by("created_at", "id"))
    first = [a for a in owing if a.pk == pledge.advance_id]
    others = [a for a in owing if a.pk != pledge.advance_id and (a.at_risk or a.status == Advance.Status.OVERDUE)]
    debts = first + others
    parts = allocate_repayment(available=payout, outstanding=[a.outstanding for a in debts])
    kept = sum(parts, Money.zero(payout.currency))
    pledge.released = True
    pledge.repaid_amount = parts[0].amount if first else 0
    pledge.save(update_fields=["released", "repaid_amount"])
    if kept.amount > 0:
        ledger_post(kind="advance_repaid", reference=reference,
                    entries=repayment_entries(company_id=company_id, repaid=kept,
                                              payable_account=seller_payable(company_id)),
                    memo=", ".join(f"{a.reference} {p}" for a, p in zip(debts, parts, strict=True) if p.amount > 0))
    for advance, part in zip(debts, parts, strict=True):
        if part.amount > 0:
            advance.repaid_amount += part.amount
            AdvanceEvent.objects.create(advance=advance, kind=AdvanceEvent.Kind.REPAID, order_reference=reference,
                                        amount=part.amount, currency=part.currency)
        if advance.outstanding.amount <= 0:
            _set_status(advance, Advance.Status.REPAID)
        _reassess(advance, why=f"Order {reference} was released.")
        advance.save(update_fields=["repaid_amount", "status", "at_risk", "at_risk_reason", "updated_at"])
    return kept


def advance_source_reduced(*, reference: str, amount: Money, reason: str) -> None:
    """A pledged order was refunded (in part, or in full when customs rejected it): its release will
    repay less. What is owed stays owed; the advance is marked at risk when its orders no longer cover it."""
    pledge = PledgedOrder.objects.filter(order_reference=reference, released=False).first()
    if pledge is None:
        return
    advance = Advance.objects.select_for_update().get(pk=pledge.advance_id)
    if advance.status == Advance.Status.REPAID:
        return
    AdvanceEvent.objects.create(advance=advance, kind=AdvanceEvent.Kind.SOURCE_REDUCED, order_reference=reference,
                                amount=amount.amount, currency=amount.currency, note=reason[:300])
    _reassess(advance, why=f"Order {reference} was refunded {amount}: {reason}"[:150])
    advance.save(update_fields=["at_risk", "at_risk_reason", "updated_at"])


def advances_mark_overdue(*, now=None) -> int:
    """Beat: advances past their due date with something owed become overdue, once each."""
    now = now or timezone.now()
    marked = 0
    for advance_id in Advance.objects.filter(status=Advance.Status.ACTIVE, due_at__lt=now).values_list(
            "pk", flat=True)[:500]:
        with transaction.atomic():
            advance = Advance.objects.select_for_update().get(pk=advance_id)
            if advance.status != Advance.Status.ACTIVE or advance.due_at >= now:
                continue
            _set_status(advance, Advance.Status.OVERDUE)
            advance.save(update_fields=["status", "updated_at"])
            AdvanceEvent.objects.create(advance=advance, kind=AdvanceEvent.Kind.OVERDUE,
                                        amount=advance.outstanding.amount, currency=advance.currency,
                                        note=f"due {advance.due_at:%Y-%m-%d}")
            marked += 1
    return marked
