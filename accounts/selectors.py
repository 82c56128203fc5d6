"""Reads about users and their companies."""

from __future__ import annotations

from accounts.models import Company

# The user's company (or None), kept on the user object: a request's user is loaded afresh for each
# request, so a page that asks many times pays one query. Services that act on the company read it
# afresh (accounts.services.seller_company), since its verification may have changed since.
_COMPANY_MEMO = "_accounts_company"


def company_of(user) -> Company | None:
    """The seller company the user belongs to, or None (also for anonymous visitors); one query per
    user object however often it is asked."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return getattr(user, _COMPANY_MEMO)
    except AttributeError:
        return company_remember(user, company_get(user))


def company_remember(user, company: Company | None) -> Company | None:
    """Record what company_of answers for this user object (after a service changed it)."""
    setattr(user, _COMPANY_MEMO, company)
    return company


def company_get(user) -> Company | None:
    """The user's company read afresh (no memo)."""
    return Company.objects.filter(members__user=user).order_by("members__pk").first()
