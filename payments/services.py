"""Writes that move money. Each is one transaction; rows whose money moves are locked first."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.money import Money
from payments.integrations import stripe_gateway
from payments.integrations.providers import payment_provider
from payments.models import (
    LedgerEntry,
    LedgerTransaction,
    Payment,
    PaymentAllocation,
    Payout,
    ProviderEvent,
    SellerAccount,
)
from payments.signals import payment_failed, payment_refunded, payment_succeeded, payout_made

ESCROW = "escrow"
PROVIDER_CASH = "provider_cash"
PLATFORM_FEES = "platform_fees"
FX_CONVERSION = "fx_conversion"


def seller_payable(company_id: int) -> str:
    return f"seller_payable:{company_id}"


def duties_payable(country: str) -> str:
    return f"duties_payable:{country}"


# Duties and taxes the platform pays itself when the authority assessed more than the buyer paid and the
# policy (DUTY_SHORTFALL_POLICY) is that the platform absorbs it: an expense.
DUTY_SHORTFALL_ABSORBED = "duty_shortfall_absorbed"


def vat_payable(scheme: str, country: str) -> str:
    """VAT collected at the sale under a special scheme (IOSS, UK), owed by the platform's own return."""
    return f"vat_payable:{scheme}:{country}"


def carrier_receivable(carrier: str) -> str:
    """Duties a carrier collected at the door (DAP) and owes the platform."""
    return f"carrier_receivable:{carrier}"


