"""The marketplace follows what payments, logistics and customs report (by signal, so that
those apps never import this one)."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from customs.signals import clearance_decided
from logistics.signals import shipment_status_changed
from payments.signals import payment_succeeded


@receiver(payment_succeeded)
def _order_paid(sender, payment, **kwargs):
    from marketplace.services import order_mark_paid

    order_mark_paid(reference=payment.reference)


@receiver(shipment_status_changed)
def _order_follows_shipment(sender, shipment, **kwargs):
    from marketplace.services import order_follow_shipment

    order_follow_shipment(reference=shipment.order_reference, shipment_status=shipment.status)


@receiver(clearance_decided)
def _refund_on_rejection(sender, case, released, reason="", **kwargs):
    if not released:
        from marketplace.services import order_refund_rejected

        order_refund_rejected(reference=case.shipment_reference, reason=reason)


@receiver(user_logged_in)
def _merge_anonymous_cart(sender, request, user, **kwargs):
    """The cart filled before logging in joins the user's cart."""
    from marketplace.selectors import CART_SESSION_KEY
    from marketplace.services import cart_merge

    session = getattr(request, "session", None)
    cart_id = session.pop(CART_SESSION_KEY, None) if session is not None else None
    if cart_id:
        cart_merge(source_id=cart_id, user=user)
