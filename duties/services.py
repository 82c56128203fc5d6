"""Duty settlement writes: each one transaction, the order row locked first (so that a replayed or
concurrent decision waits, finds what the first one did and does nothing).

- `duty_assessment_record`: the authority released a shipment: what it assessed beside what was collected
  (DDP at checkout, DAP at the door); an over-collection is refunded to the buyer, an under-collection is
  paid by the platform or the seller (settings.DUTY_SHORTFALL_POLICY); the ledger and the order's history say so.
- `settlement_run`: beat pays each authority, per currency, what it is owed for the shipments it released.
- `tax_invoice_issue`: VAT charged at the sale under IOSS or the UK scheme gets its invoice, and leaves
  what is owed at the border for what the platform's own VAT return owes.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from duties.domain.rules import POLICIES, settle_difference, vat_scheme
from duties.models import AuthoritySettlement, DutyAssessment, TaxInvoice
from ewtp.exceptions import ApplicationError, TransientError
from ewtp.money import Money

log = logging.getLogger(__name__)


def shortfall_policy() -> str:
    policy = getattr(settings, "DUTY_SHORTFALL_POLICY", "platform")
    if policy not in POLICIES:
        raise ApplicationError(f"DUTY_SHORTFALL_POLICY={policy!r}: use platform or seller.", code="invalid_policy",
                               field="DUTY_SHORTFALL_POLICY")
    return policy


def _locked_order(reference: str):
    from marketplace.domain.references import MalformedReference, parse_order_reference
    from marketplace.models import Order

    try:
        order_id = parse_order_reference(reference)
    except MalformedReference:
        return None
    return Order.objects.select_for_update().select_related("company").filter(pk=order_id).first()


def _note(order, note: str) -> None:
    from marketplace.models import OrderEvent

    OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, note=note[:500])


def _in_currency(money: Money, currency: str) -> Money:
    if money.currency == currency:
        return money.rounded()
    from ewtp.fx import fx_table

    return fx_table().convert(money, currency).rounded()


def at_sale_taxes(order) -> list:
    """The order's taxes charged at the sale (IOSS, UK): TaxLines of its locked quote."""
    return [tax for tax in order.snapshot.customs.taxes if tax.collected == "at_sale"]


def _collected(order, paid_duties: Money) -> Money | None:
    """What was collected for the border's duties and taxes: DDP, the duties paid at checkout less the VAT
    charged at the sale; DAP, what the carrier collected at the door (None until it has)."""
    from payments.selectors import account_totals_by_reference
    from payments.services import duties_payable

    currency = paid_duties.currency
    if order.incoterm == "DDP":
        at_sale = sum((_in_currency(tax.amount, currency).amount for tax in at_sale_taxes(order)), Decimal(0))
        return Money(max(paid_duties.amount - at_sale, Decimal(0)), currency)
    totals = account_totals_by_reference(account=duties_payable(order.ship_country), references=[order.reference],
                                         kind="duties_at_door")
    if not totals:
        return None
    return Money(-sum(totals.values(), Decimal(0)), currency)


def duty_assessment_record(*, reference: str) -> DutyAssessment | None:
    """Settle the authority's assessment of a released shipment with the buyer, once. None while there is
    nothing to settle: not an order, unpaid, refunded, not released yet, or (DAP) not delivered yet."""
    from customs.selectors import case_authority_assessment
    from payments.selectors import payment_duties_of
    from payments.services import duties_refund_overcollected, duties_shortfall_cover

    with transaction.atomic():
        order = _locked_order(reference)
        if order is None:
            return None
        existing = DutyAssessment.objects.filter(reference=reference).first()
        if existing is not None:
            return existing  # a replayed decision: settled already
        decision = case_authority_assessment(reference)
        paid = payment_duties_of(reference)
        if decision is None or paid is None or order.status in ("refunded", "cancelled"):
            return None
        share, paid_duties = paid
        collected = _collected(order, paid_duties)
        if collected is None:
            return None
        assessed = collected if decision.assessed is None else _in_currency(decision.assessed, share.currency)
        settling = settle_difference(collected=collected, assessed=assessed, policy=shortfall_policy())
        resolution, note = settling.resolution, f"Customs assessed {assessed} of duties and taxes due at the " \
                                                f"border; {collected} was collected for them ({order.incoterm}; VAT " \
                                                "charged at the sale is not among them)."
        if settling.refund is not None:
            duties_refund_overcollected(reference=reference, amount=settling.refund,
                                        reason=f"Duties over-collected: customs assessed {assessed}, {collected} "
                                               "was collected")
            note += f" The {settling.refund} over-collected is refunded to the buyer."
        elif settling.shortfall is not None:
            payer = duties_shortfall_cover(reference=reference, amount=settling.shortfall,
                                           payer="seller" if resolution == "charged_seller" else "platform",
                                           memo=f"customs assessed {assessed}, {collected} collected")
            resolution = "charged_seller" if payer == "seller" else "absorbed"
            note += (f" The {settling.shortfall} under-collected is paid by the "
                     f"{'seller, from the order’s escrow' if payer == 'seller' else 'platform'}.")
        else:
            note += " Nothing to settle with the buyer."
        assessment = DutyAssessment.objects.create(
            reference=reference, company_id=order.company_id, buyer_id=order.buyer_id,
            destination=decision.destination, incoterm=order.incoterm, currency=share.currency,
            collected_amount=collected.amount, assessed_amount=assessed.amount, mrn=decision.mrn,
            resolution=resolution)
        _note(order, note)
        return assessment


