"""Marketplace writes: sign-up, companies, listings, orders. One transaction each."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from ewtp.exceptions import ApplicationError, Conflict, NotFound, PermissionDenied
from marketplace.domain.states import ORDER
from marketplace.models import (
    CUSTOMS_OFFICERS_GROUP,
    Category,
    Company,
    CompanyMember,
    Listing,
    Order,
    OrderEvent,
    OrderLine,
    User,
)
from marketplace.pricing import quote_order

LISTING_FIELDS = ("title_en", "title_zh", "description_en", "description_zh", "hs_code", "origin_country",
                  "price_amount", "stock", "moq", "weight_kg", "length_cm", "width_cm", "height_cm", "category")


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
    user = User(email=email, full_name=full_name, country=country.upper(), preferred_currency=preferred_currency.upper())
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
    from django.contrib.auth.models import Permission

    group, _ = Group.objects.get_or_create(name=CUSTOMS_OFFICERS_GROUP)
    perms = Permission.objects.filter(content_type__app_label="customs",
                                      codename__in=["decide_clearancecase", "view_clearancecase"])
    group.permissions.add(*perms)
    return group


def company_create(*, owner: User, legal_name: str, country: str, city: str, address: str, currency: str,
                   postcode: str = "", tax_id: str = "", registration_number: str = "") -> Company:
    with transaction.atomic():
        if owner.memberships.exists():
            raise Conflict("You already belong to a company.", code="already_member")
        company = Company(legal_name=legal_name, country=country.upper(), city=city, address=address,
                          postcode=postcode, currency=currency.upper(), tax_id=tax_id,
                          registration_number=registration_number)
        _validate(company)
        company.save()
        CompanyMember.objects.create(company=company, user=owner, role="owner")
    return company


def company_verify(*, company: Company, staff: User, approve: bool, reason: str = "") -> Company:
    if not staff.is_staff:
        raise PermissionDenied("Only platform staff verify companies.")
    if not approve and not reason.strip():
        raise ApplicationError("Give the reason for the rejection.", code="reason_required", field="reason")
    company.verification = Company.Verification.VERIFIED if approve else Company.Verification.REJECTED
    company.verification_reason = reason.strip()
    company.verified_at = timezone.now() if approve else None
    company.save(update_fields=["verification", "verification_reason", "verified_at"])
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


def listing_create(*, user: User, data: dict, publish: bool = False) -> Listing:
    company = _company_of(user)
    listing = Listing(company=company, currency=company.currency,
                      **{k: v for k, v in data.items() if k in LISTING_FIELDS})
    _check_listing(listing)
    with transaction.atomic():
        _save_listing(listing)
        if publish:
            listing_publish(user=user, listing_id=listing.pk)
            listing.refresh_from_db()
    return listing


def listing_update(*, user: User, listing_id: int, data: dict) -> Listing:
    company = _company_of(user)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        for key, value in data.items():
            if key in LISTING_FIELDS:
                setattr(listing, key, value)
        _check_listing(listing)
        _save_listing(listing)
    return listing


def _save_listing(listing: Listing) -> None:
    """Save with its search columns: jieba's Chinese words and (PostgreSQL) the tsvector."""
    from marketplace import search

    listing.search_zh = search.search_zh_for(listing)
    listing.save()
    search.reindex([listing.pk])


def _check_listing(listing: Listing) -> None:
    from customs.selectors import hs_code_exists

    if not listing.title_en.strip() and not listing.title_zh.strip():
        raise ApplicationError("Give a title in English or Chinese.", code="required", field="title_en")
    _validate(listing, exclude=["company"])
    if not hs_code_exists(listing.hs_code):
        raise ApplicationError(f"{listing.hs_code} is not in the HS nomenclature.", code="unknown_hs_code",
                               field="hs_code")


def listing_publish(*, user: User, listing_id: int, publish: bool = True) -> Listing:
    company = _company_of(user)
    with transaction.atomic():
        listing = Listing.objects.select_for_update().filter(pk=listing_id, company=company).first()
        if listing is None:
            raise NotFound("No such listing.")
        if publish and not company.is_verified:
            raise Conflict("Your company must be verified before it can publish.", code="company_not_verified")
        listing.status = Listing.Status.PUBLISHED if publish else Listing.Status.DRAFT
        listing.save(update_fields=["status", "updated_at"])
    return listing


def _set_status(order: Order, target: str, *, actor: User | None = None, note: str = "") -> None:
    ORDER.check(order.status, target)
    OrderEvent.objects.create(order=order, from_status=order.status, to_status=target, actor=actor, note=note[:500])
    order.status = target
    order.save(update_fields=["status", "updated_at"])