def ledger_post(*, kind: str, reference: str, entries: list[tuple], memo: str = "") -> LedgerTransaction:
    """Post one balanced transaction. Refuses entries that do not sum to zero per currency.
    An entry is (account, Money), or (account, Money, order reference) when the transaction
    covers several orders; otherwise the entry is for the transaction's reference."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for _, money, *_ref in entries:
        totals[money.currency] += money.rounded().amount
    unbalanced = {cur: total for cur, total in totals.items() if total != 0}
    if unbalanced:
        raise ApplicationError(f"Ledger transaction does not balance: {unbalanced}", code="unbalanced")
    with transaction.atomic():
        txn = LedgerTransaction.objects.create(kind=kind, reference=reference, memo=memo)
        LedgerEntry.objects.bulk_create(
            LedgerEntry(transaction=txn, account=account, amount=money.rounded().amount, currency=money.currency,
                        reference=ref[0] if ref else reference)
            for account, money, *ref in entries
            if not money.rounded().is_zero()
        )
    return txn


@dataclass(frozen=True)
class Share:
    """One seller order's part of a checkout's payment."""

    reference: str  # the order
    company_id: int  # its seller
    total: Money
    duties: Money  # the part of `total` owed to customs (DDP)


def _check_shares(shares: list[Share]) -> Money:
    if not shares:
        raise ApplicationError("A payment covers at least one order.", code="invalid_amount", field="amount")
    currency = shares[0].total.currency
    if any(share.total.currency != currency or share.duties.currency != currency for share in shares):
        raise ApplicationError("One payment is in one currency.", code="currency_mismatch", field="currency")
    if any(share.total.amount <= 0 for share in shares):
        raise ApplicationError("A payment must be for a positive amount.", code="invalid_amount", field="amount")
    return sum((share.total.rounded() for share in shares), Money.zero(currency))


def payment_create(*, reference: str, buyer, shares: list[Share], destination: str, idempotency_key: str) -> Payment:
    """Create the one payment for a checkout (a PaymentIntent with Stripe) with each order's
    share, or return the one this key already made."""
    total = _check_shares(shares)
    with transaction.atomic():
        existing = Payment.objects.select_for_update().filter(idempotency_key=idempotency_key).first()
        if existing:
            if existing.reference != reference or existing.total != total:
                raise Conflict("This idempotency key was used for a different payment.", code="idempotency_conflict")
            return existing
        provider = payment_provider()
        intent = provider.intent_create(amount=total, reference=reference, idempotency_key=idempotency_key)
        payment = Payment.objects.create(
            reference=reference, buyer=buyer, amount=total.amount, currency=total.currency,
            duties_amount=sum(share.duties.rounded().amount for share in shares), destination=destination,
            provider=provider.name, provider_id=intent.id, client_secret=intent.client_secret,
            idempotency_key=idempotency_key,
        )
        PaymentAllocation.objects.bulk_create(
            PaymentAllocation(payment=payment, reference=share.reference, company_id=share.company_id,
                              amount=share.total.rounded().amount, duties_amount=share.duties.rounded().amount)
            for share in shares)
        return payment


def payment_reprice(*, payment_id: int, shares: list[Share], destination: str) -> Payment:
    """A re-quoted checkout: the unpaid payment (and its PaymentIntent) takes the new figures."""
    total = _check_shares(shares)
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status not in (Payment.Status.REQUIRES_PAYMENT_METHOD, Payment.Status.FAILED):
            raise Conflict("This payment can no longer change.", code="invalid_transition")
        allocations = {a.reference: a for a in payment.allocations.select_for_update()}
        if set(allocations) != {share.reference for share in shares}:
            raise Conflict("A re-quote covers the same orders.", code="invalid_shares")
        if total != payment.total:
            payment_provider(payment.provider).intent_reprice(intent_id=payment.provider_id, amount=total)
        for share in shares:
            allocation = allocations[share.reference]
            allocation.amount, allocation.duties_amount = share.total.rounded().amount, share.duties.rounded().amount
            allocation.save(update_fields=["amount", "duties_amount"])
        payment.amount, payment.currency, payment.destination = total.amount, total.currency, destination
        payment.duties_amount = sum(share.duties.rounded().amount for share in shares)
        payment.save(update_fields=["amount", "currency", "destination", "duties_amount", "updated_at"])
        return payment


def payment_confirm(*, payment_id: int, buyer, card_number: str = "", payment_method: str = "",
                    amount: Money | None = None) -> Payment:
    """Confirm with a card (sandbox: its number; Stripe: a PaymentMethod id), for `amount` when
    given (a re-quote may have changed the payment since the buyer saw it). Succeeding captures the
    money into escrow, once; a replayed confirmation changes nothing."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id).first()
        if payment is None or payment.buyer_id != buyer.pk:
            raise NotFound("No such payment.")
        if payment.status == Payment.Status.SUCCEEDED:
            return payment
        if payment.status == Payment.Status.CANCELED:
            raise Conflict("This payment was cancelled.", code="payment_canceled")
        if amount is not None and amount.rounded() != payment.total:
            raise Conflict("The total changed while you were paying: reload the page.", code="total_mismatch",
                           field="amount")
        intent = payment_provider(payment.provider).intent_confirm(
            intent_id=payment.provider_id, card_number=card_number, payment_method=payment_method)
        payment.card_last4 = intent.last4
        _apply_provider_status(payment, intent.status, intent.failure_reason)
        return payment


