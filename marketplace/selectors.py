"""Marketplace reads shared by pages and the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import F, Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from ewtp.exceptions import ApplicationError
from ewtp.models import DecimalSum
from ewtp.money import Money
from ewtp.numbers import parse_decimal, parse_int
from marketplace.models import Checkout, ComplianceHold, Listing, Order, in_reader_language
from payments.models import Payment

MAX_QUERY_LENGTH = 200


@dataclass(frozen=True)
class BuyerContext:
    country: str
    currency: str
    # Who is quoted: a signed-in buyer without a company is a consumer (pricing.buyer_is_consumer), as at
    # checkout; anyone else, anonymous visitors included, is quoted as a business (general trade), the
    # landed-cost API's default too.
    consumer: bool = False
    consumer_year_to_date: Money | None = None  # see pricing.consumer_year_to_date
    consumer_channel: str = ""  # the destination's consumer-only regime ("" where it has none)

    @property
    def quote_key(self) -> str:
        """What, besides country and currency, tells one buyer's quotes from another's (cache keys)."""
        if not self.consumer:
            return "b"
        return f"c{self.consumer_year_to_date.amount}" if self.consumer_year_to_date is not None else "c"


def buyer_context_for(user: User | None, *, country: str | None = None, buyer_kind: bool = True) -> BuyerContext:
    """Where the buyer ships to and the currency they see: their profile, else the UK in GBP; and
    (`buyer_kind`) whether they are quoted as a consumer, with what they bought through the destination's
    consumer-only regime this year: at most two queries, none for an anonymous visitor."""
    from customs.selectors import destination_currency
    from marketplace.pricing import buyer_quoted_as, consumer_regimes

    signed_in = bool(user and user.is_authenticated)
    country = (country or (user.country if signed_in else "") or "GB").upper()
    currency = (user.preferred_currency if signed_in else "") or destination_currency(country)
    if not buyer_kind:
        return BuyerContext(country=country, currency=currency)
    channel = next((regime.name for regime in consumer_regimes(country)), "")
    as_buyer = buyer_quoted_as(user, destination=country) if signed_in else {}
    return BuyerContext(country=country, currency=currency, consumer_channel=channel, **as_buyer)


SORTS = ("relevance", "price_asc", "price_desc", "newest")
SORT_LABELS = [("relevance", _("Relevance")), ("price_asc", _("Price: low to high")),
               ("price_desc", _("Price: high to low")), ("newest", _("Newest"))]


@dataclass(frozen=True)
class CatalogFilters:
    q: str = ""
    category: str = ""  # a category path: the category and everything under it
    origin: str = ""  # ISO country of origin
    seller: int | None = None  # company id
    price_min: Decimal | None = None  # unit price in the buyer's currency
    price_max: Decimal | None = None
    ships_to_me: bool = False  # hide what the buyer's country prohibits
    sort: str = "relevance"


def catalog_filters_from(params, *, sort_default: str = "relevance") -> CatalogFilters:
    """Filters from GET parameters, checked: a bad value is a clear error at its field."""
    q = (params.get("q") or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        raise ApplicationError(f"Search for at most {MAX_QUERY_LENGTH} characters.", code="query_too_long", field="q")
    origin = (params.get("origin") or "").strip().upper()
    if origin and not (len(origin) == 2 and origin.isalpha()):
        raise ApplicationError("Use a two-letter ISO country code.", code="invalid_country", field="origin")
    seller = (params.get("seller") or "").strip()
    seller = parse_int(seller, field="seller", minimum=1, message="Choose a seller from the list.",
                       code="invalid_seller") if seller else None
    prices = {}
    for name in ("price_min", "price_max"):
        raw = (params.get(name) or "").strip()
        prices[name] = parse_decimal(raw, field=name, minimum=0, message="Enter a price such as 25 or 25.50.",
                                     code="invalid_price") if raw else None
    sort = (params.get("sort") or sort_default).strip()
    if sort not in SORTS:
        raise ApplicationError(f"Sort by one of: {', '.join(SORTS)}.", code="invalid_sort", field="sort")
    category = (params.get("category") or "").strip()[:400]
    ships = str(params.get("ships_to_me") or "").lower() in ("1", "true", "on", "yes")
    return CatalogFilters(q=q, category=category, origin=origin, seller=seller,
                          ships_to_me=ships, sort=sort, **prices)


def prohibited_hs_codes(destination: str) -> list[str]:
    """HS codes of published listings that the destination prohibits (by the tariff book)."""
    from customs.selectors import tariff_book

    book = tariff_book()
    pairs = (Listing.objects.filter(status=Listing.Status.PUBLISHED).order_by()
             .values_list("hs_code", "origin_country").distinct())
    return sorted({code for code, origin in pairs
                   if any(r.kind == "prohibited" for r in book.restrictions_for(destination, code, origin))})


def catalog_search(*, filters: CatalogFilters, buyer: BuyerContext) -> QuerySet[Listing]:
    """Published listings of verified companies, filtered and sorted for this buyer (turn a page of
    them into cards with catalog_cards)."""
    from ewtp.fx import fx_table
    from marketplace import search

    listings = Listing.objects.filter(status=Listing.Status.PUBLISHED, company__verification="verified")
    if filters.category:
        listings = listings.filter(Q(category__path=filters.category)
                                   | Q(category__path__startswith=f"{filters.category}/"))
    if filters.origin:
        listings = listings.filter(origin_country=filters.origin)
    if filters.seller:
        listings = listings.filter(company_id=filters.seller)
    # Prices compare in EUR (the stored price_eur, indexed): the buyer's bounds are converted once.
    per_eur = fx_table().rates_per_eur.get(buyer.currency, Decimal(1))
    if filters.price_min is not None:
        listings = listings.filter(price_eur__gte=filters.price_min / per_eur)
    if filters.price_max is not None:
        listings = listings.filter(price_eur__lte=filters.price_max / per_eur)
    if filters.ships_to_me:
        prohibited = prohibited_hs_codes(buyer.country)
        if prohibited:
            listings = listings.exclude(hs_code__in=prohibited)
    if filters.q:
        listings = search.apply(listings, filters.q, rank=filters.sort == "relevance")
    order = {"price_asc": ["price_eur", "-id"], "price_desc": ["-price_eur", "-id"],
             "newest": ["-created_at", "-id"]}.get(filters.sort)
    if order is None:  # relevance
        order = ["-relevance", "-created_at", "-id"] if filters.q else ["-created_at", "-id"]
    return listings.order_by(*order)


def categories() -> list:
    from marketplace.models import Category

    return list(Category.objects.all())


@dataclass(frozen=True)
class CardQuote:
    """What a catalog card shows: the landed cost of the minimum order and its three parts."""

    country: str
    landed_cost: Money
    goods: Money
    shipping: Money
    duties: Money
    shipping_days: tuple[int, int]
    manual_reason: str = ""  # why the duty is assessed at import ("" when it is in the landed cost)

    @property
    def total(self) -> Money:
        return self.landed_cost

    @property
    def duty_assessed_at_import(self) -> bool:
        """The duty is under manual assessment: not in `landed_cost`, assessed by customs at import."""
        return bool(self.manual_reason)

    @property
    def rows(self) -> list[dict]:
        from marketplace.pricing import quote_rows

        return quote_rows(goods=self.goods, shipping=self.shipping, duties=self.duties, days=self.shipping_days,
                          manual_reason=self.manual_reason)


@dataclass(frozen=True)
class Card:
    """One listing in the catalog: what its card (page) and its result (API) show."""

    id: int
    title_en: str
    title_zh: str
    seller_id: int
    seller_name: str
    origin_country: str
    hs_code: str
    category_path: str | None
    price: Money
    moq: int
    b2b_only: bool
    image_url: str
    landed: CardQuote | None

    @property
    def title(self) -> str:
        return in_reader_language(self.title_en, self.title_zh)

    @property
    def url(self) -> str:
        from django.urls import reverse

        return reverse("marketplace:listing_detail", args=[self.id])


CARD_FIELDS = ("id", "title_en", "title_zh", "company_id", "company__legal_name", "origin_country", "hs_code",
               "category__path", "price_amount", "currency", "moq", "b2b_only", "updated_at")


def catalog_cards(listings: QuerySet[Listing], buyer: BuyerContext, *, photos: bool = False) -> list[Card]:
    """A page of catalog_search (already sliced) as cards with their landed costs, in at most four
    queries whatever its size: the rows, first photos (`photos`), and for landed costs not cached
    yet the listings and their tiers."""
    rows = list(listings.values(*CARD_FIELDS))
    images = _first_thumbnails([row["id"] for row in rows]) if photos and rows else {}
    quotes = card_quotes(rows, buyer)
    return [Card(id=row["id"], title_en=row["title_en"], title_zh=row["title_zh"], seller_id=row["company_id"],
                 seller_name=row["company__legal_name"], origin_country=row["origin_country"],
                 hs_code=row["hs_code"], category_path=row["category__path"],
                 price=Money(row["price_amount"], row["currency"]), moq=row["moq"], b2b_only=row["b2b_only"],
                 image_url=images.get(row["id"], ""), landed=quote)
            for row, quote in zip(rows, quotes, strict=True)]


def _first_thumbnails(listing_ids: list[int]) -> dict[int, str]:
    from django.core.files.storage import default_storage

    from marketplace.models import ListingPhoto

    first: dict[int, str] = {}
    for listing_id, thumbnail in (ListingPhoto.objects.filter(listing_id__in=listing_ids)
                                  .values_list("listing_id", "thumbnail")):  # in position order
        if thumbnail and listing_id not in first:
            first[listing_id] = default_storage.url(thumbnail)
    return first


CARD_QUOTE_SECONDS = 3600  # tariff and rate-card changes reach the cards within the hour
_UNQUOTABLE = "unquotable"


class _RecentQuotes:
    """The card quotes this process read last, for a minute: a busy page's 48 cards are then dictionary
    lookups, with no cache round trip and no unpickling. Keys name the listing version, destination,
    currency and FX date, so an entry never goes stale; it only ages out (LRU, and after RECENT_SECONDS
    so that a tariff change reaching the shared cache reaches this process soon after)."""

    RECENT_SECONDS = 60
    SIZE = 20_000

    def __init__(self) -> None:
        from collections import OrderedDict
        from threading import Lock

        self.entries: OrderedDict = OrderedDict()
        self.lock = Lock()

    def get_many(self, keys: list[str], now: float) -> dict:
        found = {}
        with self.lock:
            for key in keys:
                entry = self.entries.get(key)
                if entry is not None and entry[0] > now:
                    found[key] = entry[1]
                    self.entries.move_to_end(key)
        return found

    def set_many(self, values: dict, now: float) -> None:
        with self.lock:
            for key, value in values.items():
                self.entries[key] = (now + self.RECENT_SECONDS, value)
                self.entries.move_to_end(key)
            while len(self.entries) > self.SIZE:
                self.entries.popitem(last=False)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


_recent_quotes = _RecentQuotes()


def recent_quotes_clear() -> None:
    """Forget this process's recent card quotes (tests that count the queries of computing them)."""
    _recent_quotes.clear()


