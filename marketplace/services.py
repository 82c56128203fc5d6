"""Marketplace writes: sign-up, companies, listings, orders. One transaction each."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from ewtp.money import Money
from ewtp.numbers import is_whole_number, parse_decimal, parse_int
from marketplace.domain.states import ORDER
from marketplace.models import (
    CUSTOMS_OFFICERS_GROUP,
    Cart,
    CartLine,
    Category,
    Company,
    CompanyMember,
    Listing,
    ListingPhoto,
    Order,
    OrderEvent,
    OrderLine,
    PriceTier,
    Quotation,
    Rfq,
    ShippingAddress,
    User,
)

LISTING_FIELDS = ("title_en", "title_zh", "description_en", "description_zh", "hs_code", "origin_country",
                  "price_amount", "stock", "moq", "weight_kg", "length_cm", "width_cm", "height_cm", "category",
                  "retail", "b2b_only")


def _validate(instance, exclude: list[str] | None = None) -> None:
    """Model validation as an ApplicationError naming the first field at fault."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ApplicationError(messages[0], code="invalid", field=None if field == "__all__" else field) from exc


def user_signup(*, email: str, password: str, full_name: str = "", country: str = "",
                preferred_currency: str = "") -> User:
    email = (email or "").strip().lower()
    if not email:
        raise ApplicationError("Enter your email address.", code="required", field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError("An account with this email already exists.", code="duplicate_email", field="email")
    country = (country or "").strip().upper()
    if country and not preferred_currency:  # guessed from the country; the buyer may change it
        from customs.selectors import destination_currency

        preferred_currency = destination_currency(country)
    user = User(email=email, full_name=full_name, country=country, preferred_currency=preferred_currency.upper())
    from django.contrib.auth.password_validation import validate_password

    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password") from exc
    user.set_password(password)
    _validate(user, exclude=["password"])
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # two sign-ups racing for the same email
        raise ApplicationError("An account with this email already exists.", code="duplicate_email",
                               field="email") from exc
    return user


def customs_officers_group() -> Group:
    """The customs officers' role (ewtp/roles.py): the console and case decisions, nothing else."""
    from ewtp.roles import role_group

    return role_group(CUSTOMS_OFFICERS_GROUP)


COMPANY_FIELDS = ("legal_name", "country", "city", "address", "postcode", "registration_number", "tax_id", "currency",
                  "vat_number", "eori_number", "contact_name", "contact_email", "contact_phone")


def _check_company(company: Company, licence) -> None:
    from marketplace.domain import tax_ids, uploads

    company.country, company.currency = company.country.upper(), company.currency.upper()
    for field in ("legal_name", "city", "address"):
        if not getattr(company, field).strip():
            raise ApplicationError("This field is required.", code="required", field=field)
    _validate(company, exclude=["business_licence"])
    from ewtp.fx import fx_table

    if not fx_table().supports(company.currency):
        raise ApplicationError(f"We have no exchange rate for {company.currency}; choose a currency such as USD, "
                               "EUR or your own if the ECB quotes it.", code="unsupported_currency", field="currency")
    try:
        if company.vat_number:
            company.vat_number = tax_ids.vat_check(company.vat_number, company.country)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_vat", field="vat_number") from exc
    try:
        if company.eori_number:
            company.eori_number = tax_ids.eori_check(company.eori_number, company.country)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_eori", field="eori_number") from exc
    if licence is not None:
        licence.seek(0)
        head = licence.read(16)
        licence.seek(0)
        problem = uploads.licence_problem(head, licence.size)
        if problem:
            raise ApplicationError(problem, code="invalid_licence", field="business_licence")


def _store_licence(company: Company, licence) -> None:
    from marketplace.domain import uploads

    kind = uploads.sniff(licence.read(16))
    licence.seek(0)
    # A name of our own: the uploader's file name never reaches the storage.
    company.business_licence.save(f"company-{company.pk}-{uuid.uuid4().hex[:8]}.{kind}", licence, save=False)
    company.save(update_fields=["business_licence"])


def company_create(*, owner: User, legal_name: str, country: str, city: str, address: str, currency: str,
                   postcode: str = "", tax_id: str = "", registration_number: str = "", vat_number: str = "",
                   eori_number: str = "", contact_name: str = "", contact_email: str = "", contact_phone: str = "",
                   business_licence=None) -> Company:
    """Register the owner's company; it waits for staff verification before it may publish."""
    company = Company(legal_name=legal_name.strip(), country=country, city=city, address=address, postcode=postcode,
                      currency=currency, tax_id=tax_id, registration_number=registration_number,
                      vat_number=vat_number, eori_number=eori_number, contact_name=contact_name,
                      contact_email=contact_email or owner.email, contact_phone=contact_phone,
                      submitted_at=timezone.now())
    _check_company(company, business_licence)
    with transaction.atomic():
        if owner.memberships.exists():
            raise Conflict("You already belong to a company.", code="already_member")
        company.save()
        CompanyMember.objects.create(company=company, user=owner, role="owner")
        if business_licence is not None:
            _store_licence(company, business_licence)
    return company


def company_update(*, user: User, data: dict, business_licence=None) -> Company:
    """The seller corrects the company's details; a rejected company goes back to staff for review."""
    owned = _company_of(user)
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=owned.pk)
        for key in COMPANY_FIELDS:
            if key in data:
                setattr(company, key, data[key] if data[key] is not None else "")
        _check_company(company, business_licence)
        if company.verification == Company.Verification.REJECTED:
            company.verification = Company.Verification.PENDING
            company.submitted_at = timezone.now()
        company.save()
        if business_licence is not None:
            _store_licence(company, business_licence)
    return company