def payment_sync(*, payment_id: int) -> Payment:
    """Take the provider's word for the payment's state (after 3-D Secure, or on a webhook)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment_id)
        if payment.status != Payment.Status.SUCCEEDED:
            intent = payment_provider(payment.provider).intent_retrieve(intent_id=payment.provider_id)
            if intent is not None:
                _apply_provider_status(payment, intent.status, intent.failure_reason)
        return payment


# Stripe's PaymentIntent statuses, as ours. Anything not listed (processing...) waits for a webhook.
PROVIDER_STATUS = {
    "succeeded": Payment.Status.SUCCEEDED,
    "requires_action": Payment.Status.REQUIRES_ACTION,
    "failed": Payment.Status.FAILED,
    "canceled": Payment.Status.CANCELED,
}


def _apply_provider_status(payment: Payment, provider_status: str, failure_reason: str = "") -> None:
    """Move the locked payment to what the provider says, never back from succeeded."""
    status = PROVIDER_STATUS.get(provider_status)
    if provider_status == "requires_payment_method" and failure_reason:
        status = Payment.Status.FAILED  # declined: the buyer may try another card
    if status is None or payment.status == Payment.Status.SUCCEEDED or status == payment.status:
        return
    payment.status = status
    payment.failure_reason = failure_reason[:300]
    payment.save(update_fields=["status", "failure_reason", "card_last4", "updated_at"])
    if status == Payment.Status.SUCCEEDED:
        _capture(payment)
    elif status == Payment.Status.FAILED:
        payment_failed.send(sender=Payment, payment=payment)


def payment_authenticate(*, payment_id: int, buyer, approve: bool) -> Payment:
    """The buyer's answer to the sandbox's 3-D Secure challenge (Stripe runs its own)."""
    with transaction.atomic():
        payment = Payment.objects.select_for_update().filter(pk=payment_id, buyer=buyer).first()
        if payment is None:
            raise NotFound("No such payment.")
        if payment.status != Payment.Status.REQUIRES_ACTION or payment.provider != "sandbox":
            raise Conflict("This payment is not waiting for authentication.", code="invalid_transition")
        _apply_provider_status(payment, "succeeded" if approve else "failed",
                               "" if approve else "Authentication failed.")
        return payment


def _capture(payment: Payment) -> None:
    """One transaction for the checkout's one charge; escrow and duties are booked per order."""
    entries: list[tuple] = [(PROVIDER_CASH, payment.total)]
    for allocation in payment.allocations.all():
        duties = Money(allocation.duties_amount, payment.currency)
        entries += [(ESCROW, -(allocation.total - duties), allocation.reference),
                    (duties_payable(payment.destination), -duties, allocation.reference)]
    ledger_post(kind="payment_captured", reference=payment.reference, entries=entries,
                memo=f"{payment.provider} {payment.provider_id}")
    payment_succeeded.send(sender=Payment, payment=payment)


def _paid_allocation(reference: str) -> PaymentAllocation:
    """The order's share of a succeeded payment, locked with its payment."""
    allocation = PaymentAllocation.objects.select_for_update().select_related("payment").filter(
        reference=reference).first()
    if allocation is None or allocation.payment.status != Payment.Status.SUCCEEDED:
        raise Conflict("Nothing was paid for this order.", code="not_paid")
    return allocation


def escrow_release(*, reference: str, company_id: int, seller_currency: str) -> Payout:
    """Pay the seller what escrow holds for this order, minus the platform fee, in the seller's
    currency at the reference rate of the day, less what the apps above keep of it first (an
    advance's repayment, `escrow_releasing`). Refused while an app above holds the escrow back (an open
    dispute, `escrow_holding`). Safe to call twice: one payout."""
    from payments.selectors import escrow_hold_reasons, release_figures

    with transaction.atomic():
        allocation = _paid_allocation(reference)
        payment = allocation.payment
        existing = Payout.objects.filter(reference=reference).first()
        if existing:
            return existing
        if allocation.company_id != company_id:
            raise Conflict("This order was paid to another seller.", code="wrong_seller")
        held_back = escrow_hold_reasons(reference=reference)
        if held_back:
            raise Conflict(f"Escrow is frozen for this order: {held_back[0]}", code="escrow_frozen")
        held = allocation.escrow_held
        if held.amount <= 0:
            raise Conflict("Escrow holds nothing for this order.", code="nothing_held")
        figures = release_figures(held=held, seller_currency=seller_currency)
        fee, net, rate, paid_out = figures.fee, figures.net, figures.rate, figures.paid_out
        entries = [(ESCROW, held), (PLATFORM_FEES, -fee), (seller_payable(company_id), -paid_out)]
        if seller_currency != net.currency:
            # Conversion goes through the FX account so that each currency balances by itself.
            entries += [(FX_CONVERSION, -net), (FX_CONVERSION, paid_out)]
        ledger_post(kind="escrow_released", reference=reference, entries=entries,
                    memo=f"rate {rate.rate:.6f} {rate.base}->{rate.quote} of {rate.as_of}")
        kept = _kept_from_payout(reference=reference, company_id=company_id, payout=paid_out)
        to_seller = paid_out - kept
        transfer_id = ""
        if to_seller.amount > 0:
            # Separate charges and transfers: this seller's net share of the checkout's one charge, in its
            # currency (less the part kept, in proportion).
            transfer_id = seller_transfer(
                provider_name=payment.provider, company_id=company_id,
                amount=net if kept.is_zero() else Money(net.amount * to_seller.amount / paid_out.amount,
                                                        net.currency).rounded(),
                transfer_group=payment.reference, reference=reference, idempotency_key=f"transfer:{reference}")
        payout = Payout.objects.create(
            reference=reference, company_id=company_id, amount=to_seller.amount, currency=seller_currency,
            fee_amount=fee.amount, fee_currency=fee.currency, fx_rate=rate.rate.quantize(Decimal("1e-10")),
            fx_as_of=rate.as_of, status=Payout.Status.TRANSFERRED if transfer_id else Payout.Status.RECORDED,
            provider_id=transfer_id,
        )
        ledger_post(kind="payout", reference=reference, entries=[
            (seller_payable(company_id), to_seller), (PROVIDER_CASH, -to_seller),
        ], memo=f"Stripe transfer {transfer_id}" if transfer_id else "sandbox payout recorded")
        transaction.on_commit(lambda: payout_made.send(sender=Payout, payout=payout), robust=True)
        return payout


