"""Carts: adding and changing lines, and merging an anonymous session's cart at log-in. Checking a
cart out is marketplace.services.checkout.cart_checkout."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from ewtp.exceptions import Conflict, NotFound
from marketplace.models import Cart, CartLine
from marketplace.services.listings import check_b2b, check_quantity, listing_for_sale


def cart_add(*, cart: Cart, listing_id: int, quantity: int, user: User | None = None) -> CartLine:
    """Add units of a listing (to its line if there is one), within its minimum order and stock."""
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        listing = listing_for_sale(listing_id)
        if user is not None and user.is_authenticated and listing.company.members.filter(user=user).exists():
            raise Conflict("You cannot buy your own company's goods.", code="own_listing", field="listing")
        check_b2b(listing, user)
        line = CartLine.objects.filter(cart=cart, listing=listing, quotation__isnull=True).first()
        total = (line.quantity if line else 0) + (quantity if isinstance(quantity, int) else 0)
        check_quantity(listing, quantity if not line else total)
        if line:
            line.quantity = total
            line.save(update_fields=["quantity"])
        else:
            line = CartLine.objects.create(cart=cart, listing=listing, quantity=quantity)
        cart.save(update_fields=["updated_at"])
    return line


def cart_line_update(*, cart: Cart, line_id: int, quantity: int) -> CartLine | None:
    """Change a line's quantity; 0 removes it. A quoted line keeps its quantity."""
    with transaction.atomic():
        line = CartLine.objects.select_for_update().select_related("listing", "listing__company").filter(
            pk=line_id, cart=cart).first()
        if line is None:
            raise NotFound("No such cart line.", field="line")
        if quantity == 0:
            line.delete()
            return None
        if line.quotation_id:
            raise Conflict("A quoted line keeps the quoted quantity; remove it to change it.", code="quoted_line",
                           field="quantity")
        check_quantity(line.listing, quantity)
        line.quantity = quantity
        line.save(update_fields=["quantity"])
    return line


def cart_merge(*, source_id: int, user: User) -> Cart:
    """At log-in: the anonymous session's cart joins the user's. Quantities add up, capped at the stock."""
    with transaction.atomic():
        target, _ = Cart.objects.get_or_create(user=user)
        source = Cart.objects.select_for_update().filter(pk=source_id, user__isnull=True).first()
        if source is None or source.pk == target.pk:
            return target
        for line in source.lines.select_related("listing"):
            if line.listing.company.members.filter(user=user).exists():
                continue
            if line.quotation_id:
                line.cart = target
                line.save(update_fields=["cart"])
                continue
            mine = CartLine.objects.filter(cart=target, listing=line.listing, quotation__isnull=True).first()
            if mine:
                mine.quantity = min(mine.quantity + line.quantity, max(line.listing.stock, mine.quantity))
                mine.save(update_fields=["quantity"])
            else:
                line.cart = target
                line.save(update_fields=["cart"])
        source.delete()
    return target