def company_verify(*, company: Company, staff: User, approve: bool, reason: str = "") -> Company:
    """Compliance staff verify a company (it may publish) or reject it with the reason the seller sees;
    the audit trail records who decided."""
    from ewtp.audit import staff_action_record
    from ewtp.roles import VERIFY_COMPANY

    if not staff.has_perm(VERIFY_COMPANY):
        raise PermissionDenied("Only compliance staff verify companies.")
    if not approve and not reason.strip():
        raise ApplicationError("Give the reason for the rejection.", code="reason_required", field="reason")
    if len(reason) > 500:
        raise ApplicationError("Keep the reason under 500 characters.", code="too_long", field="reason")
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        company.verification = Company.Verification.VERIFIED if approve else Company.Verification.REJECTED
        company.verification_reason = reason.strip()
        company.verified_at = timezone.now() if approve else None
        company.save(update_fields=["verification", "verification_reason", "verified_at"])
        staff_action_record(actor=staff, action="company.verify" if approve else "company.reject",
                            target=f"company {company.pk}", name=company.legal_name, reason=reason.strip())
        if not approve:  # a rejected company's listings leave the catalog
            company.listings.filter(status=Listing.Status.PUBLISHED).update(status=Listing.Status.DRAFT,
                                                                            updated_at=timezone.now())
    return company


def category_create(*, name_en: str, slug: str, name_zh: str = "", parent: Category | None = None) -> Category:
    """A node of the category tree (idempotent on parent + slug)."""
    with transaction.atomic():
        category = Category.objects.filter(parent=parent, slug=slug).first() or Category(parent=parent, slug=slug)
        category.name_en, category.name_zh = name_en, name_zh
        _validate(category, exclude=["path"])
        category.save()
    return category


def _company_of(user: User) -> Company:
    company = user.company if user.is_authenticated else None
    if company is None:
        raise PermissionDenied("Only members of a seller company can do this.", code="not_a_seller")
    return company


MAX_TIERS = 10
MAX_PHOTOS = 8


def listing_create(*, user: User, data: dict, publish: bool = False, tiers: list[tuple] | None = None) -> Listing:
    """A listing in the company's currency, with its price tiers; published at once if asked and allowed."""
    company = _company_of(user)
    listing = Listing(company=company, currency=company.currency,
                      **{k: v for k, v in data.items() if k in LISTING_FIELDS})
    _check_listing(listing)
    checked_tiers = _check_tiers(listing, tiers or [])
    with transaction.atomic():
        _save_listing(listing)
        _replace_tiers(listing, checked_tiers)
        if publish:
            listing_publish(user=user, listing_id=listing.pk)
            listing.refresh_from_db()
    return listing


def listing_update(*, user: User, listing_id: int, data: dict, tiers: list[tuple] | None = None) -> Listing:
    """Change a listing of the user's company (`tiers` None keeps them; [] removes them)."""
    company = _company_of(user)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        for key, value in data.items():
            if key in LISTING_FIELDS:
                setattr(listing, key, value)
        _check_listing(listing)
        checked = _check_tiers(listing, tiers if tiers is not None else
                               [(t.min_quantity, t.price_amount) for t in listing.tiers.all()])
        _save_listing(listing)  # a new updated_at: cached landed costs of the old version are not used
        if tiers is not None:
            _replace_tiers(listing, checked)
    return listing


def _save_listing(listing: Listing) -> None:
    """Save with its search columns: jieba's Chinese words and (PostgreSQL) the tsvector."""
    from marketplace import search

    listing.search_zh = search.search_zh_for(listing)
    listing.save()
    search.reindex([listing.pk])


def _check_tiers(listing: Listing, tiers: list[tuple]) -> list[tuple[int, Decimal]]:
    """Tiers as (min_quantity, unit price): above the MOQ, each cheaper than the last, in the currency's decimals."""
    from ewtp.money import has_too_many_decimals

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


def _check_listing(listing: Listing, *, constraints: bool = True) -> None:
    from customs.selectors import hs_code_exists
    from ewtp.money import has_too_many_decimals

    if not listing.title_en.strip() and not listing.title_zh.strip():
        raise ApplicationError("Give a title in English or Chinese.", code="required", field="title_en")
    if isinstance(listing.stock, int) and listing.stock < 0:
        raise ApplicationError("Stock cannot be negative.", code="invalid", field="stock")
    if constraints:
        _validate(listing, exclude=["company", "search_vector"])
    else:  # a bulk import checks SKUs itself, without a query per row
        try:
            listing.clean_fields(exclude=["company", "search_vector"])
        except ValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ApplicationError(messages[0], code="invalid", field=field) from exc
    if has_too_many_decimals(listing.price_amount, listing.currency):
        raise ApplicationError(f"{listing.currency} prices have at most {_decimals(listing.currency)} decimals.",
                               code="too_many_decimals", field="price_amount")
    if not hs_code_exists(listing.hs_code):
        raise ApplicationError(f"{listing.hs_code} is not in the HS nomenclature.", code="unknown_hs_code",
                               field="hs_code")


def _decimals(currency: str) -> int:
    from ewtp.money import minor_units

    return minor_units(currency)


def listing_publish(*, user: User, listing_id: int, publish: bool = True) -> Listing:
    return listing_set_status(user=user, listing_id=listing_id,
                              status=Listing.Status.PUBLISHED if publish else Listing.Status.DRAFT)


def listing_set_status(*, user: User, listing_id: int, status: str) -> Listing:
    """Move a listing between draft, published (verified companies only) and suspended (taken down:
    out of the catalog, kept for the orders that name it)."""
    company = _company_of(user)
    if status not in Listing.Status.values:
        raise ApplicationError("Choose draft, published or suspended.", code="invalid_status", field="status")
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        if status == Listing.Status.PUBLISHED and not company.is_verified:
            raise Conflict("Your company must be verified before it can publish.", code="company_not_verified",
                           field="status")
        listing.status = status
        listing.save(update_fields=["status", "updated_at"])
    return listing


def listing_suspend_by_staff(*, staff: User, listing_id: int, reason: str = "") -> Listing:
    from ewtp.roles import VERIFY_COMPANY

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
    from marketplace.domain import images

    company = _company_of(user)
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
    company = _company_of(user)
    with transaction.atomic():
        photo = ListingPhoto.objects.select_for_update().filter(pk=photo_id, listing_id=listing_id,
                                                                listing__company=company).first()
        if photo is None:
            raise NotFound("No such photo.")
        files = [photo.image.name, photo.thumbnail.name]
        storage = photo.image.storage
        photo.delete()
        transaction.on_commit(lambda: [storage.delete(name) for name in files])


def _set_status(order: Order, target: str, *, actor: User | None = None, note: str = "") -> None:
    ORDER.check(order.status, target)
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=target, actor=actor, note=note[:500])
    order.status = target
    order.save(update_fields=["status", "updated_at"])


