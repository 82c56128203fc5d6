"""Orders after checkout: the moves of their state machine (paid, shipped, delivered, completed,
cancelled, refunded) as payments, shipments and customs report them, the seller's booking and
cancellation, and releasing escrow."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import seller_company
from customs.selectors import case_rejected, case_undecided
from ewtp.exceptions import ApplicationError, Conflict, NotFound
from ewtp.money import Money
from logistics.services import shipment_create_and_book
from marketplace.domain.references import MalformedReference, parse_order_reference
from marketplace.domain.states import ORDER
from marketplace.models import Checkout, Listing, Order, OrderEvent
from marketplace.services.checkout import checkout_with_payment_lock
from payments.selectors import escrow_hold_reasons
from payments.services import escrow_release, payment_cancel, payment_refund


def _set_status(order: Order, target: str, *, actor: User | None = None, note: str = "") -> None:
    ORDER.check(order.status, target)
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=target, actor=actor, note=note[:500])
    order.status = target
    order.save(update_fields=["status", "updated_at"])


def _release_stock(order: Order, *, note: str) -> None:
    """Give the locked order's reserved stock back to its listings, once."""
    if not order.stock_reserved:
        return
    for line in order.lines.all():
        Listing.objects.filter(pk=line.listing_id).update(stock=F("stock") + line.quantity)
    order.stock_reserved = False
    order.save(update_fields=["stock_reserved", "updated_at"])
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, note=note)


def _order_by_reference(reference: str) -> Order | None:
    """The order so named, locked; None when there is none (another app's reference, a shipment's
    that is not an order's)."""
    try:
        order_id = parse_order_reference(reference)
    except MalformedReference:
        return None
    return Order.objects.select_for_update().filter(pk=order_id).first()


def order_payment_failed(*, reference: str) -> None:
    """The checkout's payment failed: its stock goes back on sale until the buyer pays again."""
    order = _order_by_reference(reference)
    if order is not None and order.status == Order.Status.PENDING_PAYMENT:
        _release_stock(order, note="Payment failed; stock released until the buyer pays.")


def order_mark_paid(*, reference: str) -> None:
    with transaction.atomic():
        order = _order_by_reference(reference)
        if order and order.status == Order.Status.PENDING_PAYMENT:
            _set_status(order, Order.Status.PAID, note="Payment captured; funds held in escrow.")


def order_book_shipment(*, user: User, order_id: int, parcels: list[dict] | None = None,
                        service_code: str | None = None, claim_preference: bool = False):
    """The seller books the shipment of a paid order (the buyer's service and one parcel unless
    the seller chose others): the booking itself runs on a worker. `claim_preference`: the seller,
    as exporter, claims preferential origin for the goods and must back it with a proof of origin
    at clearance."""
    company = seller_company(user)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, company=company).first()
        if order is None:
            raise NotFound("No such order.")
        if order.status not in (Order.Status.PAID, Order.Status.SHIPPED):
            raise Conflict("Only paid orders can be shipped.", code="not_paid")
        lines = list(order.lines.select_related("listing__origin_declaration"))
        default_parcels = [{
            "weight_kg": sum(line.unit_weight_kg * line.quantity for line in lines),
            "length_cm": max(line.listing.length_cm for line in lines),
            "width_cm": max(line.listing.width_cm for line in lines),
            "height_cm": max(line.listing.height_cm for line in lines),
        }]
        shipment = shipment_create_and_book(
            order_reference=order.reference, company_id=company.pk, buyer_id=order.buyer_id,
            service_code=service_code or order.shipping_service, incoterm=order.incoterm,
            sender={"name": user.display_name, "company": company.legal_name, "email": user.email,
                    "lines": [company.address],
                    "city": company.city, "postcode": company.postcode, "country": company.country},
            recipient={"name": order.ship_name, "company": "", "lines": [order.ship_address], "city": order.ship_city,
                       "postcode": order.ship_postcode, "country": order.ship_country},
            goods=[{"description": line.description, "hs_code": line.hs_code, "origin": line.origin_country,
                    "quantity": line.quantity, "unit_value": str(line.unit_price_amount), "currency": line.currency,
                    "net_weight_kg": str(line.unit_weight_kg * line.quantity),
                    "claim_preference": bool(claim_preference),
                    **_origin_declaration(line, claim_preference)} for line in lines],
            parcels=parcels or default_parcels,
            paid_duties=order.snapshot.duties_payable_now.as_json(), freight=order.snapshot.shipping.as_json(),
        )
        order.refresh_from_db(fields=["status"])  # booking again after a cancel moved it already
        if order.status == Order.Status.PAID:
            _set_status(order, Order.Status.SHIPPED, actor=user, note="Shipment booked.")
    return shipment


