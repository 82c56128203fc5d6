"""Seller pages (the offer, accepting it, its advances) and the staff exposure page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.shortcuts import company_or_404
from ewtp import roles
from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from ewtp.views import form_error, permission_required, shared_with_staff
from finance import selectors, services
from finance.domain.advances import DEFAULT_POLICY
from finance.forms import AcceptForm, OfferRequestForm
from finance.services import REFUSALS


@login_required
def overview(request):
    """The seller's limit, the orders it can finance (choose some for an offer) and its advances."""
    company = company_or_404(request.user)
    found = selectors.open_candidates(company=company)
    eligible = [c for c in found if c.collateral is not None]
    form = OfferRequestForm(request.POST or None, choices=[(c.order.pk, c.order.reference) for c in eligible])
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.advance_offer_create(user=request.user, order_ids=form.cleaned_data["orders"])
            return redirect("finance:offer", pk=offer.pk)
        except ApplicationError as exc:
            form_error(form, exc)
    limit, history = selectors.seller_limit(company=company)
    return render(request, "finance/overview.html", {
        "company": company, "form": form, "limit": limit, "history": history,
        "outstanding": selectors.outstanding_for(company_id=company.pk, currency=company.currency),
        "candidates": [(c, REFUSALS.get(c.refusal, "")) for c in found],
        "advances": selectors.advances_for_company(company_id=company.pk)[:50],
        "rates": {stage.value: f"{rate * 100:.0f}" for stage, rate in DEFAULT_POLICY.advance_rates.items()}})


@login_required
def offer(request, pk: int):
    """The offer as the platform made it: accept an amount up to its maximum before it expires."""
    company = company_or_404(request.user)
    found = selectors.offer_get(company_id=company.pk, offer_id=pk)
    if found is None:
        raise Http404
    form = AcceptForm(request.POST or None, initial={"amount": found.max_amount})
    if request.method == "POST" and form.is_valid():
        try:
            advance = services.advance_accept(user=request.user, offer_id=found.pk,
                                              amount=Money(form.cleaned_data["amount"], found.currency))
            messages.success(request, _("Advance %(reference)s paid out.") % {"reference": advance.reference})
            return redirect("finance:advance", pk=advance.pk)
        except ApplicationError as exc:
            if exc.field == "offer":
                form.add_error(None, exc.message)
            else:
                form_error(form, exc)
    return render(request, "finance/offer.html", {
        "offer": found, "form": form, "expired": found.expires_at <= timezone.now(),
        "fee_example": Money(found.max_amount * found.fee_rate, found.currency).rounded()})


@shared_with_staff(roles.VIEW_ADVANCES)
@login_required
def advance(request, pk: int):
    """An advance with its pledged orders and its history (repayments, reductions); its seller's
    members and finance staff see it."""
    staff = request.user.has_perm(roles.VIEW_ADVANCES)
    company_id = None if staff else company_or_404(request.user).pk
    found = selectors.advance_get(company_id=company_id, advance_id=pk)
    if found is None:
        raise Http404
    return render(request, "finance/advance.html", {"advance": found, "staff": staff})


@permission_required(roles.VIEW_ADVANCES)
def exposure(request):
    """Staff: what each seller owes, and the advances overdue or at risk."""
    return render(request, "finance/exposure.html", {
        "exposures": selectors.exposure_by_seller(),
        "attention": selectors.with_company_names(selectors.advances_needing_attention()[:200])})