def _check_buyer(buyer: User, incoterm: str) -> None:
    if not buyer.country or not buyer.address_line or not buyer.city:
        raise ApplicationError("Add your shipping address to your profile first.", code="address_required",
                               field="address_line")
    if incoterm not in Order.Incoterm.values:
        raise ApplicationError("Choose DDP or DAP.", code="invalid_incoterm", field="incoterm")


def _check_quantity(listing: Listing, quantity: int, *, quoted: bool = False) -> None:
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ApplicationError("Order at least one unit.", code="invalid_quantity", field="quantity")
    if quantity < listing.moq and not quoted:
        raise ApplicationError(f"The minimum order for {listing.title} is {listing.moq}.", code="below_moq",
                               field="quantity")
    if quantity > listing.stock:
        raise ApplicationError(f"Only {listing.stock} of {listing.title} in stock.", code="insufficient_stock",
                               field="quantity")


def _check_b2b(listing: Listing, buyer: User | None) -> None:
    if listing.b2b_only and buyer is not None and buyer.is_authenticated and not buyer.memberships.exists():
        raise Conflict(f"{listing.title} is sold to businesses only: register your company to buy it.",
                       code="b2b_only", field="listing")


def order_place(*, buyer: User, listing_id: int, quantity: int, idempotency_key: str | None = None,
                incoterm: str = "DDP", accept_dap: bool = False) -> Order:
    """Lock the quote and reserve the stock. The same idempotency key returns the same order. A DDP
    order whose duty is under manual assessment is refused (ManualAssessmentRequired) unless the buyer
    accepts DAP for it (`accept_dap`)."""
    _check_buyer(buyer, incoterm)
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise ApplicationError("Order at least one unit.", code="invalid_quantity", field="quantity")
    key = idempotency_key or uuid.uuid4().hex
    with transaction.atomic():
        existing = Order.objects.filter(buyer=buyer, idempotency_key=key).first()
        if existing:
            return existing
        listing = Listing.objects.select_for_update().select_related("company").filter(
            pk=listing_id, status=Listing.Status.PUBLISHED).first()
        if listing is None:
            raise NotFound("This product is not for sale.", field="listing")
        order = _order_create(buyer=buyer, items=[(listing, quantity, None)], incoterm=incoterm, key=key,
                              accept_dap=accept_dap)
        _checkout_payment_create(buyer=buyer, orders=[order])
        return order


def _share(order: Order):
    from payments.services import Share

    return Share(reference=order.reference, company_id=order.company_id, total=order.total,
                 duties=Money(order.duties_amount, order.currency))


def _checkout_reference(first_order: Order) -> str:
    """A checkout is named after its first order."""
    return f"CHK-{first_order.pk:06d}"


def _checkout_payment_create(*, buyer: User, orders: list[Order]):
    """The checkout's one payment, each order's share in it."""
    from payments.services import payment_create

    return payment_create(reference=_checkout_reference(orders[0]), buyer=buyer, shares=[_share(o) for o in orders],
                          destination=orders[0].ship_country, idempotency_key=f"checkout:{orders[0].pk}")


class ManualAssessmentRequired(Conflict):
    """A DDP order has lines whose duty customs assesses at import (manual assessment): it cannot be paid
    in full now. The buyer accepts DAP for it (duties payable on delivery) or the order is not placed."""

    def __init__(self, lines: list[dict]) -> None:
        named = ", ".join(f"{line['description']} (HS {line['hs_code']})" for line in lines)
        super().__init__(f"The duty on {named} is assessed by customs at import, so it cannot be paid now (DDP): "
                         "accept DAP for this order (duties and taxes payable on delivery) or remove it.",
                         code="manual_assessment", field="accept_dap")
        self.lines = lines

    def as_json(self) -> dict:
        data = super().as_json()
        data["error"]["lines"] = self.lines
        return data


def _order_create(*, buyer: User, items: list[tuple], incoterm: str, key: str, accept_dap: bool = False) -> Order:
    """One seller's order from locked listings: check, quote, take the stock, record.
    `items` are (listing locked FOR UPDATE, quantity, quotation or None). Runs inside the caller's transaction.
    DDP is never charged with a duty missing: a DDP order with a line under manual assessment raises
    ManualAssessmentRequired, or with `accept_dap` is quoted and stored as DAP, saying why."""
    from marketplace.pricing import QuoteLine, buyer_quoted_as, quote_lines

    company = items[0][0].company
    if company.members.filter(user=buyer).exists():
        raise Conflict("You cannot buy your own company's goods.", code="own_listing", field="listing")
    for listing, quantity, quotation in items:
        _check_quantity(listing, quantity, quoted=quotation is not None)
        _check_b2b(listing, buyer)
    quote_input = [QuoteLine(listing, quantity, quotation.unit_price if quotation else None)
                   for listing, quantity, quotation in items]
    as_buyer = buyer_quoted_as(buyer, destination=buyer.country)  # as the catalog and product page quoted them
    quote = quote_lines(lines=quote_input, destination=buyer.country, currency=buyer.preferred_currency or None,
                        incoterm=incoterm, **as_buyer)
    dap_note = ""
    if incoterm == Order.Incoterm.DDP and quote.duty_assessed_at_import:
        manual = [{**line, "seller": company.legal_name} for line in quote.manual_lines]
        if not accept_dap:
            raise ManualAssessmentRequired(manual)
        incoterm = Order.Incoterm.DAP
        quote = quote_lines(lines=quote_input, destination=buyer.country, currency=buyer.preferred_currency or None,
                            incoterm=incoterm, **as_buyer)
        quote.snapshot["dap_accepted"] = {"asked": "DDP", "lines": manual, "reason": quote.manual_reason}
        dap_note = (" Asked for DDP; the buyer accepted DAP because customs assesses the duty at import: "
                    + quote.manual_reason)[:400]
    order = Order.objects.create(
        buyer=buyer, company=company, incoterm=incoterm, idempotency_key=key,
        ship_name=buyer.full_name or buyer.email, ship_address=buyer.address_line, ship_city=buyer.city,
        ship_postcode=buyer.postcode, ship_country=buyer.country, currency=quote.currency,
        goods_amount=quote.goods.amount, shipping_amount=quote.shipping.amount,
        duties_amount=quote.duties_payable_now.amount, total_amount=quote.total_payable_now.amount,
        quote=quote.snapshot, quote_expires_at=timezone.now() + timedelta(minutes=settings.QUOTE_VALIDITY_MINUTES),
        shipping_service=quote.shipping_service,
    )
    for listing, quantity, quotation in items:
        unit = quotation.unit_price if quotation else listing.unit_price_for(quantity)
        listing.stock -= quantity
        listing.save(update_fields=["stock", "updated_at"])
        OrderLine.objects.create(order=order, listing=listing, quantity=quantity, description=listing.title,
                                 hs_code=listing.hs_code, origin_country=listing.origin_country,
                                 unit_price_amount=unit.amount, currency=unit.currency,
                                 unit_weight_kg=listing.weight_kg)
    OrderEvent.objects.create(order=order, to_status=order.status, actor=buyer, note="Quote locked." + dap_note)
    return order


