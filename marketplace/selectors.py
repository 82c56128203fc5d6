"""Marketplace reads shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet

from ewtp.exceptions import ApplicationError
from marketplace.models import Listing, Order, User

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class BuyerContext:
    country: str
    currency: str


def buyer_context_for(user: User | None, *, country: str | None = None) -> BuyerContext:
    """Where the buyer ships to and the currency they see: their profile, else the UK in GBP."""
    from customs.selectors import destination_currency

    country = (country or (user.country if user and user.is_authenticated else "") or "GB").upper()
    currency = (user.preferred_currency if user and user.is_authenticated else "") or destination_currency(country)
    return BuyerContext(country=country, currency=currency)


def catalog_list(*, q: str = "") -> QuerySet[Listing]:
    q = (q or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise ApplicationError(f"Search for at most {MAX_QUERY_LENGTH} characters.", code="query_too_long", field="q")
    listings = Listing.objects.filter(status=Listing.Status.PUBLISHED, company__verification="verified")
    if q:
        for word in q.split()[:8]:
            listings = listings.filter(Q(title_en__icontains=word) | Q(title_zh__icontains=word)
                                       | Q(description_en__icontains=word) | Q(description_zh__icontains=word)
                                       | Q(hs_code__startswith=word))
    return listings.select_related("company").order_by("-created_at", "-id")


def listing_landed_cost(listing: Listing, buyer: BuyerContext):
    """The landed cost of the minimum order to the buyer's country, or None when it cannot be
    quoted (no carrier, a line that needs manual assessment). Cached per listing version."""
    from marketplace.pricing import quote_order

    key = f"landed:{listing.pk}:{listing.updated_at.timestamp()}:{buyer.country}:{buyer.currency}"
    cached = cache.get(key)
    if cached is None:
        try:
            cached = quote_order(listing=listing, quantity=listing.moq, destination=buyer.country,
                                 currency=buyer.currency)
        except ApplicationError as exc:
            cached = exc.message
        cache.set(key, cached, 600)
    return cached if not isinstance(cached, str) else None


def orders_for_buyer(user: User) -> QuerySet[Order]:
    return Order.objects.filter(buyer=user).select_related("company").prefetch_related("lines")


def orders_for_company(company) -> QuerySet[Order]:
    return Order.objects.filter(company=company).select_related("buyer").prefetch_related("lines")
