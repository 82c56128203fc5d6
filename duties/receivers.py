"""Duty settlement follows what customs, payments and logistics report (none of them imports this app).
Each receiver only enqueues, after the reporting transaction commits: settling money never rolls back a
clearance decision or a payment."""

from django.db import transaction
from django.dispatch import receiver

from customs.signals import clearance_decided
from logistics.signals import shipment_duties_collected
from payments.signals import ledger_checking, payment_succeeded


@receiver(clearance_decided)
def _settle_assessed_duties(sender, case, released, **kwargs):
    if released:
        from duties.tasks import duty_reconcile

        reference = case.shipment_reference
        transaction.on_commit(lambda: duty_reconcile.delay(reference))


@receiver(shipment_duties_collected)
def _reconcile_duties_collected_at_the_door(sender, shipment, amount, carrier, **kwargs):
    from duties.tasks import duties_collected_at_door

    args = (shipment.order_reference, str(amount.amount), amount.currency, carrier)
    transaction.on_commit(lambda: duties_collected_at_door.delay(*args))


@receiver(payment_succeeded)
def _invoice_vat_charged_at_sale(sender, payment, **kwargs):
    from duties.tasks import tax_invoices_issue

    payment_id = payment.pk  # no query here: the payment's transaction is hot
    transaction.on_commit(lambda: tax_invoices_issue.delay(payment_id))


@receiver(ledger_checking)
def _vat_returns_match_the_ledger(sender, **kwargs):
    from duties.selectors import ledger_problems

    return ledger_problems()