def card_quotes(rows: list[dict], buyer: BuyerContext) -> list[CardQuote | None]:
    """The landed cost of each listing's minimum order to the buyer (None where it cannot be quoted: no
    carrier, no FX rate; a duty under manual assessment is left out and `manual_reason` says why). Each
    is computed once per listing version (`updated_at` changes with the listing, its tiers and photos), destination, currency and FX rate
    date, and kept in the shared cache (one round trip for a page), the quotes read last also in this
    process (none)."""
    from time import monotonic

    from ewtp.fx import fx_table
    from ewtp.money import CurrencyMismatch
    from marketplace.pricing import quote_order

    as_of = fx_table().as_of.isoformat()
    keys = [f"card-quote:v2:{row['id']}:{row['updated_at'].timestamp()}:{buyer.country}:{buyer.currency}:{as_of}:"
            f"{buyer.quote_key}" for row in rows]
    now = monotonic()
    found = _recent_quotes.get_many(keys, now)
    if len(found) < len(keys):
        shared = cache.get_many([key for key in keys if key not in found])
        missing = {row["id"]: key for row, key in zip(rows, keys, strict=True) if key not in found and key not in shared}
        if missing:
            computed = {}
            for listing in (Listing.objects.filter(pk__in=missing).select_related("company", "origin_declaration")
                            .prefetch_related("tiers")):
                try:
                    quote = quote_order(listing=listing, quantity=listing.moq, destination=buyer.country,
                                        currency=buyer.currency, consumer=buyer.consumer,
                                        consumer_year_to_date=buyer.consumer_year_to_date)
                    value = (quote.currency, quote.landed_cost.amount, quote.goods.amount, quote.shipping.amount,
                             quote.duties_estimate.amount, *quote.shipping_days, quote.manual_reason)
                except (ApplicationError, CurrencyMismatch):
                    value = _UNQUOTABLE
                computed[missing[listing.pk]] = value
            cache.set_many(computed, CARD_QUOTE_SECONDS)
            shared.update(computed)
        decoded = {key: _card_quote(value, buyer.country) for key, value in shared.items()}
        _recent_quotes.set_many(decoded, now)
        found.update(decoded)
    return [found.get(key) for key in keys]