def duties_collected_on_delivery(*, reference: str, amount: Money, carrier: str) -> DutyAssessment | None:
    """A carrier reports the duties it collected at the buyer's door (DAP): the ledger owes them to customs
    and, the authority having released the goods, the difference with its assessment is settled."""
    from payments.services import duties_collected_at_door

    if amount.amount < 0:
        raise ApplicationError("A carrier cannot collect less than nothing.", code="invalid_amount", field="amount")
    with transaction.atomic():
        order = _locked_order(reference)
        if order is None or order.incoterm != "DAP":
            return None
        if duties_collected_at_door(reference=reference, destination=order.ship_country,
                                    amount=_in_currency(amount, order.currency), carrier=carrier):
            _note(order, f"{carrier} collected {amount} of duties and taxes at the door.")
        return duty_assessment_record(reference=reference)


# --- paying the authorities ---------------------------------------------------------------------------------

def settlement_run() -> list[str]:
    """Beat: pay every authority, per currency, what it is owed for the shipments it released and whose
    duties were settled with the buyer; pending settlements (a lost answer, an authority down) are paid
    again under their own reference. Returns the references paid now."""
    paid = [pk for pk in AuthoritySettlement.objects.filter(status="pending").values_list("pk", flat=True)
            if _settlement_pay(pk)]
    for destination, currency in (DutyAssessment.objects.filter(settlement__isnull=True, assessed_amount__gt=0)
                                  .values_list("destination", "currency").distinct().order_by()):
        settlement_id = _settlement_claim(destination=destination, currency=currency)
        if settlement_id is not None and _settlement_pay(settlement_id):
            paid.append(settlement_id)
    return list(AuthoritySettlement.objects.filter(pk__in=paid).values_list("reference", flat=True))


def _settlement_claim(*, destination: str, currency: str) -> int | None:
    """Claim the unsettled assessments of one authority and currency for a new settlement (another run
    claiming at the same time skips the rows this one holds)."""
    with transaction.atomic():
        claimed = list(DutyAssessment.objects.select_for_update(skip_locked=True).filter(
            settlement__isnull=True, assessed_amount__gt=0, destination=destination, currency=currency).order_by("pk"))
        if not claimed:
            return None
        settlement = AuthoritySettlement.objects.create(
            reference=f"DS-{destination}-{currency}-{claimed[0].pk:06d}", destination=destination,
            currency=currency, amount=sum((a.assessed_amount for a in claimed), Decimal(0)))
        DutyAssessment.objects.filter(pk__in=[a.pk for a in claimed]).update(settlement=settlement)
        return settlement.pk


