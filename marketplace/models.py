from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from ewtp.money import Money
from ewtp.validators import country_validator, currency_validator
from marketplace.domain.quote_snapshot import QuoteSnapshot
from marketplace.domain.references import build_order_reference


def in_reader_language(english: str, chinese: str) -> str:
    """The text in the reader's language where there is one, else the other."""
    if (get_language() or "").startswith("zh"):
        return chinese or english
    return english or chinese


hs_code_validator = RegexValidator(r"^\d{6,10}$", _("An HS code has 6 to 10 digits."), code="invalid_hs_code")


class Category(models.Model):
    """A node of the category tree. `path` holds the slugs from the root ("food/tea/green"), so a
    category and everything under it is one indexed prefix filter."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    slug = models.SlugField(max_length=60)
    path = models.CharField(max_length=400, unique=True, editable=False)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)

    class Meta:
        verbose_name_plural = "categories"
        ordering = ["path"]
        constraints = [models.UniqueConstraint(fields=["parent", "slug"], name="category_slug_unique_per_parent")]

    def __str__(self) -> str:
        return self.path

    def save(self, *args, **kwargs):
        self.path = f"{self.parent.path}/{self.slug}" if self.parent_id else self.slug
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return in_reader_language(self.name_en, self.name_zh)

    @property
    def depth(self) -> int:
        return self.path.count("/")


class Listing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # only the company sees it
        PUBLISHED = "published", _("Published")  # in the catalog
        SUSPENDED = "suspended", _("Suspended")  # taken down by staff or the seller

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="listings")
    # The seller's own reference: a spreadsheet import updates the listing with the same SKU.
    sku = models.CharField(_("SKU (your reference)"), max_length=64, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    hs_code = models.CharField(_("HS code"), max_length=10, validators=[hs_code_validator])
    origin_country = models.CharField(_("country of origin"), max_length=2, validators=[country_validator])
    price_amount = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2,
                                       validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, validators=[currency_validator])
    stock = models.PositiveIntegerField(_("stock"))
    moq = models.PositiveIntegerField(_("minimum order quantity"), default=1, validators=[MinValueValidator(1)])
    weight_kg = models.DecimalField(_("weight per unit (kg)"), max_digits=8, decimal_places=3,
                                    validators=[MinValueValidator(Decimal("0.001"))])
    length_cm = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("20"))
    width_cm = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("15"))
    height_cm = models.DecimalField(max_digits=6, decimal_places=1, default=Decimal("10"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.PROTECT, related_name="listings",
                                 verbose_name=_("category"))
    # Search: Chinese text segmented into words by jieba (PostgreSQL's parsers cannot split Chinese),
    # and on PostgreSQL the weighted tsvector built from it and the English text (see search.py).
    b2b_only = models.BooleanField(_("B2B only"), default=False,
                                   help_text=_("Only companies may buy; the minimum order and tiers apply."))
    retail = models.BooleanField(_("sold by the unit to consumers"), default=True)
    # Countries (ISO alpha-2) the seller does not ship this listing to; everywhere else the platform quotes
    # it ships. Publishing is refused while a country that prohibits the goods is not among them.
    does_not_ship_to = models.JSONField(_("countries you do not ship to"), default=list, blank=True)
    search_zh = models.TextField(blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    # The unit price in EUR at the latest reference rates, so that the catalog sorts and filters by
    # price across currencies with an index; set with the search columns (search.reindex) and again
    # when new FX rates are stored. Null only for a currency without a reference rate.
    price_eur = models.DecimalField(max_digits=24, decimal_places=8, null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"]), models.Index(fields=["status", "price_eur"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["draft", "published", "suspended"]),
                                   name="listing_status_valid"),
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="listing_price_positive"),
            models.CheckConstraint(condition=~Q(title_en="") | ~Q(title_zh=""), name="listing_has_a_title"),
            models.UniqueConstraint(fields=["company", "sku"], condition=~Q(sku=""), name="one_listing_per_sku"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("marketplace:listing_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return in_reader_language(self.title_en, self.title_zh)

    @property
    def seller_name(self) -> str:
        return self.company.legal_name

    def unit_price_for(self, quantity: int) -> Money:
        """The unit price at this quantity: the best tier reached, else the listed price.
        Uses prefetched tiers when there are (prefetch_related("tiers"))."""
        amount = self.price_amount
        for tier in self.tiers.all():
            if quantity >= tier.min_quantity and tier.price_amount < amount:
                amount = tier.price_amount
        return Money(amount, self.currency)

    @property
    def image_url(self) -> str:
        """The first photo's thumbnail, when the photos were prefetched (cards); else none."""
        cache = getattr(self, "_prefetched_objects_cache", {})
        photos = cache.get("photos")
        return photos[0].thumbnail.url if photos else ""

    @property
    def price(self) -> Money:
        return Money(self.price_amount, self.currency)