def _card_quote(value, country: str) -> CardQuote | None:
    if value is None or value == _UNQUOTABLE:
        return None
    currency, total, goods, shipping, duties, days_min, days_max, manual_reason = value
    return CardQuote(country=country, landed_cost=Money(total, currency), goods=Money(goods, currency),
                     shipping=Money(shipping, currency), duties=Money(duties, currency),
                     shipping_days=(days_min, days_max), manual_reason=manual_reason)


def listing_quote(listing: Listing, buyer: BuyerContext):
    """(quote, "") with the full quote (breakdown, FX, customs explanation) for a product page, or (None,
    why not); cached per listing version, destination, currency and FX rate date."""
    from ewtp.fx import fx_table
    from ewtp.money import CurrencyMismatch
    from marketplace.pricing import quote_order

    key = (f"landed:{listing.pk}:{listing.updated_at.timestamp()}:{buyer.country}:{buyer.currency}:"
           f"{fx_table().as_of.isoformat()}:{buyer.quote_key}")
    cached = cache.get(key)
    if cached is None:
        try:
            cached = quote_order(listing=listing, quantity=listing.moq, destination=buyer.country,
                                 currency=buyer.currency, consumer=buyer.consumer,
                                 consumer_year_to_date=buyer.consumer_year_to_date)
        except ApplicationError as exc:
            cached = exc.message  # a lazy text is kept as such: read in each reader's language
        except CurrencyMismatch as exc:
            cached = str(exc)
        cache.set(key, cached, 600)
    return (None, cached) if isinstance(cached, (str, Promise)) else (cached, "")


