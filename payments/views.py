from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounts.shortcuts import company_or_404
from ewtp import roles
from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from ewtp.views import form_error, permission_required
from payments import selectors, services
from payments.forms import LedgerFilters, PaymentFilters, PayoutFilters, RefundFilters, RefundForm
from payments.integrations.stripe_gateway import GatewayError
from payments.signals import payment_orders

PAGE_SIZE = 50


@csrf_exempt  # Stripe signs the request instead; the signature is checked first
@require_POST
def stripe_webhook(request):
    try:
        event = services.provider_event_receive(payload=request.body,
                                                signature=request.headers.get("Stripe-Signature", ""))
    except ApplicationError as exc:
        return JsonResponse(exc.as_json(), status=400)
    return JsonResponse({"received": True, "duplicate": event is None})


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@permission_required(roles.VIEW_PAYMENTS)
def payment_list(request):
    form = PaymentFilters(request.GET)
    return render(request, "payments/payment_list.html", {
        "form": form, "page": _page(request, selectors.payment_list(**form.filters()))})


@permission_required(roles.VIEW_PAYMENTS, post=roles.REFUND_PAYMENT)
def payment_detail(request, pk: int):
    """A payment with what it paid, its refunds, payouts and ledger transactions; staff refund here."""
    detail = selectors.payment_detail(payment_id=pk)
    if detail is None:
        raise Http404
    payment = detail.payment
    form = RefundForm(request.POST or None, allocations=detail.refundable)
    if request.method == "POST" and form.is_valid():
        amount = form.cleaned_data["amount"]
        try:
            services.payment_refund_by_staff(
                staff=request.user, reference=form.cleaned_data["order"], reason=form.cleaned_data["reason"],
                amount=Money(amount, payment.currency) if amount else None)
            messages.success(request, _("Refunded. The buyer gets the money back on their card."))
            return redirect("payments:payment_detail", pk=pk)
        except ApplicationError as exc:
            form_error(form, exc)
        except GatewayError as exc:  # Stripe refused: nothing was recorded
            form.add_error(None, exc.message)
    # What the apps above know about the orders this payment paid (payments never imports them).
    orders = {row["reference"]: row for _receiver, rows in payment_orders.send(
        sender=type(payment), references=detail.order_references) for row in rows or []}
    for allocation in detail.allocations:
        allocation.order = orders.get(allocation.reference)
    return render(request, "payments/payment_detail.html", {"detail": detail, "payment": payment, "form": form})


def _order_money_list(request, filters, rows, template: str):
    """A page of refunds or payouts, each with the order and payment it came out of."""
    form = filters(request.GET)
    page = _page(request, rows(**form.filters()))
    page.object_list = selectors.with_payments(page.object_list)
    return render(request, template, {"form": form, "page": page})


@permission_required(roles.VIEW_PAYMENTS)
def refund_list(request):
    return _order_money_list(request, RefundFilters, selectors.refund_list, "payments/refund_list.html")


@permission_required(roles.VIEW_PAYOUTS)
def payout_list(request):
    return _order_money_list(request, PayoutFilters, selectors.payout_list, "payments/payout_list.html")


@permission_required(roles.VIEW_LEDGER)
def ledger(request):
    """Staff: balances by account; one account's entries with its running balance, or else the
    transactions, filtered by account, kind, order reference and dates."""
    form = LedgerFilters(request.GET, kinds=selectors.ledger_kinds())
    filters = form.filters()
    prefix = filters.pop("account", "")
    reference = filters.pop("q", "")
    balances = selectors.account_balances(prefix=prefix)
    account = prefix if any(row["account"] == prefix for row in balances) else ""
    if account:
        page = _page(request, selectors.ledger_account_entries(account=account, reference=reference, **filters))
        page.object_list = selectors.with_running_balances(account=account, entries=page.object_list)
    else:
        page = _page(request, selectors.ledger_transactions(account=prefix, reference=reference, **filters))
    return render(request, "payments/ledger.html", {
        "form": form, "balances": balances, "account": account, "page": page, "report": selectors.ledger_check()})


# --- the seller's Stripe Connect onboarding (from the seller dashboard) -----------------------

@login_required
def seller_onboarding(request):
    """Start or continue the seller's Stripe onboarding: a button posts here; Stripe sends the
    seller back here (GET) when a link has expired, which only continues an existing account."""
    company = company_or_404(request.user)
    if request.method != "POST" and selectors.seller_account(company_id=company.pk) is None:
        return redirect("marketplace:seller_dashboard")
    try:
        link = services.seller_account_onboarding_link(
            company_id=company.pk, country=company.country, email=request.user.email,
            return_url=request.build_absolute_uri(reverse("payments:seller_onboarding_return")),
            refresh_url=request.build_absolute_uri(reverse("payments:seller_onboarding")))
    except GatewayError as exc:
        messages.error(request, _("Stripe could not start onboarding: %(reason)s") % {"reason": exc.message})
        return redirect("marketplace:seller_dashboard")
    return redirect(link)


@login_required
def seller_onboarding_return(request):
    """Back from Stripe: ask it how far the seller got."""
    company = company_or_404(request.user)
    try:
        account = services.seller_account_refresh(company_id=company.pk)
    except GatewayError as exc:
        messages.error(request, _("Stripe could not be asked about your account: %(reason)s") % {"reason": exc.message})
        return redirect("marketplace:seller_dashboard")
    if account is not None and account.payouts_enabled:
        messages.success(request, _("Stripe payouts are set up: you are paid once buyers receive their goods."))
    elif account is not None:
        messages.warning(request, _("Stripe still needs some details before it can pay you."))
    return redirect("marketplace:seller_dashboard")
