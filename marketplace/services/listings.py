"""Listings: the category tree, creating and changing listings with their price tiers, publishing and
suspending, photos; and what a buyer may order of a listing (for sale, quantity, B2B only)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, User
from accounts.selectors import company_of
from accounts.services import seller_company
from customs.compliance import goods_restrictions, shipping_destinations
from customs.domain.compliance import RestrictionNotice, prohibition_message, split_notices
from customs.selectors import hs_code_exists
from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.money import has_too_many_decimals, minor_units
from ewtp.numbers import parse_decimal, parse_int
from ewtp.roles import VERIFY_COMPANY
from ewtp.validators import validate_model
from marketplace import search
from marketplace.domain import images
from marketplace.models import Category, Listing, ListingOriginDeclaration, ListingPhoto, PriceTier

LISTING_FIELDS = ("title_en", "title_zh", "description_en", "description_zh", "hs_code", "origin_country",
                  "price_amount", "stock", "moq", "weight_kg", "length_cm", "width_cm", "height_cm", "category",
                  "retail", "b2b_only", "does_not_ship_to")


def category_create(*, name_en: str, slug: str, name_zh: str = "", parent: Category | None = None) -> Category:
    """A node of the category tree (idempotent on parent + slug)."""
    with transaction.atomic():
        category = Category.objects.filter(parent=parent, slug=slug).first() or Category(parent=parent, slug=slug)
        category.name_en, category.name_zh = name_en, name_zh
        validate_model(category, exclude=["path"])
        category.save()
    return category


MAX_TIERS = 10


MAX_PHOTOS = 8


def listing_create(*, user: User, data: dict, publish: bool = False, tiers: list[tuple] | None = None) -> Listing:
    """A listing in the company's currency, with its price tiers; published at once if asked and allowed."""
    company = seller_company(user)
    listing = Listing(company=company, currency=company.currency,
                      **{k: v for k, v in data.items() if k in LISTING_FIELDS})
    check_listing(listing)
    checked_tiers = check_tiers(listing, tiers or [])
    with transaction.atomic():
        _save_listing(listing)
        _replace_tiers(listing, checked_tiers)
        if publish:
            listing_publish(user=user, listing_id=listing.pk)
            listing.refresh_from_db()
    return listing


def listing_update(*, user: User, listing_id: int, data: dict, tiers: list[tuple] | None = None) -> Listing:
    """Change a listing of the user's company (`tiers` None keeps them; [] removes them)."""
    company = seller_company(user)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        for key, value in data.items():
            if key in LISTING_FIELDS:
                setattr(listing, key, value)
        check_listing(listing)
        if listing.status == Listing.Status.PUBLISHED:  # a new HS code or destination is checked as publishing is
            check_publishable(listing)
        checked = check_tiers(listing, tiers if tiers is not None else
                               [(t.min_quantity, t.price_amount) for t in listing.tiers.all()])
        _save_listing(listing)  # a new updated_at: cached landed costs of the old version are not used
        if tiers is not None:
            _replace_tiers(listing, checked)
    return listing


def _save_listing(listing: Listing) -> None:
    """Save with its search columns: jieba's Chinese words and (PostgreSQL) the tsvector."""
    listing.search_zh = search.search_zh_for(listing)
    listing.save()
    search.reindex([listing.pk])


def check_tiers(listing: Listing, tiers: list[tuple]) -> list[tuple[int, Decimal]]:
    """Tiers as (min_quantity, unit price): above the MOQ, each cheaper than the last, in the currency's decimals."""
    if len(tiers) > MAX_TIERS:
        raise ApplicationError(f"Give at most {MAX_TIERS} price tiers.", code="too_many_tiers", field="tiers")
    checked = []
    for quantity, price in tiers:
        quantity = parse_int(quantity, field="tiers", minimum=1, maximum=10_000_000, code="invalid_tier",
                             message="Write each tier as a quantity and a unit price, e.g. 50 = 12.50.")
        price = parse_decimal(price, field="tiers", code="invalid_tier",
                              message="Write each tier as a quantity and a unit price, e.g. 50 = 12.50.")
        if price <= 0 or has_too_many_decimals(price, listing.currency):
            raise ApplicationError(f"Tier price {price} is not a valid {listing.currency} amount.",
                                   code="invalid_tier", field="tiers")
        if quantity <= listing.moq:
            raise ApplicationError(f"A tier starts above the minimum order ({listing.moq}).", code="invalid_tier",
                                   field="tiers")
        checked.append((quantity, price))
    checked.sort()
    previous_quantity, previous_price = listing.moq, listing.price_amount
    for quantity, price in checked:
        if quantity == previous_quantity:
            raise ApplicationError(f"Two tiers start at {quantity}.", code="invalid_tier", field="tiers")
        if price >= previous_price:
            raise ApplicationError(f"The tier from {quantity} units must cost less per unit than the one before.",
                                   code="invalid_tier", field="tiers")
        previous_quantity, previous_price = quantity, price
    return checked


