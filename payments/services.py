"""Writes that move money. Each is one transaction; rows whose money moves are locked first."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.fx import fx_table
from ewtp.money import Money
from payments.integrations import sandbox
from payments.models import LedgerEntry, LedgerTransaction, Payment, Payout
from payments.signals import payment_failed, payment_succeeded

ESCROW = "escrow"
PROVIDER_CASH = "provider_cash"
PLATFORM_FEES = "platform_fees"
FX_CONVERSION = "fx_conversion"


def seller_payable(company_id: int) -> str:
    return f"seller_payable:{company_id}"


def duties_payable(country: str) -> str:
    return f"duties_payable:{country}"


def ledger_post(*, kind: str, reference: str, entries: list[tuple[str, Money]], memo: str = "") -> LedgerTransaction:
    """Post one balanced transaction. Refuses entries that do not sum to zero per currency."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _, money in entries:
        totals[money.currency] += money.rounded().amount
    unbalanced = {cur: total for cur, total in totals.items() if total != 0}
    if unbalanced:
        raise ApplicationError(f"Ledger transaction does not balance: {unbalanced}", code="unbalanced")
    with transaction.atomic():
        txn = LedgerTransaction.objects.create(kind=kind, reference=reference, memo=memo)
        LedgerEntry.objects.bulk_create(
            LedgerEntry(transaction=txn, account=account, amount=money.rounded().amount, currency=money.currency)
            for account, money in entries
            if not money.rounded().is_zero()
        )
    return txn


def payment_create(*, reference: str, buyer, total: Money, duties: Money, destination: str,
                   idempotency_key: str) -> Payment:
    """Create the payment for an order, or return the one this key already made."""
    if total.amount <= 0:
        raise ApplicationError("A payment must be for a positive amount.", code="invalid_amount", field="amount")
    with transaction.atomic():
        existing = Payment.objects.select_for_update().filter(idempotency_key=idempotency_key).first()
        if existing:
            if existing.reference != reference or existing.total != total.rounded():
                raise Conflict("This idempotency key was used for a different payment.", code="idempotency_conflict")
            return existing
        return Payment.objects.create(
            reference=reference, buyer=buyer, amount=total.rounded().amount, currency=total.currency,
            duties_amount=duties.rounded().amount, destination=destination, provider=settings.PAYMENT_PROVIDER,
            provider_id=sandbox.intent_id(idempotency_key), idempotency_key=idempotency_key,
        )


def payment_confirm(*, payment_id: int, buyer, card_number: str) -> Payment:
    """Confirm with a card (sandbox). Succeeding captures the money into escrow, once."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None or payment.buyer_id != buyer.pk:
            raise NotFound("No such payment.")
        if payment.status == Payment.Status.SUCCEEDED:
            return payment  # a replayed confirmation changes nothing
        if payment.status == Payment.Status.CANCELED:
            raise Conflict("This payment was cancelled.", code="payment_canceled")
        result = sandbox.confirm(card_number)
        payment.card_last4 = result.last4
        payment.status = result.status
        payment.failure_reason = result.failure_reason
        payment.save(update_fields=["card_last4", "status", "failure_reason", "updated_at"])
        if result.status == Payment.Status.SUCCEEDED:
            _capture(payment)
        elif result.status == Payment.Status.FAILED:
            payment_failed.send(sender=Payment, payment=payment)
        return payment


def payment_authenticate(*, payment_id: int, buyer, approve: bool) -> Payment:
    """The buyer's answer to the 3-D Secure challenge (sandbox)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id, buyer=buyer).first()
        if payment is None:
            raise NotFound("No such payment.")
        if payment.status != Payment.Status.REQUIRES_ACTION:
            raise Conflict("This payment is not waiting for authentication.", code="invalid_transition")
        payment.status = Payment.Status.SUCCEEDED if approve else Payment.Status.FAILED
        payment.failure_reason = "" if approve else "Authentication failed."
        payment.save(update_fields=["status", "failure_reason", "updated_at"])
        if approve:
            _capture(payment)
        else:
            payment_failed.send(sender=Payment, payment=payment)
        return payment


def _capture(payment: Payment) -> None:
    total = payment.total
    duties = Money(payment.duties_amount, payment.currency)
    ledger_post(kind="payment_captured", reference=payment.reference, entries=[
        (PROVIDER_CASH, total),
        (ESCROW, -(total - duties)),
        (duties_payable(payment.destination), -duties),
    ], memo=f"{payment.provider} {payment.provider_id}")
    payment_succeeded.send(sender=Payment, payment=payment)


