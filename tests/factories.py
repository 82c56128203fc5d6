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


def buyer(*, country: str = "DE", currency: str = "EUR") -> User:
    made = user(country=country, currency=currency)
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
