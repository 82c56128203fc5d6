"""Webhooks follow what payments, customs and logistics report (none of them imports this app).

Each receiver records an event in the transaction that made the change (payouts: just after it), so an
event exists exactly when its change does. A failure here is logged and never undoes the trade itself:
the receiver works in a savepoint."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver

from customs.signals import clearance_decided, clearance_held
from logistics.signals import shipment_status_changed
from payments.signals import payment_succeeded, payout_created
from webhooks.domain import events

log = logging.getLogger(__name__)


def _record(*, type: str, company_id: int, dedupe_key: str, data: dict) -> None:
    from webhooks.services import event_record

    try:
        with transaction.atomic():
            event_record(type=type, company_id=company_id, dedupe_key=dedupe_key, data=data)
    except Exception:  # noqa: BLE001 (a webhook must never fail a payment, a clearance or a delivery)
        log.exception("webhook event %s not recorded", dedupe_key)


@receiver(payment_succeeded)
def _order_paid(sender, payment, **kwargs):
    for allocation in payment.allocations.all():
        _record(type=events.ORDER_PAID, company_id=allocation.company_id,
                dedupe_key=f"{events.ORDER_PAID}:{allocation.reference}",
                data={"order": allocation.reference, "checkout": payment.reference,
                      "amount": allocation.total.as_json(), "paid_at": payment.updated_at.isoformat()})


@receiver(clearance_held)
def _shipment_held(sender, case, **kwargs):
    _record(type=events.SHIPMENT_HELD, company_id=case.company_id,
            # a case may be held, released to the authority and queried: one event per hold
            dedupe_key=f"{events.SHIPMENT_HELD}:{case.pk}:{case.held_at.isoformat() if case.held_at else ''}",
            data={"order": case.shipment_reference, "case": case.pk, "status": case.status,
                  "destination": case.destination,
                  "held_at": case.held_at.isoformat() if case.held_at else None})


@receiver(clearance_decided)
def _shipment_released(sender, case, released, reason="", **kwargs):
    if not released:
        return
    _record(type=events.SHIPMENT_RELEASED, company_id=case.company_id,
            dedupe_key=f"{events.SHIPMENT_RELEASED}:{case.pk}",
            data={"order": case.shipment_reference, "case": case.pk, "destination": case.destination,
                  "reason": reason})


@receiver(shipment_status_changed)
def _order_delivered(sender, shipment, **kwargs):
    if shipment.status != shipment.Status.DELIVERED:
        return
    _record(type=events.ORDER_DELIVERED, company_id=shipment.company_id,
            dedupe_key=f"{events.ORDER_DELIVERED}:{shipment.order_reference}",
            data={"order": shipment.order_reference, "tracking_number": shipment.tracking_number,
                  "delivered_at": shipment.delivered_at.isoformat() if shipment.delivered_at else None})


@receiver(payout_created)
def _payout(sender, payout, **kwargs):
    _record(type=events.PAYOUT_CREATED, company_id=payout.company_id,
            dedupe_key=f"{events.PAYOUT_CREATED}:{payout.pk}",
            data={"payout": payout.pk, "order": payout.reference, "amount": payout.total.as_json(),
                  "fee": {"amount": str(payout.fee_amount), "currency": payout.fee_currency},
                  "status": payout.status, "created_at": payout.created_at.isoformat()})