class Checkout(models.Model):
    """Seller orders placed together and paid in one payment (a "buy now" order is a checkout of one).
    Paying locks this row first (then its payment, then its orders): a second tab or a replayed submit
    waits for the first, then finds the checkout paid."""

    reference = models.CharField(max_length=40, unique=True)  # CHK-000123, after its first order
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkouts")
    # None while the checkout is held for compliance (ComplianceHold): no payment, and so no PaymentIntent
    # at the provider, exists before staff clear it.
    payment = models.OneToOneField("payments.Payment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Checkout {self.reference}"


class ComplianceHold(models.Model):
    """A checkout stopped before any money is taken: the buyer or the ship-to party matched a denied-party
    list entry, or the buyer's account was flagged at sign-up. Its orders wait in `compliance_hold` with
    their stock reserved and no payment; staff clear it (the payment is made, the buyer may pay) or refuse
    it (the orders are cancelled, the stock released, nothing was ever charged)."""

    class Status(models.TextChoices):
        HELD = "held", _("Waiting for compliance")  # staff have not decided; nothing can be paid
        CLEARED = "cleared", _("Cleared")  # a false match: the buyer may pay
        REFUSED = "refused", _("Refused")  # a real match: the orders are cancelled, nothing charged

    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="compliance_hold")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    # PartyHit JSON (customs/domain/compliance.py): the parties screened and the list entries they matched.
    hits = models.JSONField(default=list, blank=True)
    flagged_account = models.BooleanField(default=False)  # the buyer was flagged at sign-up
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        permissions = [("review_compliancehold", "Can clear or refuse checkouts held for compliance")]
        constraints = [models.CheckConstraint(condition=Q(status__in=["held", "cleared", "refused"]),
                                              name="compliance_hold_status_valid")]

    def __str__(self) -> str:
        return f"Compliance hold of {self.checkout.reference}"