class QuoteChanged(Conflict):
    """The checkout was re-quoted and a figure changed: the buyer must confirm the new total."""

    def __init__(self, changes: list[dict]) -> None:
        super().__init__("The quote has changed since you checked out: confirm the new total to pay.",
                         code="quote_changed")
        self.changes = changes


def _quote_figures(quote: dict) -> dict[str, dict]:
    """The figures a buyer compares when a quote changes, each as Money JSON."""
    currency = quote["currency"]
    duty = Money(Decimal(quote["customs"]["duty"]["amount"]), currency)
    duties = Money(Decimal(quote["duties_estimate"]["amount"]), currency)
    return {"goods": quote["goods"], "shipping": quote["shipping"], "duty": duty.as_json(),
            "tax": (duties - duty).as_json(), "total": quote["total_payable_now"]}


def _quote_stale(order: Order, buyer: User, now) -> bool:
    """The locked quote no longer holds: it expired, or the buyer moved the ship-to or changed currency."""
    from customs.selectors import destination_currency

    currency = buyer.preferred_currency or destination_currency(buyer.country)
    return (order.quote_expires_at <= now or order.currency != currency
            or (order.ship_country, order.ship_address, order.ship_city, order.ship_postcode)
            != (buyer.country, buyer.address_line, buyer.city, buyer.postcode))


def checkout_requote(*, buyer: User, reference: str) -> list[dict]:
    """Re-quote every order of an unpaid checkout whose quote no longer holds (expired, or the
    ship-to or currency changed): the seller's unit prices stay; FX, shipping, duty and taxes
    are quoted afresh, the payment takes the new total. Returns what changed, per order
    (nothing when the figures are the same)."""
    from marketplace.pricing import QuoteLine, buyer_quoted_as, quote_lines
    from marketplace.selectors import checkout_get
    from payments.services import payment_reprice

    with transaction.atomic():
        checkout = checkout_get(buyer=buyer, reference=reference, lock=True)
        if checkout is None:
            raise NotFound("No such checkout.")
        now = timezone.now()
        if not checkout.payable or not any(_quote_stale(order, buyer, now) for order in checkout.orders):
            return []
        _check_buyer(buyer, checkout.orders[0].incoterm)
        changes = []
        as_buyer = buyer_quoted_as(buyer, destination=buyer.country)
        for order in checkout.orders:
            lines = list(order.lines.select_related("listing", "listing__company"))
            quote_input = [QuoteLine(line.listing, line.quantity, line.unit_price) for line in lines]
            quote = quote_lines(lines=quote_input, destination=buyer.country, **as_buyer,
                                currency=buyer.preferred_currency or None, incoterm=order.incoterm)
            incoterm_change = None
            if order.incoterm == Order.Incoterm.DDP and quote.duty_assessed_at_import:
                # Never DDP with a duty missing: the new quote is DAP, and the buyer confirms it (QuoteChanged).
                quote = quote_lines(lines=quote_input, destination=buyer.country, **as_buyer,
                                    currency=buyer.preferred_currency or None, incoterm=Order.Incoterm.DAP)
                quote.snapshot["dap_accepted"] = {"asked": "DDP", "lines": quote.manual_lines,
                                                  "reason": quote.manual_reason}
                incoterm_change = {"old": order.incoterm, "new": Order.Incoterm.DAP, "reason": quote.manual_reason}
                order.incoterm = Order.Incoterm.DAP
            elif order.quote.get("dap_accepted"):
                quote.snapshot["dap_accepted"] = order.quote["dap_accepted"]
            before, after = _quote_figures(order.quote), _quote_figures(quote.snapshot)
            change = {"order": order.reference, "seller": order.company.legal_name,
                      "figures": [{"name": name, "old": before[name], "new": after[name]} for name in before],
                      "fx_old": order.quote["fx"], "fx_new": quote.snapshot["fx"]}
            if incoterm_change:
                change["incoterm"] = incoterm_change
            changed = before != after or incoterm_change is not None
            order.ship_address, order.ship_city, order.ship_postcode, order.ship_country = (
                buyer.address_line, buyer.city, buyer.postcode, buyer.country)
            order.currency = quote.currency
            order.goods_amount, order.shipping_amount = quote.goods.amount, quote.shipping.amount
            order.duties_amount, order.total_amount = quote.duties_payable_now.amount, quote.total_payable_now.amount
            order.quote = {**quote.snapshot, "requoted": change if changed else None}
            order.quote_expires_at = now + timedelta(minutes=settings.QUOTE_VALIDITY_MINUTES)
            order.shipping_service = quote.shipping_service
            order.save()
            OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, actor=buyer,
                                      note=f"Re-quoted: total {before['total']['amount']} {before['total']['currency']}"
                                           f" → {quote.total_payable_now}.")
            if changed:
                changes.append(change)
        payment_reprice(payment_id=checkout.payment.pk, shares=[_share(order) for order in checkout.orders],
                        destination=buyer.country)
    return changes


