"""Test data made through the real services, so every object honours the invariants."""

from __future__ import annotations

import itertools
from decimal import Decimal

from accounts.models import User
from accounts.selectors import company_of
from accounts.services import company_create, company_verify, user_signup
from marketplace.models import Listing
from marketplace.services.listings import listing_create

PASSWORD = "correct-horse-battery"
_numbers = itertools.count(1)


def user(*, country: str = "DE", currency: str = "EUR", **extra) -> User:
    n = next(_numbers)
    made = user_signup(email=extra.pop("email", f"user{n}@example.com"), password=PASSWORD,
                       full_name=extra.pop("full_name", f"Test User {n}"), country=country,
                       preferred_currency=currency)
    return made


def buyer(*, country: str = "DE", currency: str = "EUR", **extra) -> User:
    made = user(country=country, currency=currency, **extra)
    made.address_line, made.city, made.postcode = "Torstraße 45", "Berlin" if country == "DE" else "London", "10119"
    made.save()
    return made


def staff() -> User:
    """Platform staff: the superuser, who holds every role's permissions (and the Django admin)."""
    made = user()
    made.is_staff = made.is_superuser = True
    made.save()
    return made


def with_role(role: str) -> User:
    """A user holding one staff role (ewtp/roles.py) and nothing else: not is_staff."""
    from ewtp.roles import role_group

    made = user()
    made.groups.add(role_group(role))
    return User.objects.get(pk=made.pk)  # fresh permission cache


def officer() -> User:
    from ewtp.roles import CUSTOMS_OFFICERS

    return with_role(CUSTOMS_OFFICERS)


def finance() -> User:
    from ewtp.roles import FINANCE

    return with_role(FINANCE)


def compliance() -> User:
    from ewtp.roles import COMPLIANCE

    return with_role(COMPLIANCE)


def dispute_staff() -> User:
    from ewtp.roles import DISPUTES

    return with_role(DISPUTES)


def seller(*, country: str = "CN", currency: str = "CNY", verified: bool = True,
           legal_name: str = "Hangzhou West Lake Tea Co., Ltd.") -> User:
    owner = user(country=country, currency=currency)
    company = company_create(owner=owner, legal_name=legal_name, country=country, city="Hangzhou",
                             address="18 Longjing Road", currency=currency)
    if verified:
        company_verify(company=company, staff=compliance(), approve=True)
    return owner


def listing(owner: User, **overrides) -> Listing:
    data = {"title_en": "Longjing green tea 250 g", "title_zh": "龙井绿茶", "hs_code": "090210",
            "origin_country": company_of(owner).country, "price_amount": Decimal("168.00"), "stock": 50, "moq": 1,
            "weight_kg": Decimal("0.350"), **overrides}
    return listing_create(user=owner, data=data, publish=True)


def batik_listing(**overrides) -> Listing:
    """A batik scarf from a Malaysian seller who prices in ringgit: the second seller of a cart."""
    batik_seller = seller(country="MY", currency="MYR", legal_name="KL Batik Sdn. Bhd.")
    return listing(batik_seller, **{"title_en": "Batik scarf", "title_zh": "", "hs_code": "621410", **overrides})


def cart_with(buyer: User, lines: dict[Listing, int]):
    """The buyer's cart holding `lines` (listing: quantity)."""
    from marketplace.models import Cart
    from marketplace.services.cart import cart_add

    cart = Cart.objects.create(user=buyer)
    for item, quantity in lines.items():
        cart_add(cart=cart, listing_id=item.pk, quantity=quantity, user=buyer)
    return cart


def paid_order(*, quantity: int = 6, country: str = "GB", currency: str = "GBP"):
    """(seller, buyer, order): `quantity` tins of tea from Hangzhou to a buyer in `country`, paid by card."""

    owner, buyer_ = seller(), buyer(country=country, currency=currency)
    return owner, buyer_, order_paid_by(buyer_, owner, quantity=quantity)


def order_paid_by(buyer: User, owner: User, *, quantity: int = 1):
    """Another order of `owner`'s tea, paid by `buyer` by card."""
    from marketplace.services.checkout import order_pay, order_place

    order = order_place(buyer=buyer, listing_id=listing(owner).pk, quantity=quantity)
    order_pay(buyer=buyer, order_id=order.pk, card_number="4242424242424242")
    return order


def pay(buyer: User, checkout, card_number: str = "4242424242424242"):
    """The buyer pays the checkout's confirmed total by sandbox card; the payment."""
    from marketplace.services.checkout import checkout_pay

    return checkout_pay(buyer=buyer, reference=checkout.reference, expected_total=checkout.total,
                        card_number=card_number)


def api_client(user=None):
    """A DRF test client, authenticated as `user` when one is given."""
    from rest_framework.test import APIClient

    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def page_client(user):
    """A Django test client logged in as `user`, for pages."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