def orders_for_buyer(user: User) -> QuerySet[Order]:
    return Order.objects.filter(buyer=user).select_related("company", "checkout").prefetch_related("lines")


def orders_for_company(company) -> QuerySet[Order]:
    return Order.objects.filter(company=company).select_related("buyer").prefetch_related("lines")


CART_SESSION_KEY = "cart_id"


def cart_for_request(request, *, create: bool = False):
    """The logged-in user's cart, or the anonymous session's (its id in the session)."""
    from marketplace.models import Cart

    if request.user.is_authenticated:
        if create:
            return Cart.objects.get_or_create(user=request.user)[0]
        return Cart.objects.filter(user=request.user).first()
    cart_id = request.session.get(CART_SESSION_KEY)
    cart = Cart.objects.filter(pk=cart_id, user__isnull=True).first() if cart_id else None
    if cart is None and create:
        cart = Cart.objects.create()
        request.session[CART_SESSION_KEY] = cart.pk
    return cart


@dataclass
class CartGroup:
    company: object
    lines: list
    quote: object  # OrderQuote or None
    error: str = ""


def cart_view(cart, buyer: BuyerContext) -> list[CartGroup]:
    """The cart's lines grouped by seller, each group quoted as the order it will become."""
    from marketplace.pricing import ListingToQuote, quote_lines

    if cart is None:
        return []
    lines = list(cart.lines.select_related("listing", "listing__company", "listing__origin_declaration", "quotation")
                 .prefetch_related("listing__tiers"))
    groups: dict[int, CartGroup] = {}
    for line in lines:
        unit = line.quotation.unit_price if line.quotation else line.listing.unit_price_for(line.quantity)
        line.unit_price = unit
        line.line_total = (unit * line.quantity).rounded()
        groups.setdefault(line.listing.company_id, CartGroup(line.listing.company, [], None)).lines.append(line)
    for group in groups.values():
        try:
            group.quote = quote_lines(lines=[ListingToQuote(line.listing, line.quantity, line.unit_price)
                                             for line in group.lines],
                                      destination=buyer.country, currency=buyer.currency, consumer=buyer.consumer,
                                      consumer_year_to_date=buyer.consumer_year_to_date)
        except ApplicationError as exc:
            group.error = exc.message
    return list(groups.values())