def checkout_prepare(*, buyer: User, reference: str, expected_total: Money | None = None):
    """Make sure the checkout can be charged what the buyer saw: re-quote it if its quote no
    longer holds (raising QuoteChanged when a figure moved), and refuse a total or currency other
    than the server's own. No amount from the client is ever charged: it is only compared."""
    from marketplace.selectors import checkout_get

    checkout = checkout_get(buyer=buyer, reference=reference)
    if checkout is None:
        raise NotFound("No such checkout.")
    if checkout.payment.status == "succeeded":
        return checkout  # a replayed submit: paid already, nothing more happens
    if not checkout.payable and checkout.payment.status != "requires_action":
        # Another tab may have paid between our reads of the payment and of its orders (they
        # commit together): read again before calling the checkout cancelled.
        checkout = checkout_get(buyer=buyer, reference=reference)
        if checkout.payment.status == "succeeded":
            return checkout
        raise Conflict("This checkout was cancelled (its quote expired unpaid and the stock was released): "
                       "check out again.", code="checkout_cancelled")
    changes = checkout_requote(buyer=buyer, reference=reference)
    if changes:
        raise QuoteChanged(changes)
    checkout = checkout_get(buyer=buyer, reference=reference)
    if expected_total is not None:
        if expected_total.currency != checkout.payment.currency:
            raise ApplicationError(f"This checkout is paid in {checkout.payment.currency}.",
                                   code="currency_mismatch", field="currency")
        if expected_total.rounded() != checkout.total:
            raise Conflict(f"The total you confirmed ({expected_total}) is not this checkout's total "
                           f"({checkout.total}): reload the page.", code="total_mismatch", field="amount")
    return checkout


def checkout_pay(*, buyer: User, reference: str, expected_total: Money | None = None, card_number: str = "",
                 payment_method: str = ""):
    """Pay every order of a checkout in one payment; success marks them all paid (by signal).
    Paying twice (a replayed submit) returns the same payment and moves no more money. After a
    failed payment the stock was released: paying again takes it again, or says what sold out."""
    from marketplace.selectors import checkout_get
    from payments.services import payment_confirm

    checkout = checkout_prepare(buyer=buyer, reference=reference, expected_total=expected_total)
    if checkout.payment.status == "succeeded":
        return checkout.payment
    if checkout.payment.provider == "sandbox" and not card_number.strip():
        raise ApplicationError("Enter a card number.", code="required", field="card_number")
    with transaction.atomic():
        for order in checkout_get(buyer=buyer, reference=reference, lock=True).orders:
            _reserve_stock(order)
        return payment_confirm(payment_id=checkout.payment.pk, buyer=buyer, card_number=card_number,
                               payment_method=payment_method, amount=checkout.total)


def _reserve_stock(order: Order) -> None:
    """Take the stock of an unpaid order whose earlier payment failed (the order is locked)."""
    if order.stock_reserved or order.status != Order.Status.PENDING_PAYMENT:
        return
    lines = list(order.lines.all())
    listings = {listing.pk: listing for listing in Listing.objects.select_for_update().filter(
        pk__in=[line.listing_id for line in lines]).order_by("pk")}
    for line in lines:
        if listings[line.listing_id].stock < line.quantity:
            raise Conflict(f"{line.description} sold out while your payment was refused; "
                           "check out again for what is left.", code="out_of_stock", field="cart")
    for line in lines:
        Listing.objects.filter(pk=line.listing_id).update(stock=F("stock") - line.quantity)
    order.stock_reserved = True
    order.save(update_fields=["stock_reserved", "updated_at"])
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status,
                              note="Stock reserved again for a new payment.")


def _release_stock(order: Order, *, note: str) -> None:
    """Give the locked order's reserved stock back to its listings, once."""
    if not order.stock_reserved:
        return
    for line in order.lines.all():
        Listing.objects.filter(pk=line.listing_id).update(stock=F("stock") + line.quantity)
    order.stock_reserved = False
    order.save(update_fields=["stock_reserved", "updated_at"])
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=order.status, note=note)


def order_payment_failed(*, reference: str) -> None:
    """The checkout's payment failed: its stock goes back on sale until the buyer pays again."""
    order = _order_by_reference(reference)
    if order is not None and order.status == Order.Status.PENDING_PAYMENT:
        _release_stock(order, note="Payment failed; stock released until the buyer pays.")


def order_pay(*, buyer: User, order_id: int, card_number: str):
    """Pay the checkout an order was placed in (all its seller orders: one payment)."""
    from marketplace.selectors import checkout_reference_of

    order = Order.objects.filter(pk=order_id, buyer=buyer).first()
    reference = checkout_reference_of(order) if order else None
    if reference is None:
        raise NotFound("No such order.")
    return checkout_pay(buyer=buyer, reference=reference, card_number=card_number)


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
    from logistics.services import shipment_create_and_book

    company = _company_of(user)
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id, company=company).first()
        if order is None:
            raise NotFound("No such order.")
        if order.status not in (Order.Status.PAID, Order.Status.SHIPPED):
            raise Conflict("Only paid orders can be shipped.", code="not_paid")
        lines = list(order.lines.all())
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
                    "claim_preference": bool(claim_preference)} for line in lines],
            parcels=parcels or default_parcels,
            paid_duties=order.quote.get("duties_payable_now"), freight=order.quote.get("shipping"),
        )
        order.refresh_from_db(fields=["status"])  # booking again after a cancel moved it already
        if order.status == Order.Status.PAID:
            _set_status(order, Order.Status.SHIPPED, actor=user, note="Shipment booked.")
    return shipment


def _order_by_reference(reference: str) -> Order | None:
    if not reference.startswith("ORD-"):
        return None
    return Order.objects.select_for_update().filter(pk=int(reference[4:])).first()


def order_follow_shipment(*, reference: str, shipment_status: str) -> None:
    """The order follows its shipment: delivered when the parcel is delivered; paid again when the
    seller cancels the booking before pickup (to book it again, or to cancel the order), shipped
    when it is booked again. Goods customs rejected are cancelled too, but their refund moves
    the order (`order_refunded`)."""
    from customs.selectors import case_rejected

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
    from payments.services import payment_refund

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


