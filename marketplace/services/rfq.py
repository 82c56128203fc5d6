"""Requests for quotation (B2B): a buyer asks for a quantity above the listed tiers, the seller quotes
or declines, and an accepted quotation becomes a cart line at its price."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.services import seller_company
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.money import has_too_many_decimals, minor_units
from marketplace.models import Cart, CartLine, Quotation, Rfq
from marketplace.services.listings import listing_for_sale
from marketplace.signals import rfq_changed, send_on_commit


def rfq_create(*, buyer: User, listing_id: int, quantity: int, message: str = "") -> Rfq:
    """A buyer asks for a price on a quantity above the listing's tiers."""
    if not buyer.is_authenticated:
        raise PermissionDenied(_("Log in to ask for a quotation."))
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 10_000_000:
        raise ApplicationError(_("Ask for a whole number of units."), code="invalid_quantity", field="quantity")
    if len(message) > 1000:
        raise ApplicationError(_("Keep the message under 1,000 characters."), code="too_long", field="message")
    with transaction.atomic():
        listing = listing_for_sale(listing_id)
        if listing.company.members.filter(user=buyer).exists():
            raise Conflict(_("You cannot ask your own company for a quotation."), code="own_listing", field="listing")
        top = max([listing.moq] + [tier.min_quantity for tier in listing.tiers.all()])
        if quantity <= top:
            raise ApplicationError(format_lazy(_("Listed prices cover up to {top} units; ask for more than {top}, or "
                                                 "add it to your cart."), top=top), code="below_tiers", field="quantity")
        rfq = Rfq.objects.create(buyer=buyer, listing=listing, quantity=quantity, message=message.strip())
        send_on_commit(rfq_changed, rfq=rfq)
        return rfq


def _seller_rfq(user: User, rfq_id: int) -> Rfq:
    company = seller_company(user)
    rfq = Rfq.objects.select_for_update().select_related("listing").filter(pk=rfq_id, listing__company=company).first()
    if rfq is None:
        raise NotFound(_("No such request for quotation."))
    return rfq


def rfq_quote(*, user: User, rfq_id: int, unit_price: Decimal, valid_days: int, note: str = "") -> Quotation:
    """The seller answers with a unit price in the company's currency, valid for some days."""
    if not isinstance(valid_days, int) or not 1 <= valid_days <= 90:
        raise ApplicationError(_("A quotation is valid for 1 to 90 days."), code="invalid_validity", field="valid_days")
    with transaction.atomic():
        rfq = _seller_rfq(user, rfq_id)
        if rfq.status != Rfq.Status.OPEN:
            raise Conflict(_("This request has already been answered."), code="already_answered")
        currency = rfq.listing.currency
        if not unit_price.is_finite() or unit_price <= 0 or has_too_many_decimals(unit_price, currency):
            raise ApplicationError(format_lazy(_("Give a positive {currency} unit price with at most {places} "
                                                 "decimals."), currency=currency, places=minor_units(currency)),
                                   code="invalid_price", field="unit_price")
        quotation = Quotation.objects.create(rfq=rfq, unit_price_amount=unit_price, currency=currency,
                                             valid_until=timezone.now() + timedelta(days=valid_days), note=note[:1000])
        rfq.status = Rfq.Status.QUOTED
        rfq.save(update_fields=["status"])
        send_on_commit(rfq_changed, rfq=rfq)
    return quotation


def rfq_decline(*, user: User, rfq_id: int) -> Rfq:
    with transaction.atomic():
        rfq = _seller_rfq(user, rfq_id)
        if rfq.status != Rfq.Status.OPEN:
            raise Conflict(_("This request has already been answered."), code="already_answered")
        rfq.status = Rfq.Status.DECLINED
        rfq.save(update_fields=["status"])
        send_on_commit(rfq_changed, rfq=rfq)
    return rfq


def rfq_accept(*, buyer: User, rfq_id: int) -> CartLine:
    """The buyer accepts a valid quotation: it becomes a cart line at the quoted price and quantity.
    Accepting twice returns the same line."""
    with transaction.atomic():
        rfq = Rfq.objects.select_for_update().filter(pk=rfq_id, buyer=buyer).first()
        if rfq is None:
            raise NotFound(_("No such request for quotation."))
        quotation = Quotation.objects.filter(rfq=rfq).first()
        if rfq.status == Rfq.Status.ACCEPTED and quotation is not None:
            line = CartLine.objects.filter(quotation=quotation).first()
            if line:
                return line
        if rfq.status != Rfq.Status.QUOTED or quotation is None:
            raise Conflict(_("There is no quotation to accept yet."), code="not_quoted")
        if quotation.valid_until < timezone.now():
            raise Conflict(_("This quotation has expired; ask the seller again."), code="quotation_expired")
        cart, _made = Cart.objects.get_or_create(user=buyer)
        line = CartLine.objects.create(cart=cart, listing=rfq.listing, quantity=rfq.quantity, quotation=quotation)
        rfq.status = Rfq.Status.ACCEPTED
        rfq.save(update_fields=["status"])
        send_on_commit(rfq_changed, rfq=rfq)
    return line
