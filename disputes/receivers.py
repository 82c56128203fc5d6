"""Disputes follow what payments, logistics and the marketplace report or ask (none of them imports this app)."""

from django.db import transaction
from django.dispatch import receiver

from logistics.signals import shipment_status_changed
from marketplace.signals import order_page_panels
from payments.signals import escrow_holding


@receiver(escrow_holding)
def _open_dispute_freezes_escrow(sender, reference, **kwargs):
    from disputes.selectors import escrow_frozen_reason

    return escrow_frozen_reason(reference=reference)


@receiver(shipment_status_changed)
def _return_delivered(sender, shipment, **kwargs):
    """A return reached the seller: the buyer's refund runs on a worker once the tracking update commits."""
    if shipment.is_return and shipment.status == "delivered":
        from disputes.tasks import dispute_return_delivered

        transaction.on_commit(lambda: dispute_return_delivered.delay(shipment.pk))


@receiver(order_page_panels)
def _dispute_panel(sender, order, user, is_buyer, is_seller, **kwargs):
    """The order page's dispute box: open one (the buyer, inside the escrow window) or follow it."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from disputes.selectors import order_disputable, order_dispute

    dispute = order_dispute(order_id=order.pk)
    if dispute is not None:
        return {"title": _("Dispute"), "status": dispute.status, "status_label": dispute.get_status_display(),
                "text": dispute.get_reason_display(),
                "links": [(_("Answer the dispute") if is_seller and dispute.status == "open" else _("Follow the dispute"),
                           reverse("disputes:detail", args=[dispute.pk]), "dispute-link")]}
    if is_buyer and order_disputable(order):
        return {"title": _("A problem with this order?"),
                "text": _("Until the seller is paid, you can open a dispute: the money stays in escrow while "
                          "the platform decides."),
                "links": [(_("Open a dispute"), reverse("disputes:open", args=[order.pk]), "open-dispute")]}
    return None