def _replace_tiers(listing: Listing, tiers: list[tuple[int, Decimal]]) -> None:
    listing.tiers.all().delete()
    PriceTier.objects.bulk_create([PriceTier(listing=listing, min_quantity=q, price_amount=p) for q, p in tiers])


def check_destinations(value) -> list[str]:
    """The countries a listing does not ship to, as a sorted list of ISO alpha-2 codes ("GB, au" or a list;
    "EU" names every member state)."""
    from ewtp.validators import country_validator

    items = value.replace(";", ",").split(",") if isinstance(value, str) else list(value or [])
    codes = set()
    for item in items:
        code = str(item).strip().upper()
        if not code:
            continue
        try:
            country_validator(code)
        except ValidationError as exc:
            raise ApplicationError(f"{code} is not a country code (ISO alpha-2, e.g. GB).", code="invalid_country",
                                   field="does_not_ship_to") from exc
        codes.add(code)
    if len(codes) > 300:
        raise ApplicationError("Name at most 300 countries.", code="too_many", field="does_not_ship_to")
    return sorted(codes)


def listing_restrictions(listing: Listing) -> tuple[list[RestrictionNotice], list[RestrictionNotice]]:
    """(prohibitions, licence requirements) of the tariff book for the goods, in every country the listing
    ships to (the platform's destinations, less the ones the seller does not ship to)."""
    destinations = shipping_destinations(listing.does_not_ship_to or [])
    return split_notices(goods_restrictions(hs_code=listing.hs_code, origin=listing.origin_country,
                                            destinations=destinations))


def check_publishable(listing: Listing) -> None:
    """A published listing ships nowhere that prohibits its goods: refused with the authority's wording."""
    prohibited, _licences = listing_restrictions(listing)
    if prohibited:
        raise ApplicationError(prohibition_message(prohibited, hs_code=listing.hs_code),
                               code="prohibited_destination", field="does_not_ship_to")