def _settlement_pay(settlement_id: int) -> bool:
    """Pay a claimed settlement through the authority adapter (outside any transaction: it is a network
    call), then book it. The adapter deduplicates on the reference, so paying again after a lost answer
    pays once. Returns whether it is paid."""
    from customs.integrations.authority import AuthorityRefused
    from customs.services import authority_settle
    from payments.services import duties_settled

    settlement = AuthoritySettlement.objects.filter(pk=settlement_id, status="pending").first()
    if settlement is None:
        return False
    lines = list(settlement.assessments.order_by("pk").values_list("reference", "mrn", "assessed_amount"))
    try:
        receipt = authority_settle(reference=settlement.reference, destination=settlement.destination,
                                   currency=settlement.currency, amount=settlement.amount, lines=lines)
    except (TransientError, AuthorityRefused) as error:  # left pending: the next run pays it again
        AuthoritySettlement.objects.filter(pk=settlement_id).update(attempts=settlement.attempts + 1,
                                                                    last_error=str(error)[:500])
        log.warning("duty settlement %s not paid yet: %s", settlement.reference, error)
        return False
    with transaction.atomic():
        settlement = AuthoritySettlement.objects.select_for_update().get(pk=settlement_id)
        if settlement.status == "paid":
            return True
        duties_settled(reference=settlement.reference, destination=settlement.destination,
                       currency=settlement.currency, lines=[(ref, amount) for ref, _mrn, amount in lines],
                       memo=f"paid to the customs authority of {settlement.destination}: {receipt}")
        settlement.status, settlement.payment_reference = "paid", receipt
        settlement.paid_at, settlement.attempts, settlement.last_error = timezone.now(), settlement.attempts + 1, ""
        settlement.save()
    return True


# --- tax invoices -------------------------------------------------------------------------------------------

def scheme_vat_number(scheme: str) -> str:
    return (settings.CUSTOMS_IOSS_NUMBER if scheme == "IOSS" else getattr(settings, "UK_VAT_NUMBER", "")).strip()


def tax_invoices_for_payment(*, payment_id: int) -> list[str]:
    """Issue the tax invoices of a succeeded payment's orders (those that charged VAT at the sale): their numbers."""
    from payments.selectors import payment_order_references

    invoices = [tax_invoice_issue(reference=reference) for reference in payment_order_references(payment_id)]
    return [invoice.number for invoice in invoices if invoice is not None]


def tax_invoice_issue(*, reference: str) -> TaxInvoice | None:
    """The tax invoice of the VAT charged at the sale of a paid order (IOSS, UK), once; the ledger moves that
    VAT from `duties_payable` to `vat_payable:<scheme>:<country>`. None when the order charged none, or
    when the platform's number for the scheme is not configured (logged: staff see it on the returns page)."""
    from payments.selectors import payment_duties_of
    from payments.services import vat_at_sale_record

    with transaction.atomic():
        order = _locked_order(reference)
        if order is None:
            return None
        existing = TaxInvoice.objects.filter(reference=reference).first()
        if existing is not None:
            return existing
        scheme, taxes, paid = vat_scheme(order.ship_country), at_sale_taxes(order), payment_duties_of(reference)
        if scheme is None or not taxes or paid is None:
            return None
        number = scheme_vat_number(scheme)
        if not number:
            log.warning("no tax invoice for %s: the platform's %s number is not configured", reference, scheme)
            return None
        currency = paid[0].currency
        vat_lines = [{"name": tax.name, "rate": format(tax.rate.normalize(), "f"),
                      "base": str(_in_currency(tax.base, currency).amount),
                      "amount": str(_in_currency(tax.amount, currency).amount)} for tax in taxes]
        vat = sum((Decimal(line["amount"]) for line in vat_lines), Decimal(0))
        if vat <= 0:
            return None
        invoice = TaxInvoice.objects.create(
            number=f"TI-{reference}", reference=reference, scheme=scheme, country=order.ship_country,
            vat_number=number, buyer_id=order.buyer_id, company_id=order.company_id,
            buyer={"name": order.ship_name, "lines": [order.ship_address], "city": order.ship_city,
                   "postcode": order.ship_postcode, "country": order.ship_country},
            seller={"name": order.company.legal_name, "country": order.company.country},
            currency=currency, net_amount=sum((Decimal(line["base"]) for line in vat_lines), Decimal(0)),
            vat_amount=vat, lines=[{"description": line.description, "quantity": line.quantity}
                                   for line in order.lines.all()],
            vat_lines=vat_lines, issued_at=timezone.now())
        year = timezone.localdate(invoice.issued_at).year
        invoice.number = f"TI-{scheme}-{year}-{invoice.pk:06d}"
        invoice.save(update_fields=["number"])
        vat_at_sale_record(reference=reference, destination=order.ship_country, scheme=scheme,
                           amount=Money(vat, currency))
        _note(order, f"Tax invoice {invoice.number} issued: {invoice.vat} VAT charged at the sale under {scheme}.")
        return invoice