def cart_count(request) -> int:
    cart = cart_for_request(request)
    return sum(cart.lines.values_list("quantity", flat=True)) if cart else 0


LOW_STOCK_UNITS = 10
SELLING = ("paid", "shipped", "delivered", "completed")


def stock_warnings(company) -> QuerySet[Listing]:
    """Published listings that cannot fill a minimum order, or are nearly out."""
    return company.listings.filter(status=Listing.Status.PUBLISHED).filter(
        Q(stock__lt=F("moq")) | Q(stock__lte=LOW_STOCK_UNITS)).order_by("stock", "pk")


def orders_to_fulfil(company) -> QuerySet[Order]:
    return Order.objects.filter(company=company, status=Order.Status.PAID).select_related("buyer").order_by("created_at")


def sales_by_destination(company, *, days: int = 90) -> list[dict]:
    """Goods sold in the last `days` by destination country, in the seller's currency, largest first."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from ewtp.fx import fx_table
    from ewtp.money import Money

    fx = fx_table()
    since = timezone.now() - timedelta(days=days)
    totals: dict[str, dict] = {}
    rows = (Order.objects.filter(company=company, status__in=SELLING, created_at__gte=since)
            .values("ship_country", "currency").annotate(goods=DecimalSum("goods_amount"), orders=Count("id")))
    for row in rows:
        entry = totals.setdefault(row["ship_country"], {"country": row["ship_country"], "orders": 0,
                                                        "total": Money.zero(company.currency)})
        entry["orders"] += row["orders"]
        entry["total"] = entry["total"] + fx.convert(Money(row["goods"], row["currency"]), company.currency).rounded()
    return sorted(totals.values(), key=lambda e: (-e["total"].amount, e["country"]))


def rfqs_for_company(company) -> QuerySet:
    from marketplace.models import Rfq

    return Rfq.objects.filter(listing__company=company).select_related("listing", "buyer", "quotation")


def rfqs_for_buyer(user) -> QuerySet:
    from marketplace.models import Rfq

    return Rfq.objects.filter(buyer=user).select_related("listing", "listing__company", "quotation")


# ---------------------------------------------------------------- checkouts

@dataclass
class CheckoutDetail:
    """A checkout with its payment and its seller orders, as its page, the API and paying read it."""

    checkout: Checkout
    payment: Payment | None  # None while held for compliance (and after a refusal there)
    orders: list[Order]
    hold: ComplianceHold | None = None  # read only when there is no payment

    @property
    def reference(self) -> str:
        return self.checkout.reference

    @property
    def total(self) -> Money:
        if self.payment is None:
            return sum((order.total for order in self.orders), Money.zero(self.orders[0].currency))
        return self.payment.total

    @property
    def held(self) -> bool:
        """Waiting for a compliance review: nothing can be paid (there is no payment yet)."""
        return self.hold is not None and self.hold.status == ComplianceHold.Status.HELD

    @property
    def refused(self) -> bool:
        """Refused at the compliance review: cancelled, nothing was charged."""
        return self.hold is not None and self.hold.status == ComplianceHold.Status.REFUSED

    @property
    def paid(self) -> bool:
        return self.payment is not None and self.payment.status == Payment.Status.SUCCEEDED

    @property
    def awaiting_authentication(self) -> bool:
        """The buyer's bank asks them to confirm the payment (3-D Secure)."""
        return self.payment is not None and self.payment.status == Payment.Status.REQUIRES_ACTION

    @property
    def payable(self) -> bool:
        return self.payment is not None and self.payment.status in (
            Payment.Status.REQUIRES_PAYMENT_METHOD, Payment.Status.FAILED) and all(
            order.status == Order.Status.PENDING_PAYMENT for order in self.orders)

    @property
    def quote_expires_at(self):
        return min(order.quote_expires_at for order in self.orders)

    @property
    def changes(self) -> list[dict]:
        """What the last re-quote changed, order by order, while the buyer has yet to pay."""
        if not self.payable:
            return []
        return [snapshot.requoted for snapshot in (order.snapshot for order in self.orders) if snapshot.requoted]