def check_listing(listing: Listing, *, constraints: bool = True) -> None:
    listing.does_not_ship_to = check_destinations(listing.does_not_ship_to)
    if not listing.title_en.strip() and not listing.title_zh.strip():
        raise ApplicationError("Give a title in English or Chinese.", code="required", field="title_en")
    if isinstance(listing.stock, int) and listing.stock < 0:
        raise ApplicationError("Stock cannot be negative.", code="invalid", field="stock")
    if constraints:
        validate_model(listing, exclude=["company", "search_vector"])
    else:  # a bulk import checks SKUs itself, without a query per row
        try:
            listing.clean_fields(exclude=["company", "search_vector"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ApplicationError(messages[0], code="invalid", field=field) from exc
    if has_too_many_decimals(listing.price_amount, listing.currency):
        raise ApplicationError(f"{listing.currency} prices have at most {minor_units(listing.currency)} decimals.",
                               code="too_many_decimals", field="price_amount")
    if not hs_code_exists(listing.hs_code):
        raise ApplicationError(f"{listing.hs_code} is not in the HS nomenclature.", code="unknown_hs_code",
                               field="hs_code")


def listing_publish(*, user: User, listing_id: int, publish: bool = True) -> Listing:
    return listing_set_status(user=user, listing_id=listing_id,
                              status=Listing.Status.PUBLISHED if publish else Listing.Status.DRAFT)


def listing_set_status(*, user: User, listing_id: int, status: str) -> Listing:
    """Move a listing between draft, published (verified companies only) and suspended (taken down:
    out of the catalog, kept for the orders that name it)."""
    company = seller_company(user)
    if status not in Listing.Status.values:
        raise ApplicationError("Choose draft, published or suspended.", code="invalid_status", field="status")
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        if status == Listing.Status.PUBLISHED and not company.is_verified:
            raise Conflict("Your company must be verified before it can publish.", code="company_not_verified",
                           field="status")
        if status == Listing.Status.PUBLISHED:
            check_publishable(listing)
        listing.status = status
        listing.save(update_fields=["status", "updated_at"])
    return listing


def listing_suspend_by_staff(*, staff: User, listing_id: int, reason: str = "") -> Listing:
    if not staff.has_perm(VERIFY_COMPANY):
        raise PermissionDenied("Only compliance staff suspend listings.")
    with transaction.atomic():
        listing = Listing.objects.select_for_update().get(pk=listing_id)
        listing.status = Listing.Status.SUSPENDED
        listing.save(update_fields=["status", "updated_at"])
    return listing


def listing_photo_add(*, user: User, listing_id: int, upload) -> ListingPhoto:
    """Check the upload (type by its bytes, size, pixels), re-encode it with Pillow (EXIF and anything
    hidden dropped) and store it with a thumbnail for the cards."""
    company = seller_company(user)
    try:
        full, thumb, (width, height) = images.reencode(upload)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_image", field="photos") from exc
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        count = listing.photos.count()
        if count >= MAX_PHOTOS:
            raise ApplicationError(f"A listing has at most {MAX_PHOTOS} photos.", code="too_many_photos",
                                   field="photos")
        name = uuid.uuid4().hex[:12]
        photo = ListingPhoto(listing=listing, position=count)
        photo.image.save(f"{name}.jpg", full, save=False)
        photo.thumbnail.save(f"{name}-thumb.jpg", thumb, save=False)
        photo.width, photo.height = width, height
        photo.save()
        listing.save(update_fields=["updated_at"])
    return photo


def listing_photo_delete(*, user: User, listing_id: int, photo_id: int) -> None:
    company = seller_company(user)
    with transaction.atomic():
        photo = ListingPhoto.objects.select_for_update().filter(pk=photo_id, listing_id=listing_id,
                                                                listing__company=company).first()
        if photo is None:
            raise NotFound("No such photo.")
        files = [photo.image.name, photo.thumbnail.name]
        storage = photo.image.storage
        photo.delete()
        transaction.on_commit(lambda: [storage.delete(name) for name in files])


def listing_for_sale(listing_id) -> Listing:
    listing = Listing.objects.select_related("company").filter(
        pk=listing_id, status=Listing.Status.PUBLISHED, company__verification=Company.Verification.VERIFIED).first()
    if listing is None:
        raise NotFound("This product is not for sale.", field="listing")
    return listing


def check_quantity(listing: Listing, quantity: int, *, quoted: bool = False) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ApplicationError("Order at least one unit.", code="invalid_quantity", field="quantity")
    if quantity < listing.moq and not quoted:
        raise ApplicationError(f"The minimum order for {listing.title} is {listing.moq}.", code="below_moq",
                               field="quantity")
    if quantity > listing.stock:
        raise ApplicationError(f"Only {listing.stock} of {listing.title} in stock.", code="insufficient_stock",
                               field="quantity")


def check_b2b(listing: Listing, buyer: User | None) -> None:
    if listing.b2b_only and buyer is not None and buyer.is_authenticated and company_of(buyer) is None:
        raise Conflict(f"{listing.title} is sold to businesses only: register your company to buy it.",
                       code="b2b_only", field="listing")


def listing_declare_origin(*, user: User, listing_id: int, data: dict) -> ListingOriginDeclaration:
    """The seller's materials declaration for a listing's rule of origin, checked field by field (HS codes
    that exist, ISO countries, amounts not negative, the materials together at most the ex-works price):
    saved whole, or nothing changes."""
    from customs.selectors import read_origin_declaration

    company = seller_company(user)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        declared = read_origin_declaration(data, product_origin=listing.origin_country, currency=listing.currency)
        stored = declared.as_json()
        declaration, _ = ListingOriginDeclaration.objects.update_or_create(
            listing=listing, defaults={"ex_works_price": declared.ex_works_price,
                                       "wholly_obtained": declared.wholly_obtained,
                                       "exporter_reference": declared.exporter_reference,
                                       "materials": stored["materials"]})
        # a new version of the listing: its cached landed costs (keyed by updated_at) are quoted again
        Listing.objects.filter(pk=listing.pk).update(updated_at=timezone.now())
    return declaration