class Order(models.Model):
    """One seller's part of a purchase. Status constants say what the state means; the allowed
    moves are in marketplace/domain/states.py."""

    class Status(models.TextChoices):
        # A denied-party match at checkout: staff clear it (→ pending_payment) or refuse it (→ cancelled);
        # the stock is reserved and no payment exists meanwhile (ComplianceHold).
        COMPLIANCE_HOLD = "compliance_hold", _("Held for compliance review")
        PENDING_PAYMENT = "pending_payment", _("Awaiting payment")  # quote locked, stock reserved
        PAID = "paid", _("Paid")  # money held in escrow; the seller must book the shipment
        SHIPPED = "shipped", _("Shipped")  # booked with a carrier, on its way / in clearance
        DELIVERED = "delivered", _("Delivered")  # at the buyer's door; escrow waits for the window
        COMPLETED = "completed", _("Completed")  # escrow released and the seller's payout recorded
        CANCELLED = "cancelled", _("Cancelled")  # never paid, or stopped before shipping
        REFUNDED = "refunded", _("Refunded")  # money returned to the buyer

    class Incoterm(models.TextChoices):
        DDP = "DDP", _("Delivered duty paid")
        DAP = "DAP", _("Delivered at place (duties on delivery)")

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="orders")
    # The checkout the order was placed and is paid in; set as the checkout is made, right after its orders.
    checkout = models.ForeignKey(Checkout, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_PAYMENT)
    incoterm = models.CharField(max_length=3, choices=Incoterm.choices, default=Incoterm.DDP)
    idempotency_key = models.CharField(max_length=80)
    # Ship-to, copied from the buyer at checkout so later profile edits do not move the parcel.
    ship_name = models.CharField(max_length=200)
    ship_address = models.CharField(max_length=300)
    ship_city = models.CharField(max_length=100)
    ship_postcode = models.CharField(max_length=20, blank=True)
    ship_country = models.CharField(max_length=2, validators=[country_validator])
    # The locked quote, in the buyer's currency; the snapshot keeps every figure and its source.
    currency = models.CharField(max_length=3, validators=[currency_validator])
    goods_amount = models.DecimalField(max_digits=14, decimal_places=2)
    shipping_amount = models.DecimalField(max_digits=14, decimal_places=2)
    duties_amount = models.DecimalField(max_digits=14, decimal_places=2)
    total_amount = models.DecimalField(max_digits=14, decimal_places=2)
    quote = models.JSONField()  # a QuoteSnapshot's JSON (marketplace/domain/quote_snapshot.py): read `snapshot`
    quote_expires_at = models.DateTimeField()
    # The listings' stock is held for this order: from checkout until a payment fails (paying again
    # takes it again) or the order is cancelled.
    stock_reserved = models.BooleanField(default=True)
    shipping_service = models.CharField(max_length=60)
    delivered_at = models.DateTimeField(null=True, blank=True)  # starts the dispute window
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["buyer", "idempotency_key"], name="order_idempotent_per_buyer"),
            models.CheckConstraint(
                condition=Q(status__in=["compliance_hold", "pending_payment", "paid", "shipped", "delivered", "completed",
                                        "cancelled", "refunded"]),
                name="order_status_valid"),
            models.CheckConstraint(condition=Q(total_amount__gte=0), name="order_total_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Order {self.reference}"

    @property
    def reference(self) -> str:
        return build_order_reference(self.pk)

    @property
    def snapshot(self) -> QuoteSnapshot:
        """The quote the order is locked at, typed; read once per value of `quote` (pages read it often)."""
        read = self.__dict__.get("_snapshot")
        if read is None or read[0] is not self.quote:  # `quote` replaced (a re-quote): read the new one
            read = self.__dict__["_snapshot"] = (self.quote, QuoteSnapshot.from_json(self.quote))
        return read[1]

    @property
    def total(self) -> Money:
        return Money(self.total_amount, self.currency)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="order_lines")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Snapshot of what was sold, in the seller's currency.
    description = models.CharField(max_length=200)
    hs_code = models.CharField(max_length=10)
    origin_country = models.CharField(max_length=2)
    unit_price_amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    unit_weight_kg = models.DecimalField(max_digits=8, decimal_places=3)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="order_line_quantity_positive")]

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_amount, self.currency)


class OrderEvent(models.Model):
    """Append-only history: who moved the order, when and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def to_status_label(self) -> str:
        """The state's name in the reader's language ("Awaiting payment"), not its code."""
        return dict(Order.Status.choices).get(self.to_status, self.to_status)


class ShippingAddress(models.Model):
    """A buyer's saved ship-to address. The default one is also copied onto the user (the fields
    checkout reads), so that existing orders keep the address they were placed with."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    label = models.CharField(_("label"), max_length=60, blank=True, help_text=_("e.g. Office, Warehouse"))
    name = models.CharField(_("recipient"), max_length=200)
    line = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, validators=[country_validator])
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "id"]
        constraints = [models.UniqueConstraint(fields=["user"], condition=Q(is_default=True),
                                               name="one_default_address_per_user")]

    def __str__(self) -> str:
        return f"{self.name}, {self.line}, {self.city} {self.postcode}, {self.country}"


class Cart(models.Model):
    """A buyer's cart across sellers: a logged-in user's, or an anonymous session's (merged at log-in)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="cart")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # An accepted quotation (RFQ) fixes the unit price and the quantity; otherwise the listing's tiers apply.
    quotation = models.OneToOneField("Quotation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="cart_line")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
            models.UniqueConstraint(fields=["cart", "listing"], condition=Q(quotation__isnull=True),
                                    name="one_plain_line_per_listing"),
        ]


class PriceTier(models.Model):
    """B2B volume pricing: from `min_quantity` units up, each unit costs `price_amount` (seller's currency)."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="tiers")
    min_quantity = models.PositiveIntegerField(validators=[MinValueValidator(2)])
    price_amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])

    class Meta:
        ordering = ["min_quantity"]
        constraints = [
            models.UniqueConstraint(fields=["listing", "min_quantity"], name="one_tier_per_quantity"),
            models.CheckConstraint(condition=Q(price_amount__gt=0), name="tier_price_positive"),
            models.CheckConstraint(condition=Q(min_quantity__gte=2), name="tier_from_two_units"),
        ]