def _kept_from_payout(*, reference: str, company_id: int, payout: Money) -> Money:
    """What the apps above keep of a payout (`escrow_releasing`): never more than all of it."""
    from payments.signals import escrow_releasing

    kept = Money.zero(payout.currency)
    for _receiver, part in escrow_releasing.send(sender=Payout, reference=reference, company_id=company_id,
                                                 payout=payout):
        if part is not None:
            kept += part
    if kept.amount < 0 or kept > payout:
        raise ApplicationError(f"Cannot keep {kept} of a payout of {payout}.", code="invalid_amount")
    return kept


def seller_transfer(*, provider_name: str, company_id: int, amount: Money, transfer_group: str, reference: str,
                    idempotency_key: str) -> str:
    """Send a seller money through the provider, when it pays out itself (Stripe Connect: to the
    seller's account, which must have finished onboarding). Returns the transfer id, or "" when the
    platform records the payout (sandbox)."""
    provider = payment_provider(provider_name)
    if not provider.pays_out:
        return ""
    account = SellerAccount.objects.filter(company_id=company_id, payouts_enabled=True).first()
    if account is None:
        raise Conflict("The seller has not finished Stripe onboarding.", code="seller_not_onboarded")
    return provider.transfer(amount=amount, destination=account.stripe_account_id, transfer_group=transfer_group,
                             reference=reference, idempotency_key=idempotency_key)


def payment_refund(*, reference: str, amount: Money | None = None, reason: str, actor=None) -> Payment:
    """Return an order's share to the buyer: all that remains of it when `amount` is None. A
    partial refund of the checkout's one charge; refunds add up and never exceed the share."""
    with transaction.atomic():
        allocation = _paid_allocation(reference)
        payment = allocation.payment
        if Payout.objects.filter(reference=reference).exists():
            raise Conflict("The seller has already been paid for this order.", code="already_paid_out")
        remaining = Money(allocation.amount - allocation.refunded_amount, payment.currency)
        refund = (amount or remaining).rounded()
        if refund.currency != payment.currency:
            raise ApplicationError("Refund in the currency that was paid.", code="currency_mismatch", field="currency")
        if refund.amount <= 0 or refund > remaining:
            raise ApplicationError(f"You can refund at most {remaining}.", code="invalid_amount", field="amount")
        # Duties collected are returned in proportion to what remains of them (a duty refund may have returned
        # some already); the rest comes out of escrow. The last refund returns exactly the duties left.
        duties_left = allocation.duties_amount - allocation.refunded_duties_amount
        duties_share = Money(max(duties_left, Decimal(0)) * refund.amount / remaining.amount, payment.currency).rounded()
        count = LedgerTransaction.objects.filter(kind__startswith="refund", reference=reference).count()
        # money first; a failure rolls the ledger back
        payment_provider(payment.provider).refund(intent_id=payment.provider_id, amount=refund,
                                                  idempotency_key=f"refund:{reference}:{count + 1}")
        ledger_post(kind=f"refund#{count + 1}", reference=reference, entries=[
            (ESCROW, refund - duties_share), (duties_payable(payment.destination), duties_share), (PROVIDER_CASH, -refund),
        ], memo=reason[:300])
        allocation.refunded_amount += refund.amount
        allocation.refunded_duties_amount += duties_share.amount
        allocation.save(update_fields=["refunded_amount", "refunded_duties_amount"])
        payment.refunded_amount += refund.amount
        payment.save(update_fields=["refunded_amount", "updated_at"])
        payment_refunded.send(sender=Payment, reference=reference, amount=refund, reason=reason, actor=actor,
                              in_full=allocation.refunded_amount == allocation.amount)
        return payment