def checkout_detail(checkout: Checkout, *, orders: QuerySet[Order] | None = None) -> CheckoutDetail:
    """The detail of a checkout read with its payment (select_related); its orders from `orders` when given
    (a locking read), else read here with their sellers and lines."""
    if orders is None:
        orders = checkout.orders.select_related("company").prefetch_related("lines").order_by("pk")
    hold = None
    if checkout.payment_id is None:
        hold = ComplianceHold.objects.filter(checkout=checkout).first()
    return CheckoutDetail(checkout=checkout, payment=checkout.payment, orders=list(orders), hold=hold)


def licence_notices(orders: list[Order]) -> list[dict]:
    """The licences or permits clearance will ask for, per order line and destination (the tariff book's
    `licence_required` restrictions, with the authority's wording): a warning, not a refusal."""
    from customs.compliance import goods_restrictions
    from customs.domain.compliance import split_notices

    found = []
    for order in orders:
        for line in order.lines.all():
            _prohibited, licences = split_notices(goods_restrictions(
                hs_code=line.hs_code, origin=line.origin_country, destinations=[order.ship_country]))
            found += [{"description": line.description, "notice": notice} for notice in licences]
    return found


def checkout_get(*, buyer: User, reference: str) -> CheckoutDetail | None:
    """The buyer's checkout with its payment and orders, or None (another buyer's, or no such checkout)."""
    checkout = Checkout.objects.select_related("payment").filter(reference=reference, buyer=buyer).first()
    return checkout_detail(checkout) if checkout else None


@dataclass(frozen=True)
class SellerRecord:
    """A seller's order history, for trade finance: counts, and the goods delivered per currency."""

    delivered_by_currency: dict  # currency -> Decimal: what buyers paid for delivered orders, duties excluded
    delivered_orders: int
    paid_orders: int
    refunded_orders: int


PAID_STATUSES = ("paid", "shipped", "delivered", "completed", "refunded")


