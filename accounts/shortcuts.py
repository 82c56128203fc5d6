"""For page views: the signed-in user's company, or a 404 (as get_object_or_404)."""

from __future__ import annotations

from django.http import Http404

from accounts.models import Company
from accounts.selectors import company_of


def company_or_404(user) -> Company:
    """A page of sellers only: others are told there is nothing here."""
    company = company_of(user)
    if company is None:
        raise Http404
    return company