# --- duties: the authority's assessment settled with the buyer, the seller and the authority -----------------

def _duty_money(allocation: PaymentAllocation, amount: Money, *, field: str = "amount") -> Money:
    amount = amount.rounded()
    if amount.currency != allocation.payment.currency:
        raise ApplicationError("Give the amount in the currency that was paid.", code="currency_mismatch", field=field)
    if amount.amount <= 0:
        raise ApplicationError("The amount must be above zero.", code="invalid_amount", field=field)
    return amount


def duties_refund_overcollected(*, reference: str, amount: Money, reason: str) -> Payment:
    """Give the buyer back duties collected above what the authority assessed: all of it from what is
    owed to customs (`duties_payable`), none from escrow, even after the seller was paid. Once per order
    (the ledger has one `duty_refund` per order): a second call returns without refunding."""
    with transaction.atomic():
        allocation = _paid_allocation(reference)
        payment = allocation.payment
        if LedgerTransaction.objects.filter(kind="duty_refund", reference=reference).exists():
            return payment
        refund = _duty_money(allocation, amount)
        remaining = Money(allocation.amount - allocation.refunded_amount, payment.currency)
        if refund > remaining:
            raise ApplicationError(f"You can refund at most {remaining}.", code="invalid_amount", field="amount")
        payment_provider(payment.provider).refund(intent_id=payment.provider_id, amount=refund,
                                                  idempotency_key=f"duty-refund:{reference}")
        ledger_post(kind="duty_refund", reference=reference, entries=[
            (duties_payable(payment.destination), refund), (PROVIDER_CASH, -refund)], memo=reason[:300])
        allocation.refunded_amount += refund.amount
        allocation.refunded_duties_amount += refund.amount
        allocation.save(update_fields=["refunded_amount", "refunded_duties_amount"])
        payment.refunded_amount += refund.amount
        payment.save(update_fields=["refunded_amount", "updated_at"])
        payment_refunded.send(sender=Payment, reference=reference, amount=refund, reason=reason, actor=None,
                              in_full=False)
        return payment


def duties_shortfall_cover(*, reference: str, amount: Money, payer: str, memo: str = "") -> str:
    """The authority assessed `amount` more than the buyer paid: the platform absorbs it (an expense) or
    the seller pays it out of the order's escrow (what the seller is paid shrinks by as much). Once per
    order. Returns who paid: "platform" or "seller" (a seller already paid out cannot: the platform pays)."""
    if payer not in ("platform", "seller"):
        raise ApplicationError("The payer is the platform or the seller.", code="invalid_payer", field="payer")
    with transaction.atomic():
        allocation = _paid_allocation(reference)
        payment = allocation.payment
        done = LedgerTransaction.objects.filter(kind="duty_shortfall", reference=reference).first()
        if done is not None:
            return "seller" if done.entries.filter(account=ESCROW).exists() else "platform"
        shortfall = _duty_money(allocation, amount)
        if payer == "seller" and (Payout.objects.filter(reference=reference).exists()
                                  or allocation.escrow_held < shortfall):
            payer = "platform"
        source = ESCROW if payer == "seller" else DUTY_SHORTFALL_ABSORBED
        ledger_post(kind="duty_shortfall", reference=reference, entries=[
            (source, shortfall), (duties_payable(payment.destination), -shortfall)], memo=memo[:300])
        if payer == "seller":
            allocation.duties_amount += shortfall.amount  # escrow now owes this much more to customs
            allocation.save(update_fields=["duties_amount"])
        return payer