def order_place(*, buyer: User, listing_id: int, quantity: int, idempotency_key: str | None = None,
                incoterm: str = "DDP") -> Order:
    """Lock the quote and reserve the stock. The same idempotency key returns the same order."""
    from payments.services import payment_create

    if not buyer.country or not buyer.address_line or not buyer.city:
        raise ApplicationError("Add your shipping address to your profile first.", code="address_required",
                               field="address_line")
    if incoterm not in Order.Incoterm.values:
        raise ApplicationError("Choose DDP or DAP.", code="invalid_incoterm", field="incoterm")
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
        if listing.company.members.filter(user=buyer).exists():
            raise Conflict("You cannot buy your own company's goods.", code="own_listing", field="listing")
        if quantity < listing.moq:
            raise ApplicationError(f"The minimum order is {listing.moq}.", code="below_moq", field="quantity")
        if quantity > listing.stock:
            raise ApplicationError(f"Only {listing.stock} in stock.", code="insufficient_stock", field="quantity")
        quote = quote_order(listing=listing, quantity=quantity, destination=buyer.country,
                            currency=buyer.preferred_currency or None, incoterm=incoterm)
        listing.stock -= quantity
        listing.save(update_fields=["stock", "updated_at"])
        order = Order.objects.create(
            buyer=buyer, company=listing.company, incoterm=incoterm, idempotency_key=key,
            ship_name=buyer.full_name or buyer.email, ship_address=buyer.address_line, ship_city=buyer.city,
            ship_postcode=buyer.postcode, ship_country=buyer.country, currency=quote.currency,
            goods_amount=quote.goods.amount, shipping_amount=quote.shipping.amount,
            duties_amount=quote.duties_payable_now.amount, total_amount=quote.total_payable_now.amount,
            quote=quote.snapshot, quote_expires_at=timezone.now() + timedelta(minutes=settings.QUOTE_VALIDITY_MINUTES),
            shipping_service=quote.shipping_service,
        )
        OrderLine.objects.create(order=order, listing=listing, quantity=quantity, description=listing.title,
                                 hs_code=listing.hs_code, origin_country=listing.origin_country,
                                 unit_price_amount=listing.price_amount, currency=listing.currency,
                                 unit_weight_kg=listing.weight_kg)
        OrderEvent.objects.create(order=order, to_status=order.status, actor=buyer, note="Quote locked.")
        payment_create(reference=order.reference, buyer=buyer, total=order.total, duties=quote.duties_payable_now,
                       destination=order.ship_country, idempotency_key=f"order:{order.pk}")
    return order


def order_pay(*, buyer: User, order_id: int, card_number: str):
    """Pay with a card through the payment provider; success moves the order to paid (by signal)."""
    from payments.models import Payment
    from payments.services import payment_confirm

    order = Order.objects.filter(pk=order_id, buyer=buyer).first()
    if order is None:
        raise NotFound("No such order.")
    if order.status == Order.Status.PENDING_PAYMENT and order.quote_expires_at < timezone.now():
        raise Conflict("This quote has expired; place the order again for a fresh quote.", code="quote_expired")
    if not card_number or not card_number.strip():
        raise ApplicationError("Enter a card number.", code="required", field="card_number")
    payment = Payment.objects.get(reference=order.reference)
    return payment_confirm(payment_id=payment.pk, buyer=buyer, card_number=card_number)


def order_mark_paid(*, reference: str) -> None:
    with transaction.atomic():
        order = _order_by_reference(reference)
        if order and order.status == Order.Status.PENDING_PAYMENT:
            _set_status(order, Order.Status.PAID, note="Payment captured; funds held in escrow.")


def order_book_shipment(*, user: User, order_id: int, parcels: list[dict] | None = None):
    """The seller books the shipment of a paid order: the booking itself runs on a worker."""
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
            service_code=order.shipping_service, incoterm=order.incoterm,
            sender={"name": user.display_name, "company": company.legal_name, "lines": [company.address],
                    "city": company.city, "postcode": company.postcode, "country": company.country},
            recipient={"name": order.ship_name, "company": "", "lines": [order.ship_address], "city": order.ship_city,
                       "postcode": order.ship_postcode, "country": order.ship_country},
            goods=[{"description": line.description, "hs_code": line.hs_code, "origin": line.origin_country,
                    "quantity": line.quantity, "unit_value": str(line.unit_price_amount), "currency": line.currency,
                    "net_weight_kg": str(line.unit_weight_kg * line.quantity)} for line in lines],
            parcels=parcels or default_parcels,
            paid_duties=order.quote.get("duties_payable_now"),
        )
        if order.status == Order.Status.PAID:
            _set_status(order, Order.Status.SHIPPED, actor=user, note="Shipment booked.")
    return shipment


def _order_by_reference(reference: str) -> Order | None:
    if not reference.startswith("ORD-"):
        return None
    return Order.objects.select_for_update().filter(pk=int(reference[4:])).first()


def order_follow_shipment(*, reference: str, shipment_status: str) -> None:
    """The order follows its shipment: delivered when the parcel is delivered."""
    with transaction.atomic():
        order = _order_by_reference(reference)
        if order and shipment_status == "delivered" and order.status == Order.Status.SHIPPED:
            order.delivered_at = timezone.now()
            order.save(update_fields=["delivered_at"])
            _set_status(order, Order.Status.DELIVERED, note="The carrier delivered the parcel.")


def order_refund_rejected(*, reference: str, reason: str) -> None:
    """Customs rejected the shipment: refund the buyer in full and close the order."""
    from payments.services import payment_refund

    with transaction.atomic():
        order = _order_by_reference(reference)
        if order is None or order.status == Order.Status.REFUNDED:
            return
        payment_refund(reference=reference, reason=f"Customs rejected the shipment: {reason}")
        _set_status(order, Order.Status.REFUNDED, note=f"Refunded: customs rejected the shipment ({reason}).")


def order_release_escrow(*, order_id: int) -> None:
    """Delivered and past the dispute window: pay the seller, once."""
    from payments.services import escrow_release

    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("company").filter(pk=order_id).first()
        if order is None or order.status != Order.Status.DELIVERED:
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
        for line in order.lines.select_related("listing"):
            Listing.objects.filter(pk=line.listing_id).update(stock=F("stock") + line.quantity)
        payment_cancel(reference=order.reference)
        _set_status(order, Order.Status.CANCELLED, note="Quote expired unpaid; stock released.")

