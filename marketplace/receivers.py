"""The marketplace follows what accounts, payments, logistics and customs report (by signal, so that
those apps never import this one)."""

from django.contrib.auth.signals import user_logged_in
from django.db.backends.signals import connection_created
from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.signals import company_rejected
from customs.signals import clearance_case_context, clearance_decided
from ewtp.models import FxRateSet
from logistics.signals import shipment_status_changed
from marketplace.domain.references import MalformedReference, parse_order_reference
from payments.signals import payment_failed, payment_orders, payment_refunded, payment_succeeded


@receiver(payment_succeeded)
def _order_paid(sender, payment, **kwargs):
    """One payment pays every seller order of its checkout."""
    from marketplace.services.orders import order_mark_paid

    for allocation in payment.allocations.all():
        order_mark_paid(reference=allocation.reference)


@receiver(payment_failed)
def _stock_back_on_sale(sender, payment, **kwargs):
    from marketplace.services.orders import order_payment_failed

    for allocation in payment.allocations.all():
        order_payment_failed(reference=allocation.reference)


@receiver(payment_refunded)
def _order_follows_refund(sender, reference, amount, in_full, reason, actor=None, **kwargs):
    from marketplace.services.orders import order_refunded

    order_refunded(reference=reference, amount=amount, in_full=in_full, reason=reason, actor=actor)


@receiver(company_rejected)
def _listings_leave_the_catalog(sender, company, **kwargs):
    """A rejected company's published listings go back to draft (in the rejection's transaction)."""
    from django.utils import timezone

    from marketplace.models import Listing

    Listing.objects.filter(company=company, status=Listing.Status.PUBLISHED).update(
        status=Listing.Status.DRAFT, updated_at=timezone.now())


@receiver(shipment_status_changed)
def _order_follows_shipment(sender, shipment, **kwargs):
    from marketplace.services.orders import order_follow_shipment

    order_follow_shipment(reference=shipment.order_reference, shipment_status=shipment.status)


@receiver(clearance_decided)
def _refund_on_rejection(sender, case, released, reason="", **kwargs):
    if not released:
        from marketplace.services.orders import order_refund_rejected

        order_refund_rejected(reference=case.shipment_reference, reason=reason)


@receiver(user_logged_in)
def _merge_anonymous_cart(sender, request, user, **kwargs):
    """The cart filled before logging in joins the user's cart."""
    from marketplace.selectors import CART_SESSION_KEY
    from marketplace.services.cart import cart_merge

    session = getattr(request, "session", None)
    cart_id = session.pop(CART_SESSION_KEY, None) if session is not None else None
    if cart_id:
        cart_merge(source_id=cart_id, user=user)


@receiver(clearance_case_context)
def _order_for_the_case_page(sender, case, **kwargs):
    """What the marketplace knows about a held shipment, for the officer's case page."""
    from django.urls import reverse

    from marketplace.models import Order

    try:
        order_id = parse_order_reference(case.shipment_reference)
    except MalformedReference:
        return None  # not a marketplace order's shipment
    order = (Order.objects.select_related("company", "buyer", "checkout__payment")
             .prefetch_related("lines__listing__photos").filter(pk=order_id).first())
    if order is None:
        return None
    payment = order.checkout.payment if order.checkout else None
    images = [photo.thumbnail.url for line in order.lines.all() for photo in line.listing.photos.all()][:8]
    return {
        "title": f"Order {order.reference}",
        "rows": [("Seller", order.company.legal_name), ("Buyer", order.buyer.email),
                 ("Order status", order.get_status_display()), ("Incoterm", order.incoterm),
                 ("Paid", f"{order.total} ({payment.status})" if payment else "no payment"),
                 ("Listing price", ", ".join(f"{line.description}: {line.unit_price}" for line in order.lines.all()))],
        "images": images,
        "url": reverse("admin:marketplace_order_change", args=[order.pk]),
    }


@receiver(payment_orders)
def _orders_for_the_payment_page(sender, references, **kwargs):
    """The orders a payment paid, for the staff payment page, in one query."""
    from django.urls import reverse

    from marketplace.models import Order

    ids = []
    for reference in references:
        try:
            ids.append(parse_order_reference(reference))
        except MalformedReference:
            continue  # not an order of ours
    return [{"reference": order.reference, "status": order.status, "status_label": order.get_status_display(),
             "seller": order.company.legal_name, "company_id": order.company_id, "total": order.total,
             "url": reverse("admin:marketplace_order_change", args=[order.pk])}
            for order in Order.objects.select_related("company").filter(pk__in=ids).order_by("pk")]


@receiver(post_save, sender=FxRateSet)
def _prices_follow_fx(sender, instance, **kwargs):
    """New latest reference rates: the catalog's prices in EUR (its price sort and filter) follow."""
    from ewtp.fx import fx_table
    from marketplace.search import reprice_all

    fx_table.cache_clear()  # this runs before fx_rates_store clears it
    if fx_table().as_of == instance.as_of:
        reprice_all()


@receiver(connection_created)
def _catalog_search_settings(sender, connection, **kwargs):
    from marketplace.search import connection_setup

    connection_setup(connection)