def duties_collected_at_door(*, reference: str, destination: str, amount: Money, carrier: str) -> bool:
    """A carrier collected the buyer's duties at the door (DAP): it owes them to the platform, the platform
    to customs. Once per order; returns whether it was recorded now."""
    with transaction.atomic():
        if LedgerTransaction.objects.filter(kind="duties_at_door", reference=reference).exists():
            return False
        if amount.amount < 0:
            raise ApplicationError("A carrier cannot collect less than nothing.", code="invalid_amount",
                                   field="amount")
        ledger_post(kind="duties_at_door", reference=reference, entries=[
            (carrier_receivable(carrier), amount), (duties_payable(destination), -amount)],
            memo=f"collected at the door by {carrier}")
        return True


def vat_at_sale_record(*, reference: str, destination: str, scheme: str, amount: Money) -> bool:
    """VAT charged at the sale under `scheme` (IOSS, UK) leaves what is owed to customs at the border for
    what the platform's own VAT return owes. Once per order; returns whether it was recorded now."""
    with transaction.atomic():
        if LedgerTransaction.objects.filter(kind="vat_at_sale", reference=reference).exists():
            return False
        ledger_post(kind="vat_at_sale", reference=reference, entries=[
            (duties_payable(destination), amount), (vat_payable(scheme, destination), -amount)],
            memo=f"VAT collected at the sale under {scheme}")
        return True


def duties_settled(*, reference: str, destination: str, currency: str, lines: list[tuple[str, Decimal]],
                   memo: str = "") -> LedgerTransaction:
    """The platform paid customs of `destination` what it owed for these orders (`lines`: order reference,
    amount): `duties_payable` goes down by as much, order by order, and so does the provider's cash.
    Once per settlement `reference`."""
    with transaction.atomic():
        done = LedgerTransaction.objects.filter(kind="duty_settlement", reference=reference).first()
        if done is not None:
            return done
        total = Money(sum((amount for _, amount in lines), Decimal(0)), currency)
        entries = [(duties_payable(destination), Money(amount, currency), order) for order, amount in lines]
        return ledger_post(kind="duty_settlement", reference=reference, entries=[*entries, (PROVIDER_CASH, -total)],
                           memo=memo[:300])


def payment_refund_by_staff(*, staff, reference: str, reason: str, amount: Money | None = None) -> Payment:
    """A finance officer refunds (part of) an order's share; the audit trail says who, how much and why."""
    from ewtp import roles
    from ewtp.audit import staff_action_record

    if not staff.has_perm(roles.REFUND_PAYMENT):
        raise PermissionDenied("Only finance staff refund payments.")
    with transaction.atomic():
        before = _paid_allocation(reference).refunded_amount
        payment = payment_refund(reference=reference, amount=amount, reason=reason, actor=staff)
        refunded = PaymentAllocation.objects.get(payment=payment, reference=reference).refunded_amount - before
        staff_action_record(actor=staff, action="payment.refund", target=f"order {reference}",
                            amount=refunded, currency=payment.currency, payment=payment.reference, reason=reason)
    return payment


def payment_cancel(*, reference: str) -> None:
    """An order of the checkout was cancelled unpaid: the checkout can no longer be paid as quoted."""
    Payment.objects.filter(allocations__reference=reference).exclude(status=Payment.Status.SUCCEEDED).update(
        status=Payment.Status.CANCELED)


# --- reference data -------------------------------------------------------------------------

def reference_datasets():
    from payments.integrations import ecb, sbv

    files = sorted(ecb.SHIPPED_DATA_DIR.glob("eurofxref-*.xml")) + [sbv.SHIPPED_FILE]
    return [("payments.fx_rates", files, fx_snapshots_store)]


def fx_refresh(source: str) -> str:
    """Load ECB reference rates from `source`, a path or an http(s) URL of a daily or history file; a file
    that is not exactly the ECB's shape changes nothing (`ecb.parse_ecb_xml`)."""
    from pathlib import Path

    from payments.integrations import ecb

    data = ecb.fetch(source) if source.startswith(("https://", "http://")) else Path(source).read_bytes()
    return fx_snapshots_store(ecb.parse_ecb_xml(data))


