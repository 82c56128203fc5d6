"""The events a seller can subscribe to (pure: no ORM)."""

from django.utils.translation import gettext_lazy as _

ORDER_PAID = "order.paid"  # the buyer's payment for the order was captured (funds held in escrow)
SHIPMENT_HELD = "shipment.customs_held"  # customs holds the order's shipment for an officer
SHIPMENT_RELEASED = "shipment.customs_released"  # customs released the shipment
ORDER_DELIVERED = "order.delivered"  # the carrier reports the shipment delivered
PAYOUT_CREATED = "payout.created"  # escrow released: the seller's payout is recorded or transferred

EVENT_TYPES = [ORDER_PAID, SHIPMENT_HELD, SHIPMENT_RELEASED, ORDER_DELIVERED, PAYOUT_CREATED]
EVENT_LABELS = {
    ORDER_PAID: _("Order paid"),
    SHIPMENT_HELD: _("Held by customs"),
    SHIPMENT_RELEASED: _("Released by customs"),
    ORDER_DELIVERED: _("Order delivered"),
    PAYOUT_CREATED: _("Payout made"),
}