def order_cancel_by_seller(*, user: User, order_id: int, reason: str) -> Order:
    """The seller cannot ship a paid order: the buyer gets that order's share of the checkout's
    payment back (the other sellers' orders are untouched) and the stock returns to the listings."""
    from payments.services import payment_refund

    company = _company_of(user)
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
    decided on (whatever a carrier reported)."""
    from customs.selectors import case_undecided
    from payments.services import escrow_release

    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("company").filter(pk=order_id).first()
        if order is None or order.status != Order.Status.DELIVERED or case_undecided(order.reference):
            return
        escrow_release(reference=order.reference, company_id=order.company_id, seller_currency=order.company.currency)
        _set_status(order, Order.Status.COMPLETED, note="Escrow released; seller payout recorded.")


def order_cancel_unpaid(*, order_id: int) -> None:
    """Give the reserved stock back when an order is never paid."""
    from payments.services import payment_cancel

    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status != Order.Status.PENDING_PAYMENT:
            return
        _release_stock(order, note="Quote expired unpaid; stock released.")
        payment_cancel(reference=order.reference)
        _set_status(order, Order.Status.CANCELLED, note="Quote expired unpaid.")



# ---------------------------------------------------------------- buyers: profile, addresses, cart

def profile_update(*, user: User, data: dict) -> User:
    """Save the profile; a blank currency is guessed from the country (changeable afterwards)."""
    from customs.selectors import destination_currency

    for key in ("full_name", "country", "preferred_currency", "address_line", "city", "postcode"):
        if key in data:
            setattr(user, key, (data[key] or "").strip())
    user.country = user.country.upper()
    user.preferred_currency = (user.preferred_currency or "").upper() or (
        destination_currency(user.country) if user.country else "")
    _validate(user, exclude=["password"])
    with transaction.atomic():
        user.save()
    return user


def address_add(*, user: User, name: str, line: str, city: str, country: str, postcode: str = "", label: str = "",
                make_default: bool = False) -> ShippingAddress:
    address = ShippingAddress(user=user, name=name.strip(), line=line.strip(), city=city.strip(),
                              postcode=postcode.strip(), country=country.strip().upper(), label=label.strip())
    _validate(address, exclude=["user"])
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        make_default = make_default or not user.addresses.exists()
        address.save()
        if make_default:
            address_make_default(user=user, address_id=address.pk)
    return address


def address_make_default(*, user: User, address_id: int) -> ShippingAddress:
    """The chosen address becomes the one checkout ships to (copied onto the profile)."""
    from customs.selectors import destination_currency

    with transaction.atomic():
        address = ShippingAddress.objects.select_for_update().filter(pk=address_id, user=user).first()
        if address is None:
            raise NotFound("No such address.", field="address")
        ShippingAddress.objects.filter(user=user, is_default=True).exclude(pk=address.pk).update(is_default=False)
        address.is_default = True
        address.save(update_fields=["is_default"])
        country_changed = user.country != address.country
        user.address_line, user.city, user.postcode, user.country = (address.line, address.city, address.postcode,
                                                                     address.country)
        if country_changed or not user.preferred_currency:
            user.preferred_currency = destination_currency(address.country)
        user.full_name = user.full_name or address.name
        user.save(update_fields=["address_line", "city", "postcode", "country", "preferred_currency", "full_name"])
    return address


def address_delete(*, user: User, address_id: int) -> None:
    with transaction.atomic():
        deleted, _ = ShippingAddress.objects.filter(pk=address_id, user=user, is_default=False).delete()
        if not deleted:
            raise Conflict("Choose another default address before removing this one.", code="default_address",
                           field="address")


def _cart_listing(listing_id) -> Listing:
    listing = Listing.objects.select_related("company").filter(
        pk=listing_id, status=Listing.Status.PUBLISHED, company__verification=Company.Verification.VERIFIED).first()
    if listing is None:
        raise NotFound("This product is not for sale.", field="listing")
    return listing


def cart_add(*, cart: Cart, listing_id: int, quantity: int, user: User | None = None) -> CartLine:
    """Add units of a listing (to its line if there is one), within its minimum order and stock."""
    with transaction.atomic():
        Cart.objects.select_for_update().filter(pk=cart.pk).first()
        listing = _cart_listing(listing_id)
        if user is not None and user.is_authenticated and listing.company.members.filter(user=user).exists():
            raise Conflict("You cannot buy your own company's goods.", code="own_listing", field="listing")
        _check_b2b(listing, user)
        line = CartLine.objects.filter(cart=cart, listing=listing, quotation__isnull=True).first()
        total = (line.quantity if line else 0) + (quantity if isinstance(quantity, int) else 0)
        _check_quantity(listing, quantity if not line else total)
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
        _check_quantity(line.listing, quantity)
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


def cart_checkout(*, buyer: User, incoterm: str = "DDP", idempotency_key: str | None = None,
                  accept_dap: bool = False):
    """One order per seller from the buyer's cart and one payment for them all, all or nothing:
    every line is checked against the minimum order and stock under lock; the same key returns
    the same checkout. DDP seller orders with a duty under manual assessment: all their lines are
    named in one ManualAssessmentRequired, unless `accept_dap` (those orders become DAP)."""
    from marketplace.selectors import checkout_get

    _check_buyer(buyer, incoterm)
    key = (idempotency_key or uuid.uuid4().hex)[:60]
    with transaction.atomic():
        done = Order.objects.filter(buyer=buyer, idempotency_key__startswith=f"cart:{key}:").order_by("pk").first()
        if done:
            return checkout_get(buyer=buyer, reference=_checkout_reference(done))
        cart = Cart.objects.select_for_update().filter(user=buyer).first()
        lines = list(cart.lines.select_related("quotation").order_by("listing_id", "pk")) if cart else []
        if not lines:
            raise ApplicationError("Your cart is empty.", code="empty_cart", field="cart")
        listings = {listing.pk: listing for listing in Listing.objects.select_for_update().select_related("company")
                    .filter(pk__in=[line.listing_id for line in lines]).order_by("pk")}
        by_seller: dict[int, list] = {}
        for line in lines:
            listing = listings[line.listing_id]
            if listing.status != Listing.Status.PUBLISHED:
                raise Conflict(f"{listing.title} is no longer for sale; remove it from your cart.",
                               code="not_for_sale", field="cart")
            if line.quotation and line.quotation.valid_until < timezone.now():
                raise Conflict(f"The quotation for {listing.title} has expired.", code="quotation_expired",
                               field="cart")
            by_seller.setdefault(listing.company_id, []).append((listing, line.quantity, line.quotation))
        orders, manual = [], []
        for company_id, items in sorted(by_seller.items()):
            try:
                orders.append(_order_create(buyer=buyer, items=items, incoterm=incoterm,
                                            key=f"cart:{key}:{company_id}", accept_dap=accept_dap))
            except ManualAssessmentRequired as exc:
                manual.extend(exc.lines)
        if manual:
            raise ManualAssessmentRequired(manual)  # rolls back the other sellers' orders too
        payment = _checkout_payment_create(buyer=buyer, orders=orders)
        cart.lines.all().delete()
        return checkout_get(buyer=buyer, reference=payment.reference)


# ---------------------------------------------------------------- bulk import

IMPORT_MAX_BYTES = 10 * 1024 * 1024
IMPORT_FIELD_COLUMNS = {"price_amount": "price", "title_zh": "title_zh", "title_en": "title_en"}


@dataclass
class ImportReport:
    rows: list[dict] = dataclass_field(default_factory=list)  # {row, sku, action: created|updated|error, column, message}
    written: bool = False
    dry_run: bool = True
    error: str = ""  # the file as a whole could not be read
    error_column: str | None = None

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row["action"] == action)

    @property
    def errors(self) -> int:
        return self.count("error")

    def as_json(self) -> dict:
        return {"written": self.written, "dry_run": self.dry_run, "error": self.error or None,
                "created": self.count("created"), "updated": self.count("updated"), "errors": self.errors,
                "rows": self.rows}


_YES = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False,
        "": None}


def _row_listing(values: dict, *, company: Company, existing: Listing | None, categories: dict) -> tuple:
    """(listing not saved, tiers, column of the first problem or None, message)."""
    listing = existing or Listing(company=company, currency=company.currency)
    column = None
    try:
        for key in ("title_en", "title_zh", "description_en", "description_zh", "hs_code", "origin_country"):
            if key in values:
                column = key
                setattr(listing, key, values[key].upper() if key == "origin_country" else values[key])
        listing.sku = values["sku"]
        for key, target in (("price", "price_amount"), ("weight_kg", "weight_kg"), ("length_cm", "length_cm"),
                            ("width_cm", "width_cm"), ("height_cm", "height_cm")):
            column = key
            if values.get(key, "") != "":
                number = parse_decimal(values[key], field=key, decimal_comma=True, code="invalid",
                                       message=f"“{values[key][:40]}” is not a number.")
                if number <= 0:
                    raise ApplicationError("Give a positive number.", field=key)
                setattr(listing, target, number)
            elif key in ("price", "weight_kg") and existing is None:
                raise ApplicationError("This column is required.", field=key)
        for key in ("moq", "stock"):
            column = key
            raw = values.get(key, "")
            if raw == "" and (existing is not None or key == "moq"):
                continue
            number = parse_int(raw, field=key, signed=True, message=f"“{raw[:40]}” is not a whole number.")
            if number < (1 if key == "moq" else 0):
                raise ApplicationError("Stock cannot be negative." if key == "stock" else "The minimum order is at least 1.",
                                       field=key)
            setattr(listing, key, number)
        for key in ("retail", "b2b_only"):
            column = key
            flag = _YES.get(values.get(key, "").lower(), "bad")
            if flag == "bad":
                raise ApplicationError("Write yes or no.", field=key)
            if flag is not None:
                setattr(listing, key, flag)
        column = "category"
        path = values.get("category", "")
        if path:
            if path not in categories:
                raise ApplicationError(f"There is no category {path}.", field="category")
            listing.category = categories[path]
        column = "status"
        status_value = (values.get("status") or ("draft" if existing is None else listing.status)).lower()
        if status_value not in ("draft", "published"):
            raise ApplicationError("Write draft or published.", field="status")
        if status_value == "published" and not company.is_verified:
            raise ApplicationError("Your company must be verified before it can publish; import as draft.",
                                   field="status")
        listing.status = status_value
        column = None
        _check_listing(listing, constraints=False)
        column = "tiers"
        tiers = None
        if "tiers" in values:
            pairs = []
            for part in filter(None, (p.strip() for p in values["tiers"].replace(",", ";").split(";"))):
                quantity, sep, price = part.partition("=")
                if not sep or not is_whole_number(quantity.strip()):
                    raise ApplicationError(f"Write tiers as 50=140.00;200=130.00, not “{part}”.", field="tiers")
                pairs.append((quantity.strip(), price.strip()))
            tiers = _check_tiers(listing, pairs)
        return listing, tiers, None, ""
    except ApplicationError as exc:
        where = IMPORT_FIELD_COLUMNS.get(exc.field or "", exc.field) or column
        return None, None, where, exc.message


def listing_import(*, user: User, name: str, data: bytes, dry_run: bool = True, valid_only: bool = False) -> ImportReport:
    """Import a spreadsheet of listings: every row checked and reported (created / updated by SKU / error
    with the column and reason). Nothing is written on a dry run, nor when any row is wrong unless
    `valid_only`; the write is one transaction."""
    from marketplace import search
    from marketplace.domain import spreadsheet

    company = _company_of(user)
    report = ImportReport(dry_run=dry_run)
    try:
        sheet = spreadsheet.read(name, data)
    except spreadsheet.SpreadsheetError as exc:
        report.error, report.error_column = exc.message, exc.column
        return report
    categories = {c.path: c for c in Category.objects.all()}
    skus = [values["sku"] for _number, values in sheet.rows if values.get("sku")]
    existing = {listing.sku: listing for listing in Listing.objects.filter(company=company, sku__in=skus)}
    seen: set[str] = set()
    good = []
    for number, values in sheet.rows:
        sku = values.get("sku", "")
        row = {"row": number, "sku": sku, "action": "error", "column": None, "message": ""}
        report.rows.append(row)
        if not sku:
            row.update(column="sku", message="Give each row a SKU (your reference).")
            continue
        if len(sku) > 64:
            row.update(column="sku", message="A SKU has at most 64 characters.")
            continue
        if sku in seen:
            row.update(column="sku", message=f"SKU {sku} appears on an earlier row.")
            continue
        seen.add(sku)
        listing, tiers, column, message = _row_listing(values, company=company, existing=existing.get(sku),
                                                       categories=categories)
        if listing is None:
            row.update(column=column, message=message)
            continue
        row.update(action="updated" if listing.pk else "created", message="")
        good.append((listing, tiers))
    if dry_run or not good or (report.errors and not valid_only):
        return report
    with transaction.atomic():
        locked = {listing.pk for listing in Listing.objects.select_for_update().filter(
            company=company, sku__in=[listing.sku for listing, _tiers in good])}
        now = timezone.now()
        new, changed = [], []
        for listing, _tiers in good:
            listing.search_zh = search.search_zh_for(listing)
            listing.updated_at = now
            (changed if listing.pk else new).append(listing)
        if any(listing.pk not in locked for listing in changed) or len(locked) > len(changed):
            raise Conflict("Listings changed while importing; run the import again.", code="import_conflict")
        Listing.objects.bulk_create(new, batch_size=500)
        Listing.objects.bulk_update(changed, [f for f in LISTING_FIELDS if f != "category"]
                                    + ["category", "sku", "status", "search_zh", "updated_at"], batch_size=500)
        if len(new) and new[0].pk is None:  # backends that do not return ids from bulk_create
            ids = dict(Listing.objects.filter(company=company, sku__in=[x.sku for x in new]).values_list("sku", "pk"))
            for listing in new:
                listing.pk = listing.id = ids[listing.sku]
        with_tiers = [(listing, tiers) for listing, tiers in good if tiers is not None]
        PriceTier.objects.filter(listing__in=[listing for listing, _ in with_tiers]).delete()
        PriceTier.objects.bulk_create([PriceTier(listing=listing, min_quantity=q, price_amount=p)
                                       for listing, tiers in with_tiers for q, p in tiers], batch_size=1000)
        search.reindex([listing.pk for listing, _ in good])
    report.written = True
    return report


# ---------------------------------------------------------------- requests for quotation (B2B)

def rfq_create(*, buyer: User, listing_id: int, quantity: int, message: str = "") -> Rfq:
    """A buyer asks for a price on a quantity above the listing's tiers."""
    if not buyer.is_authenticated:
        raise PermissionDenied("Log in to ask for a quotation.")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= 10_000_000:
        raise ApplicationError("Ask for a whole number of units.", code="invalid_quantity", field="quantity")
    if len(message) > 1000:
        raise ApplicationError("Keep the message under 1,000 characters.", code="too_long", field="message")
    with transaction.atomic():
        listing = _cart_listing(listing_id)
        if listing.company.members.filter(user=buyer).exists():
            raise Conflict("You cannot ask your own company for a quotation.", code="own_listing", field="listing")
        top = max([listing.moq] + [tier.min_quantity for tier in listing.tiers.all()])
        if quantity <= top:
            raise ApplicationError(f"Listed prices cover up to {top} units; ask for more than {top}, or add it to "
                                   "your cart.", code="below_tiers", field="quantity")
        return Rfq.objects.create(buyer=buyer, listing=listing, quantity=quantity, message=message.strip())