def escrow_release(*, reference: str, company_id: int, seller_currency: str) -> Payout:
    """Pay the seller what escrow holds for this reference, minus the platform fee, in the
    seller's currency at the reference rate of the day. Safe to call twice: one payout."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(reference=reference).first()
        if payment is None or payment.status != Payment.Status.SUCCEEDED:
            raise Conflict("Nothing was paid for this order.", code="not_paid")
        existing = Payout.objects.filter(reference=reference).first()
        if existing:
            return existing
        held = payment.escrow_held
        if held.amount <= 0:
            raise Conflict("Escrow holds nothing for this order.", code="nothing_held")
        fee = Money(held.amount * settings.PLATFORM_FEE_PERCENT / 100, held.currency).rounded()
        net = held - fee
        fx = fx_table()
        rate = fx.rate(net.currency, seller_currency)
        paid_out = fx.convert(net, seller_currency).rounded()
        entries = [(ESCROW, held), (PLATFORM_FEES, -fee), (seller_payable(company_id), -paid_out)]
        if seller_currency != net.currency:
            # Conversion goes through the FX account so that each currency balances by itself.
            entries += [(FX_CONVERSION, -net), (FX_CONVERSION, paid_out)]
        else:
            entries = [(ESCROW, held), (PLATFORM_FEES, -fee), (seller_payable(company_id), -net)]
        ledger_post(kind="escrow_released", reference=reference, entries=entries,
                    memo=f"rate {rate.rate:.6f} {rate.base}->{rate.quote} of {rate.as_of}")
        payout = Payout.objects.create(
            reference=reference, company_id=company_id, amount=paid_out.amount, currency=seller_currency,
            fee_amount=fee.amount, fee_currency=fee.currency, fx_rate=rate.rate.quantize(Decimal("1e-10")),
            fx_as_of=rate.as_of,
        )
        ledger_post(kind="payout", reference=reference, entries=[
            (seller_payable(company_id), paid_out), (PROVIDER_CASH, -paid_out),
        ], memo="sandbox payout recorded")
        return payout


def payment_refund(*, reference: str, amount: Money | None = None, reason: str) -> Payment:
    """Return money to the buyer: all that remains when `amount` is None. Once per reference
    for a full refund; partial refunds add up and can never exceed what was paid."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(reference=reference).first()
        if payment is None or payment.status != Payment.Status.SUCCEEDED:
            raise Conflict("Nothing was paid for this order.", code="not_paid")
        if Payout.objects.filter(reference=reference).exists():
            raise Conflict("The seller has already been paid for this order.", code="already_paid_out")
        remaining = Money(payment.amount - payment.refunded_amount, payment.currency)
        refund = (amount or remaining).rounded()
        if refund.currency != payment.currency:
            raise ApplicationError("Refund in the currency that was paid.", code="currency_mismatch", field="currency")
        if refund.amount <= 0 or refund > remaining:
            raise ApplicationError(f"You can refund at most {remaining}.", code="invalid_amount", field="amount")
        # Duties collected are returned first in proportion; the rest comes out of escrow.
        duties_share = Money(payment.duties_amount * refund.amount / payment.amount, payment.currency).rounded()
        count = LedgerTransaction.objects.filter(kind__startswith="refund", reference=reference).count()
        ledger_post(kind=f"refund#{count + 1}", reference=reference, entries=[
            (ESCROW, refund - duties_share), (duties_payable(payment.destination), duties_share), (PROVIDER_CASH, -refund),
        ], memo=reason[:300])
        payment.refunded_amount += refund.amount
        payment.refunded_duties_amount += duties_share.amount
        payment.save(update_fields=["refunded_amount", "refunded_duties_amount", "updated_at"])
        return payment


def payment_cancel(*, reference: str) -> None:
    Payment.objects.filter(reference=reference).exclude(status=Payment.Status.SUCCEEDED).update(
        status=Payment.Status.CANCELED)


def ensure_owner(payment: Payment, user) -> None:
    if payment.buyer_id != user.pk:
        raise PermissionDenied()


# --- reference data -------------------------------------------------------------------------

def reference_datasets():
    from payments.integrations import ecb

    files = sorted(ecb.SHIPPED_DATA_DIR.glob("eurofxref-*.xml"))
    return [("payments.fx_rates", files, fx_snapshots_store)]


def fx_snapshots_store(snapshots=None) -> str:
    """Store ECB snapshots (the shipped files by default) as the shared reference rates."""
    from ewtp.fx import fx_rates_store
    from payments.integrations import ecb

    snapshots = snapshots if snapshots is not None else ecb.load_shipped_snapshots()
    for snapshot in snapshots:
        # The source names the publisher; the date is the rate set's own field.
        fx_rates_store(as_of=snapshot.as_of, rates_per_eur=snapshot.rates_per_eur, source=ecb.SOURCE_NAME)
    days = ", ".join(s.as_of.isoformat() for s in snapshots)
    return f"{len(snapshots)} ECB reference-rate day(s): {days}"