def fx_snapshots_store(snapshots=None) -> str:
    """Store ECB snapshots (the shipped files by default) as the shared reference rates.

    Currencies the ECB does not quote (VND) are added to each ECB day from the shipped
    USD-quoted file (`payments.integrations.sbv`), crossed through that day's ECB USD rate;
    the rate set's source then names both publishers and dates."""
    from ewtp.fx import fx_rates_store
    from payments.integrations import ecb, sbv

    snapshots = snapshots if snapshots is not None else ecb.load_shipped_snapshots()
    usd_quoted = sbv.load_shipped_rates()
    for snapshot in snapshots:
        rates, source = dict(snapshot.rates_per_eur), ecb.SOURCE_NAME
        if "USD" in rates:
            extra, notes = sbv.cross_rates_per_eur(usd_quoted, on=snapshot.as_of, usd_per_eur=rates["USD"])
            extra = {currency: rate for currency, rate in extra.items() if currency not in rates}
            if extra:
                rates.update(extra)
                source = f"{source}; " + "; ".join(note for note in notes if note.split(":")[0] in extra)
        # The source names the publisher; the date is the rate set's own field.
        fx_rates_store(as_of=snapshot.as_of, rates_per_eur=rates, source=source)
    days = ", ".join(s.as_of.isoformat() for s in snapshots)
    return f"{len(snapshots)} ECB reference-rate day(s): {days}"


# --- provider webhooks ------------------------------------------------------------------------

def provider_event_receive(*, payload: bytes, signature: str) -> ProviderEvent | None:
    """Verify a Stripe webhook and store it once; processing runs on a worker. Returns None for
    a replay of an event already received."""
    from payments.tasks import provider_event_process

    try:
        event = stripe_gateway.construct_event(payload=payload, signature=signature)
    except stripe_gateway.GatewayError as exc:
        raise ApplicationError(exc.message, code=exc.code, field="Stripe-Signature") from exc
    with transaction.atomic():
        stored, created = ProviderEvent.objects.get_or_create(
            provider="stripe", event_id=event["id"], defaults={"type": event.get("type", ""), "payload": event})
        if not created:
            return None
        transaction.on_commit(lambda: provider_event_process.delay(stored.pk))
    return stored


PAYMENT_EVENTS = {"payment_intent.succeeded", "payment_intent.payment_failed", "payment_intent.requires_action",
                  "payment_intent.canceled"}


def provider_event_process(*, event_pk: int) -> None:
    """Apply one stored event, once. Events may arrive in any order: the payment is synced to
    the provider's current state rather than to what the event said at the time."""
    with transaction.atomic():
        event = ProviderEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at:
            return
        if event.type in PAYMENT_EVENTS:
            intent_id = event.payload.get("data", {}).get("object", {}).get("id", "")
            payment = Payment.objects.filter(provider="stripe", provider_id=intent_id).first()
            if payment:
                payment_sync(payment_id=payment.pk)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])


# --- Stripe Connect ---------------------------------------------------------------------------

def seller_account_onboarding_link(*, company_id: int, country: str, email: str, return_url: str,
                                   refresh_url: str) -> str:
    """The Stripe-hosted onboarding page for a seller (its Express account is made once)."""
    with transaction.atomic():
        account = SellerAccount.objects.select_for_update().filter(company_id=company_id).first()
        if account is None:
            created = stripe_gateway.create_express_account(country=country, email=email, company_id=company_id)
            account = SellerAccount.objects.create(company_id=company_id, stripe_account_id=created.id)
    return stripe_gateway.onboarding_link(account_id=account.stripe_account_id, return_url=return_url,
                                          refresh_url=refresh_url)


def seller_account_refresh(*, company_id: int) -> SellerAccount | None:
    """Ask Stripe whether the seller finished onboarding (on return from it, or account.updated)."""
    account = SellerAccount.objects.filter(company_id=company_id).first()
    if account is None:
        return None
    remote = stripe_gateway.retrieve_account(account_id=account.stripe_account_id)
    account.details_submitted, account.payouts_enabled = remote.details_submitted, remote.payouts_enabled
    account.save(update_fields=["details_submitted", "payouts_enabled", "updated_at"])
    return account