def _photo_path(instance, filename: str) -> str:
    return f"listings/{instance.listing_id}/{filename}"


class ListingPhoto(models.Model):
    """Re-encoded by Pillow on upload (metadata stripped), with a thumbnail for the cards."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=_photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=_photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]


class Rfq(models.Model):
    """A buyer's request for quotation: a quantity above the listed tiers."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for the seller")  # the seller has not answered yet
        QUOTED = "quoted", _("Quoted")  # the seller answered; the buyer may accept until it expires
        ACCEPTED = "accepted", _("Accepted")  # the quotation became a cart line
        DECLINED = "declined", _("Declined")  # the seller will not quote

    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="rfqs")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="rfqs")
    quantity = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    message = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(status__in=["open", "quoted", "accepted", "declined"]),
                                              name="rfq_status_valid")]


class Quotation(models.Model):
    """The seller's answer to an RFQ: a unit price (seller's currency) valid until a date."""

    rfq = models.OneToOneField(Rfq, on_delete=models.CASCADE, related_name="quotation")
    unit_price_amount = models.DecimalField(max_digits=14, decimal_places=2,
                                            validators=[MinValueValidator(Decimal("0.01"))])
    currency = models.CharField(max_length=3, validators=[currency_validator])
    valid_until = models.DateTimeField()
    note = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(unit_price_amount__gt=0), name="quotation_price_positive")]

    @property
    def unit_price(self) -> Money:
        return Money(self.unit_price_amount, self.currency)


class ListingOriginDeclaration(models.Model):
    """What the seller declares for a listing's rule of origin: the materials of one unit (description, HS
    code, country of origin, value), its ex-works price, whether it is wholly obtained, and the exporter's
    reference for the proof of origin (REX number, approved exporter authorisation). Checked by
    customs.selectors.read_origin_declaration; a claimed preference is granted only where the agreement's
    rule is met by it (customs.domain.origin)."""

    listing = models.OneToOneField(Listing, on_delete=models.CASCADE, related_name="origin_declaration")
    ex_works_price = models.DecimalField(_("ex-works price of one unit"), max_digits=14, decimal_places=4,
                                         validators=[MinValueValidator(Decimal("0.0001"))])
    wholly_obtained = models.BooleanField(_("wholly obtained"), default=False)
    exporter_reference = models.CharField(_("exporter reference (REX / approved exporter)"), max_length=64,
                                          blank=True)
    # [{"description", "hs_code" (2, 4 or 6 digits), "origin" (ISO2), "value" (decimal string)}]
    materials = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(ex_works_price__gt=0), name="origin_ex_works_positive")]

    def as_json(self, currency: str | None = None) -> dict:
        """As the customs engine reads it (customs.domain.origin.OriginDeclaration.from_json); `currency`: the
        listing's, when the caller has it (saves reading the listing)."""
        return {"ex_works_price": str(self.ex_works_price), "currency": currency or self.listing.currency,
                "wholly_obtained": self.wholly_obtained, "exporter_reference": self.exporter_reference,
                "materials": list(self.materials)}


class Review(models.Model):
    """A buyer's review of the seller, one per delivered order: a rating of 1 to 5 and a text, naming the
    order's listing; the seller may reply once."""

    order = models.OneToOneField(Order, on_delete=models.PROTECT, related_name="review")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="reviews")
    listing = models.ForeignKey(Listing, on_delete=models.PROTECT, related_name="reviews")  # the order's (first) line
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    rating = models.PositiveSmallIntegerField(_("rating"))
    body = models.TextField(_("review"), max_length=2000)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "-created_at"], name="review_company_newest")]
        constraints = [
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5"),
            models.CheckConstraint(condition=~Q(body=""), name="review_has_a_text"),
            models.CheckConstraint(condition=Q(reply="", replied_at__isnull=True) | (~Q(reply="") & Q(
                replied_at__isnull=False)), name="review_reply_dated"),
        ]

    @property
    def stars(self) -> str:
        return "★" * self.rating + "☆" * (5 - self.rating)