def seller_record(*, company_id: int) -> SellerRecord:
    """Two queries whatever the history's length. A refund in part counts the order as refunded."""
    from django.db.models import Count

    delivered = (Order.objects.filter(company_id=company_id, status__in=("delivered", "completed"))
                 .order_by().values("currency")
                 .annotate(total=DecimalSum(F("total_amount") - F("duties_amount")), n=Count("id")))
    partly_refunded = Q(checkout__payment__allocations__refunded_amount__gt=0,
                        checkout__payment__allocations__company_id=company_id)
    counts = Order.objects.filter(company_id=company_id, status__in=PAID_STATUSES).aggregate(
        paid=Count("id", distinct=True),
        refunded=Count("id", distinct=True, filter=Q(status="refunded") | partly_refunded))
    rows = list(delivered)
    return SellerRecord(delivered_by_currency={r["currency"]: r["total"] for r in rows},
                        delivered_orders=sum(r["n"] for r in rows), paid_orders=counts["paid"],
                        refunded_orders=counts["refunded"])


def seller_orders_by_id(*, company_id: int, order_ids: list[int]) -> dict[int, Order]:
    """The company's orders among `order_ids` (another company's are not there)."""
    return {o.pk: o for o in Order.objects.filter(company_id=company_id, pk__in=order_ids)}


def seller_orders_open(*, company_id: int) -> QuerySet[Order]:
    """The company's orders whose money escrow may still hold, newest first."""
    return Order.objects.filter(company_id=company_id, status__in=("paid", "shipped", "delivered"))


# ---------------------------------------------------------------- compliance holds

def compliance_holds_waiting() -> list[ComplianceHold]:
    """The compliance queue: holds staff have not decided, oldest first, with their buyers and orders."""
    return list(ComplianceHold.objects.filter(status=ComplianceHold.Status.HELD)
                .select_related("checkout", "checkout__buyer")
                .prefetch_related("checkout__orders", "checkout__orders__company").order_by("created_at", "pk")[:200])


def compliance_holds_decided(limit: int = 20) -> list[ComplianceHold]:
    return list(ComplianceHold.objects.exclude(status=ComplianceHold.Status.HELD)
                .select_related("checkout", "decided_by").order_by("-decided_at", "-pk")[:limit])


def compliance_hold_get(pk: int) -> ComplianceHold | None:
    return ComplianceHold.objects.select_related("checkout", "checkout__buyer", "decided_by").filter(pk=pk).first()


# --- reviews of sellers ------------------------------------------------------------------------------

@dataclass(frozen=True)
class SellerRating:
    average: Decimal | None  # to one decimal; None before the first review
    count: int

    @property
    def stars(self) -> str:
        """The average as five stars, rounded to the nearest whole star."""
        whole = int((self.average or 0).to_integral_value(ROUND_HALF_UP))
        return "★" * whole + "☆" * (5 - whole)


def seller_rating(company_id: int) -> SellerRating:
    """The seller's average rating and number of reviews (one query)."""
    from django.db.models import Avg, Count

    from marketplace.models import Review

    found = Review.objects.filter(company_id=company_id).aggregate(average=Avg("rating"), count=Count("id"))
    average = found["average"]
    return SellerRating(average=None if average is None else Decimal(str(average)).quantize(Decimal("0.1"),
                                                                                             ROUND_HALF_UP),
                        count=found["count"])


def seller_reviews(company_id: int, *, limit: int = 5):
    """The seller's newest reviews, each with the listing its order bought and its author (one query)."""
    from marketplace.models import Review

    return list(Review.objects.filter(company_id=company_id).select_related("listing", "author")[:limit])


def orders_to_review(*, buyer, company_id: int):
    """The buyer's delivered orders from this seller not reviewed yet (newest first)."""
    from marketplace.services.reviews import REVIEWABLE

    if not getattr(buyer, "is_authenticated", False):
        return Order.objects.none()
    return (Order.objects.filter(buyer=buyer, company_id=company_id, status__in=REVIEWABLE, review__isnull=True)
            .order_by("-created_at"))