def _origin_declaration(line, claim_preference: bool) -> dict:
    """What the seller declared for the listing's rule of origin: with it the line claims the preference (as
    the order's quote did), and customs grants it only where the agreement's rule is met."""
    declaration = getattr(line.listing, "origin_declaration", None)
    if declaration is None:
        return {}
    return {"claim_preference": True, "origin_declaration": declaration.as_json(currency=line.listing.currency)}


def order_follow_shipment(*, reference: str, shipment_status: str) -> None:
    """The order follows its shipment: delivered when the parcel is delivered; paid again when the
    seller cancels the booking before pickup (to book it again, or to cancel the order), shipped
    when it is booked again. Goods customs rejected are cancelled too, but their refund moves
    the order (`order_refunded`)."""
    with transaction.atomic():
        order = _order_by_reference(reference)
        if order is None:
            return
        if shipment_status == "delivered" and order.status == Order.Status.SHIPPED:
            order.delivered_at = timezone.now()
            order.save(update_fields=["delivered_at"])
            _set_status(order, Order.Status.DELIVERED, note="The carrier delivered the parcel.")
        elif shipment_status == "cancelled" and order.status == Order.Status.SHIPPED and not case_rejected(reference):
            _set_status(order, Order.Status.PAID, note="The seller cancelled the booking before pickup.")
        elif shipment_status == "booking" and order.status == Order.Status.PAID:
            _set_status(order, Order.Status.SHIPPED, note="Shipment booked again.")


def order_refund_rejected(*, reference: str, reason: str) -> None:
    """Customs rejected the shipment: refund the buyer in full (the order follows, `order_refunded`)."""
    with transaction.atomic():
        order = _order_by_reference(reference)
        if order is None or order.status == Order.Status.REFUNDED:
            return
        payment_refund(reference=reference, reason=f"Customs rejected the shipment: {reason}")


def order_refunded(*, reference: str, amount: Money, in_full: bool, reason: str, actor: User | None = None) -> None:
    """Money went back to the buyer (customs, the seller or staff asked): a full refund closes the
    order, a partial one is written in its history."""
    order = _order_by_reference(reference)
    if order is None:
        return
    if in_full and ORDER.can(order.status, Order.Status.REFUNDED):
        _set_status(order, Order.Status.REFUNDED, actor=actor, note=f"Refunded {amount}: {reason}")
    else:
        OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, actor=actor,
                                  note=f"Partly refunded {amount}: {reason}"[:500])


def order_history_note(*, order_id: int, note: str, actor: User | None = None) -> None:
    """Write a line in the order's history without moving it (a dispute opened, answered, decided)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound("No such order.")
        OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, actor=actor,
                                  note=note[:500])


def order_cancel_by_seller(*, user: User, order_id: int, reason: str) -> Order:
    """The seller cannot ship a paid order: the buyer gets that order's share of the checkout's
    payment back (the other sellers' orders are untouched) and the stock returns to the listings."""
    company = seller_company(user)
    if not reason or not reason.strip():
        raise ApplicationError("Tell the buyer why you cancel.", code="required", field="reason")
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, company=company).first()
        if order is None:
            raise NotFound("No such order.")
        if order.status != Order.Status.PAID:
            raise Conflict("Only a paid order that is not shipped yet can be cancelled.", code="invalid_transition")
        payment_refund(reference=order.reference, reason=f"The seller cancelled: {reason.strip()}", actor=user)
        _release_stock(order, note="The seller cancelled; stock back on sale.")
    order.refresh_from_db()
    return order


def order_release_escrow(*, order_id: int) -> None:
    """Delivered and past the dispute window: pay the seller, once. Never for goods customs has not
    decided on (whatever a carrier reported), nor while an app above freezes the escrow (a dispute)."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("company").filter(pk=order_id).first()
        if order is None or order.status != Order.Status.DELIVERED or case_undecided(order.reference):
            return
        if escrow_hold_reasons(reference=order.reference):  # frozen (an open dispute): beat tries again later
            return
        escrow_release(reference=order.reference, company_id=order.company_id, seller_currency=order.company.currency)
        _set_status(order, Order.Status.COMPLETED, note="Escrow released; seller payout recorded.")


def order_cancel_unpaid(*, order_id: int) -> None:
    """Give the reserved stock back when an order is never paid."""
    with transaction.atomic():
        # The checkout and its payment first, as paying it locks them: the buyer paying now waits, or we do.
        checkout_with_payment_lock(Checkout.objects.filter(orders__pk=order_id))
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != Order.Status.PENDING_PAYMENT:
            return
        _release_stock(order, note="Quote expired unpaid; stock released.")
        payment_cancel(reference=order.reference)
        _set_status(order, Order.Status.CANCELLED, note="Quote expired unpaid.")
