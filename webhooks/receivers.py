"""Webhooks follow what payments, customs and logistics report (none of them imports this app).

Each receiver records an event in the transaction that made the change (payouts: just after it), so an
event exists exactly when its change does. A failure here is logged and never undoes the trade itself:
the events are recorded in a savepoint."""

from __future__ import annotations

import logging

from django.dispatch import receiver

from customs.signals import clearance_decided, clearance_held
from ewtp.money import Money
from logistics.signals import shipment_status_changed
from payments.signals import payment_succeeded, payout_made
from webhooks.domain import events

log = logging.getLogger(__name__)


def _record(*events: tuple[str, int, str, dict]) -> None:
    """(type, company_id, dedupe_key, data) of each event; events_record works in a savepoint of its own."""
    from webhooks.services import NewEvent, events_record

    try:
        events_record(events=[NewEvent(*event) for event in events])
    except Exception:  # noqa: BLE001 (a webhook must never fail a payment, a clearance or a delivery)
        log.exception("webhook events %s not recorded", [event[2] for event in events])


@receiver(payment_succeeded)
def _order_paid(sender, payment, **kwargs):
    _record(*[(events.ORDER_PAID, allocation.company_id, f"{events.ORDER_PAID}:{allocation.reference}",
                {"order": allocation.reference, "checkout": payment.reference,
                 "amount": Money(allocation.amount, payment.currency).as_json(),
                 "paid_at": payment.updated_at.isoformat()})
              for allocation in payment.allocations.all()])


@receiver(clearance_held)
def _shipment_held(sender, case, **kwargs):
    # a case may be held, released to the authority and queried: one event per hold
    held_at = case.held_at.isoformat() if case.held_at else None
    _record((events.SHIPMENT_HELD, case.company_id, f"{events.SHIPMENT_HELD}:{case.pk}:{held_at or ''}",
             {"order": case.shipment_reference, "case": case.pk, "status": case.status,
              "destination": case.destination, "held_at": held_at}))


@receiver(clearance_decided)
def _shipment_released(sender, case, released, reason="", **kwargs):
    if not released:
        return
    _record((events.SHIPMENT_RELEASED, case.company_id, f"{events.SHIPMENT_RELEASED}:{case.pk}",
             {"order": case.shipment_reference, "case": case.pk, "destination": case.destination, "reason": reason}))


@receiver(shipment_status_changed)
def _order_delivered(sender, shipment, **kwargs):
    if shipment.status != shipment.Status.DELIVERED:
        return
    _record((events.ORDER_DELIVERED, shipment.company_id, f"{events.ORDER_DELIVERED}:{shipment.order_reference}",
             {"order": shipment.order_reference, "tracking_number": shipment.tracking_number,
              "delivered_at": shipment.delivered_at.isoformat() if shipment.delivered_at else None}))


@receiver(payout_made)
def _payout(sender, payout, **kwargs):
    _record((events.PAYOUT_CREATED, payout.company_id, f"{events.PAYOUT_CREATED}:{payout.pk}", {
        "payout": payout.pk, "order": payout.reference, "amount": payout.total.as_json(),
        "fee": {"amount": str(payout.fee_amount), "currency": payout.fee_currency},
        "status": payout.status, "created_at": payout.created_at.isoformat()}))