def _seller_rfq(user: User, rfq_id: int) -> Rfq:
    company = _company_of(user)
    rfq = Rfq.objects.select_for_update().select_related("listing").filter(pk=rfq_id, listing__company=company).first()
    if rfq is None:
        raise NotFound("No such request for quotation.")
    return rfq


def rfq_quote(*, user: User, rfq_id: int, unit_price: Decimal, valid_days: int, note: str = "") -> Quotation:
    """The seller answers with a unit price in the company's currency, valid for some days."""
    from ewtp.money import has_too_many_decimals

    if not isinstance(valid_days, int) or not 1 <= valid_days <= 90:
        raise ApplicationError("A quotation is valid for 1 to 90 days.", code="invalid_validity", field="valid_days")
    with transaction.atomic():
        rfq = _seller_rfq(user, rfq_id)
        if rfq.status != Rfq.Status.OPEN:
            raise Conflict("This request has already been answered.", code="already_answered")
        currency = rfq.listing.currency
        if not unit_price.is_finite() or unit_price <= 0 or has_too_many_decimals(unit_price, currency):
            raise ApplicationError(f"Give a positive {currency} unit price with at most {_decimals(currency)} "
                                   "decimals.", code="invalid_price", field="unit_price")
        quotation = Quotation.objects.create(rfq=rfq, unit_price_amount=unit_price, currency=currency,
                                             valid_until=timezone.now() + timedelta(days=valid_days), note=note[:1000])
        rfq.status = Rfq.Status.QUOTED
        rfq.save(update_fields=["status"])
    return quotation


