"""Trade-finance fixtures: sellers with a record on the platform, made through the real services
(orders placed, paid, shipped, reported delivered by the carrier and released from escrow)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Company
from accounts.selectors import company_of
from marketplace.models import Order
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.orders import order_book_shipment, order_follow_shipment, order_release_escrow
from tests import factories


def paid_order(seller, buyer, quantity: int = 6) -> Order:
    listing = factories.listing(seller)
    order = order_place(buyer=buyer, listing_id=listing.pk, quantity=quantity)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    return Order.objects.get(pk=order.pk)


def deliver(seller, order: Order) -> Order:
    """The seller books the shipment; the carrier reports it delivered."""
    order_book_shipment(user=seller, order_id=order.pk)
    order_follow_shipment(reference=order.reference, shipment_status="delivered")
    return Order.objects.get(pk=order.pk)


def complete(seller, order: Order) -> Order:
    deliver(seller, order)
    order_release_escrow(order_id=order.pk)
    return Order.objects.get(pk=order.pk)


def backdate(seller, *, days: int) -> None:
    """The seller's company was made `days` ago."""
    Company.objects.filter(pk=company_of(seller).pk).update(created_at=timezone.now() - timedelta(days=days))


def seasoned_seller(*, age_days: int = 400, delivered: int = 1, quantity: int = 20, **seller_kwargs):
    """(seller, buyer): a verified seller `age_days` old with `delivered` orders delivered and paid out."""
    seller, buyer = factories.seller(**seller_kwargs), factories.buyer()
    backdate(seller, days=age_days)
    for _ in range(delivered):
        complete(seller, paid_order(seller, buyer, quantity))
    return seller, buyer


@pytest.fixture
def seasoned(db):
    return seasoned_seller()


def advanced(seller, buyer, amount: str | None = None):
    """(order, offer, advance): a paid order of the seller's, an offer against it, `amount` CNY of it taken
    (all it offers when None)."""
    from ewtp.money import Money
    from finance.services import advance_accept, advance_offer_create

    order = paid_order(seller, buyer)
    offer = advance_offer_create(user=seller, order_ids=[order.pk])
    advance = advance_accept(user=seller, offer_id=offer.pk,
                             amount=offer.maximum if amount is None else Money(amount, "CNY"))
    return order, offer, advance