def rfq_decline(*, user: User, rfq_id: int) -> Rfq:
    with transaction.atomic():
        rfq = _seller_rfq(user, rfq_id)
        if rfq.status != Rfq.Status.OPEN:
            raise Conflict("This request has already been answered.", code="already_answered")
        rfq.status = Rfq.Status.DECLINED
        rfq.save(update_fields=["status"])
    return rfq


def rfq_accept(*, buyer: User, rfq_id: int) -> CartLine:
    """The buyer accepts a valid quotation: it becomes a cart line at the quoted price and quantity.
    Accepting twice returns the same line."""
    with transaction.atomic():
        rfq = Rfq.objects.select_for_update().filter(pk=rfq_id, buyer=buyer).first()
        if rfq is None:
            raise NotFound("No such request for quotation.")
        quotation = Quotation.objects.filter(rfq=rfq).first()
        if rfq.status == Rfq.Status.ACCEPTED and quotation is not None:
            line = CartLine.objects.filter(quotation=quotation).first()
            if line:
                return line
        if rfq.status != Rfq.Status.QUOTED or quotation is None:
            raise Conflict("There is no quotation to accept yet.", code="not_quoted")
        if quotation.valid_until < timezone.now():
            raise Conflict("This quotation has expired; ask the seller again.", code="quotation_expired")
        cart, _ = Cart.objects.get_or_create(user=buyer)
        line = CartLine.objects.create(cart=cart, listing=rfq.listing, quantity=rfq.quantity, quotation=quotation)
        rfq.status = Rfq.Status.ACCEPTED
        rfq.save(update_fields=["status"])
    return line
