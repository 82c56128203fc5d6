import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Company
from accounts.selectors import company_of
from accounts.services import company_create as company_create_service
from accounts.services import company_screen, company_update, company_verify, profile_update, user_signup
from ewtp import roles
from ewtp.exceptions import ApplicationError
from ewtp.files import private_file_response
from ewtp.money import Money
from ewtp.numbers import parse_int
from ewtp.views import csp_replace, error_page, form_error, permission_required, shared_with_staff
from marketplace import selectors
from marketplace.forms import (
    AddressForm,
    AddToCartForm,
    CheckoutForm,
    CompanyForm,
    CompanyReviewForm,
    ComplianceDecisionForm,
    ImportForm,
    ListingForm,
    ListingOriginForm,
    OrderForm,
    PayForm,
    ProfileForm,
    QuotationForm,
    ReviewForm,
    ReviewReplyForm,
    RfqForm,
    SignupForm,
)
from marketplace.models import Listing, ListingOriginDeclaration, Order, Review
from marketplace.services.addresses import address_add, address_delete, address_make_default
from marketplace.services.cart import cart_add as cart_add_service
from marketplace.services.cart import cart_line_update
from marketplace.services.checkout import (
    QuoteChanged,
    cart_checkout,
    checkout_pay,
    checkout_prepare,
    order_place,
)
from marketplace.services.compliance import compliance_hold_clear, compliance_hold_refuse
from marketplace.services.listing_import import IMPORT_MAX_BYTES
from marketplace.services.listing_import import listing_import as listing_import_service
from marketplace.services.listings import listing_create as listing_create_service
from marketplace.services.listings import (
    listing_declare_origin,
    listing_photo_add,
    listing_restrictions,
    listing_set_status,
    listing_update,
)
from marketplace.services.listings import listing_photo_delete as listing_photo_delete_service
from marketplace.services.orders import order_book_shipment, order_cancel_by_seller
from marketplace.services.reviews import REVIEWABLE, review_create, review_reply
from marketplace.services.rfq import rfq_accept, rfq_decline, rfq_quote
from marketplace.services.rfq import rfq_create as rfq_create_service
from marketplace.signals import order_page_panels
from payments.models import Payment

CARDS_PER_PAGE = 24


def catalog(request):
    buyer = selectors.buyer_context_for(request.user)
    error = None
    try:
        filters = selectors.catalog_filters_from(request.GET)
        listings = selectors.catalog_search(filters=filters, buyer=buyer)
    except ApplicationError as exc:
        filters, listings, error = selectors.CatalogFilters(), Listing.objects.none(), exc
    page = Paginator(listings, CARDS_PER_PAGE).get_page(request.GET.get("page"))
    cards = selectors.catalog_cards(page.object_list, buyer, photos=True)
    return render(request, "marketplace/catalog.html", {
        "page": page, "cards": cards, "q": request.GET.get("q", "")[:200], "filters": filters,
        "error": error.message if error else None, "error_field": error.field if error else None,
        "categories": selectors.categories(), "sorts": selectors.SORT_LABELS, "buyer": buyer,
    })


def listing_detail(request, pk: int):
    listing = get_object_or_404(Listing.objects.select_related("company", "category", "origin_declaration")
                                .prefetch_related("tiers", "photos"), pk=pk)
    if listing.status != Listing.Status.PUBLISHED and not (
            request.user.is_authenticated and listing.company.members.filter(user=request.user).exists()):
        return error_page(request, 404)
    buyer = selectors.buyer_context_for(request.user)
    form = OrderForm(request.POST or None, initial={"quantity": listing.moq})
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                order = order_place(buyer=request.user, listing_id=listing.pk,
                                    quantity=form.cleaned_data["quantity"],
                                    incoterm=form.cleaned_data["incoterm"],
                                    accept_dap=form.cleaned_data["accept_dap"],
                                    idempotency_key=request.POST.get("idempotency_key") or None)
                return redirect("marketplace:checkout", reference=order.checkout.reference)
            except ApplicationError as exc:
                form_error(form, exc)
    quote, no_quote_reason = selectors.listing_quote(listing, buyer)
    _ask_accept_dap(form, manual=bool(quote and quote.duty_assessed_at_import))
    return render(request, "marketplace/listing_detail.html", {
        "listing": listing, "quote": quote, "no_quote_reason": no_quote_reason, "form": form, "buyer": buyer, "idempotency_key": uuid.uuid4().hex,
        "cart_form": AddToCartForm(initial={"quantity": listing.moq}, auto_id="cart_%s"),
        "rfq_form": RfqForm(auto_id="rfq_%s"),
        "tiers": listing.tiers.all(), "photos": listing.photos.all(),
        "rating": selectors.seller_rating(listing.company_id), "reviews": selectors.seller_reviews(listing.company_id)})


@login_required
def order_list(request):
    return render(request, "marketplace/order_list.html", {"orders": selectors.orders_for_buyer(request.user)[:100]})


@login_required
def order_detail(request, pk: int):
    from logistics.selectors import shipment_for_order, shipment_rebookable

    order = get_object_or_404(Order.objects.select_related("company", "checkout__payment"), pk=pk)
    is_buyer = order.buyer_id == request.user.pk
    is_seller = order.company.members.filter(user=request.user).exists()
    if not (is_buyer or is_seller):
        return error_page(request, 404)
    shipment = shipment_for_order(order.reference)
    panels = [panel for _receiver, panel in order_page_panels.send(
        sender=Order, order=order, user=request.user, is_buyer=is_buyer, is_seller=is_seller) if panel]
    review = Review.objects.filter(order=order).first()
    return render(request, "marketplace/order_detail.html", {
        "panels": panels,
        "review": review, "review_form": ReviewForm(auto_id="review_%s"), "reply_form": ReviewReplyForm(),
        "reviewable": is_buyer and review is None and order.status in REVIEWABLE,
        "order": order, "is_buyer": is_buyer, "is_seller": is_seller,
        "checkout": order.checkout, "payment": order.checkout.payment if order.checkout else None,
        "shipment": shipment,
        "rebookable": is_seller and shipment is not None and shipment_rebookable(shipment),
        "lines": order.lines.all(), "events": order.events.all(),
    })


def _expected_total(data) -> Money:
    """The total the page showed the buyer: compared with the server's, never charged."""
    try:
        return Money(Decimal(data.get("expected_amount", "")), data.get("expected_currency", "").upper())
    except (InvalidOperation, ValueError) as exc:
        raise ApplicationError(_("Reload the page to see the total to pay."), code="invalid", field="amount") from exc


def _after_payment(request, checkout):
    messages.success(request, _("Payment received. The sellers have been told to ship."))
    if len(checkout.orders) == 1:
        return redirect("marketplace:order_detail", pk=checkout.orders[0].pk)
    return redirect("marketplace:order_list")


@login_required
@require_POST
def order_cancel(request, pk: int):
    """The seller cancels a paid order it cannot ship: the buyer is refunded that order's share."""
    try:
        order_cancel_by_seller(user=request.user, order_id=pk, reason=request.POST.get("reason", ""))
        messages.success(request, _("Order cancelled; the buyer has been refunded."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:order_detail", pk=pk)


@login_required
def checkout(request, reference: str):
    """The one pay page of a checkout: every seller order with its breakdown, one total, one payment
    (the sandbox card form, or Stripe's Payment Element when Stripe is the provider)."""
    from django.http import JsonResponse

    from payments.services import payment_sync

    found = selectors.checkout_get(buyer=request.user, reference=reference)
    if found is None:
        return error_page(request, 404)
    stripe_mode = found.payment is not None and found.payment.provider == "stripe"
    if stripe_mode and request.GET.get("payment_intent") == found.payment.provider_id:
        payment_sync(payment_id=found.payment.pk)  # back from Stripe.js: take Stripe's word (webhooks also do)
        found = selectors.checkout_get(buyer=request.user, reference=reference)
        if found.paid:
            return _after_payment(request, found)
    form = PayForm(request.POST or None)
    if request.method == "POST":
        try:
            if found.paid:  # a replayed submit: the same result, no more money
                return _after_payment(request, found)
            expected = _expected_total(request.POST)
            if stripe_mode:  # Stripe.js asks first, then confirms with Stripe directly
                checkout_prepare(buyer=request.user, reference=reference, expected_total=expected)
                return JsonResponse({"ok": True})
            if form.is_valid():
                payment = checkout_pay(buyer=request.user, reference=reference, expected_total=expected,
                                       card_number=form.cleaned_data["card_number"])
                if payment.status == Payment.Status.SUCCEEDED:
                    return _after_payment(request, found)
                if payment.status == Payment.Status.REQUIRES_ACTION:
                    messages.warning(request, _("Your bank asks you to confirm this payment."))
                    return redirect("marketplace:checkout", reference=reference)
                form.add_error("card_number", payment.failure_reason)
        except QuoteChanged as exc:
            messages.warning(request, exc.message)
            if stripe_mode:
                return JsonResponse({"reload": True}, status=409)
            return redirect("marketplace:checkout", reference=reference)
        except ApplicationError as exc:
            if stripe_mode:
                return JsonResponse(exc.as_json(), status=exc.status_code)
            form_error(form, exc)
        found = selectors.checkout_get(buyer=request.user, reference=reference)
    response = render(request, "marketplace/checkout.html", {
        "checkout": found, "form": form, "stripe_mode": stripe_mode,
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "licence_notices": selectors.licence_notices(found.orders),
    })
    if stripe_mode:  # Stripe.js and its frames, on this page alone
        return csp_replace(response, settings.CSP_STRIPE_PAY_PAGE,
                           permissions_policy=settings.PERMISSIONS_POLICY_STRIPE_PAY_PAGE)
    return response


@login_required
@require_POST
def checkout_authenticate(request, reference: str):
    """The buyer's answer to the sandbox's 3-D Secure challenge."""
    from payments.services import payment_authenticate as authenticate

    found = selectors.checkout_get(buyer=request.user, reference=reference)
    if found is None:
        return error_page(request, 404)
    if found.payment is None:  # held for compliance: nothing to confirm
        return redirect("marketplace:checkout", reference=reference)
    try:
        payment = authenticate(payment_id=found.payment.pk, buyer=request.user,
                               approve=request.POST.get("approve") == "1")
        if payment.status == Payment.Status.SUCCEEDED:
            return _after_payment(request, found)
        messages.error(request, payment.failure_reason)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:checkout", reference=reference)


@login_required
def seller_dashboard(request):
    company = company_of(request.user)
    if company is None:
        return redirect("marketplace:company_create")
    from marketplace.domain.charts import bars
    from payments.selectors import payout_setup, payouts_for_company

    sales = selectors.sales_by_destination(company)
    chart, chart_height = bars([(row["country"], row["total"].amount, f"{row['total'].amount:,.2f} {company.currency}")
                                for row in sales[:12]])
    setup = payout_setup(company_id=company.pk)
    response = render(request, "marketplace/seller_dashboard.html", {
        "company": company, "listings": company.listings.select_related("category")[:200],
        "orders": selectors.orders_for_company(company)[:100],
        "to_fulfil": selectors.orders_to_fulfil(company)[:50], "warnings": selectors.stock_warnings(company)[:50],
        "sales": sales, "chart": chart, "chart_height": chart_height,
        "rfqs": selectors.rfqs_for_company(company).filter(status="open")[:50],
        "payouts": payouts_for_company(company.pk)[:20], "payout_setup": setup})
    if setup.provider == "stripe":  # the onboarding button's post is redirected to Stripe's hosted page
        return csp_replace(response, settings.CSP_STRIPE_ONBOARDING)
    return response


@login_required
def company_create(request):
    """Register the company, or correct it (a rejected company goes back to staff)."""
    company = company_of(request.user)
    if company is not None and company.is_verified:
        return redirect("marketplace:seller_dashboard")
    form = CompanyForm(request.POST or None, request.FILES or None, instance=company)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "business_licence"}
        licence = form.cleaned_data.get("business_licence") or None
        try:
            if company is None:
                company_create_service(owner=request.user, business_licence=licence, **data)
            else:
                company_update(user=request.user, data=data, business_licence=licence)
            messages.success(request, _("Company registered. Staff will verify it shortly."))
            return redirect("marketplace:seller_dashboard")
        except ApplicationError as exc:
            form_error(form, exc)
    title = _("Register your company") if company is None else _("Correct your company's details")
    return render(request, "marketplace/form_page.html", {"form": form, "title": title})


@login_required
def listing_create(request):
    return listing_edit(request, pk=None)


@login_required
def order_book(request, pk: int):
    """The seller books a paid order's shipment: splits it into parcels, compares every option
    (the buyer's choice at checkout is preselected) and books one. The order page's one-click
    "Book shipment" posts here with no parcels: that books the buyer's choice as one parcel."""
    from logistics.forms import BookingForm
    from logistics.selectors import rate_shop, shipment_for_order, shipment_rebookable
    from logistics.services import shipment_rebook

    company = company_of(request.user)
    order = get_object_or_404(Order.objects.select_related("company"), pk=pk)
    if company is None or order.company_id != company.pk:
        return error_page(request, 404)
    shipment = shipment_for_order(order.reference)
    if shipment and not shipment_rebookable(shipment):
        return redirect("logistics:shipment_detail", pk=shipment.pk)
    if request.method == "POST" and "parcels-TOTAL_FORMS" not in request.POST and (
            shipment is None or shipment.status == "cancelled"):
        try:  # the one-click booking from the order page
            shipment = order_book_shipment(user=request.user, order_id=pk)
            messages.success(request, _("Booking sent to the carrier. The label appears here in a moment."))
            return redirect("logistics:shipment_detail", pk=shipment.pk)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("marketplace:order_detail", pk=pk)
    if order.status not in (Order.Status.PAID, Order.Status.SHIPPED):
        messages.error(request, _("Only paid orders can be shipped."))
        return redirect("marketplace:order_detail", pk=pk)
    lines = list(order.lines.select_related("listing"))
    goods = [{"hs_code": line.hs_code, "description": line.description,
              "value": Money(line.unit_price_amount, line.currency) * line.quantity} for line in lines]
    first_parcel = {"weight_kg": sum(line.unit_weight_kg * line.quantity for line in lines),
                    "length_cm": max(line.listing.length_cm for line in lines),
                    "width_cm": max(line.listing.width_cm for line in lines),
                    "height_cm": max(line.listing.height_cm for line in lines)}
    form = BookingForm(request.POST if request.method == "POST" else None, default_parcels=[first_parcel],
                       default_service=shipment.service_code if shipment else order.shipping_service,
                       shop=lambda parcels: rate_shop(origin=order.company.country, destination=order.ship_country,
                                                      parcels=parcels, goods=goods, currency=company.currency,
                                                      live=True))
    if form.is_valid_for_booking():
        parcels = [{key: str(value) for key, value in row.items()} for row in form.cleaned_parcels()]
        try:
            with transaction.atomic():
                if shipment is None:
                    shipment = order_book_shipment(user=request.user, order_id=pk, parcels=parcels,
                                                    service_code=form.service_code,
                                                    claim_preference=form.claim_preference)
                else:  # the carrier refused the last attempt, or the seller cancelled it: book again
                    shipment_rebook(shipment_id=shipment.pk, company_id=company.pk, service_code=form.service_code,
                                    parcels=parcels)
            messages.success(request, _("Booking sent to the carrier. The label appears here in a moment."))
            return redirect("logistics:shipment_detail", pk=shipment.pk)
        except ApplicationError as exc:
            form.add_error(exc)
    return render(request, "logistics/book.html", {
        "order": order, "form": form, "shipment": shipment, "currency": company.currency,
        "buyer_choice": order.shipping_service})


def signup(request):
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(email=data["email"], password=data["password"], full_name=data["full_name"],
                               country=data["country"], language=translation.get_language() or "")
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome to eWTP Marketplace."))
            if data["account_type"] == "seller":
                return redirect("marketplace:company_create")
            return redirect("accounts:profile")
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "marketplace/form_page.html", {"form": form, "title": _("Create your account")})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    address_form = AddressForm(prefix="address")
    if request.method == "POST" and form.is_valid():
        try:
            profile_update(user=request.user, data=form.cleaned_data)
            messages.success(request, _("Profile saved."))
            return redirect("accounts:profile")
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "accounts/profile.html", {
        "form": form, "address_form": address_form, "addresses": request.user.addresses.all()})


@login_required
@require_POST
def address_action(request):
    """Add an address, make one the default, or remove one (from the profile page)."""
    action = request.POST.get("action")
    try:
        if action == "add":
            form = AddressForm(request.POST, prefix="address")
            if not form.is_valid():
                return render(request, "accounts/profile.html", {
                    "form": ProfileForm(instance=request.user), "address_form": form,
                    "addresses": request.user.addresses.all()}, status=400)
            address_add(user=request.user, **form.cleaned_data)
            messages.success(request, _("Address saved."))
        elif action in ("default", "delete"):
            address_id = parse_int(request.POST.get("address", ""), field="address", minimum=1,
                                   message=_("Choose an address."))
            if action == "default":
                address_make_default(user=request.user, address_id=address_id)
                messages.success(request, _("Your orders now ship to this address."))
            else:
                address_delete(user=request.user, address_id=address_id)
                messages.success(request, _("Address removed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:profile")


def _ask_accept_dap(form, *, manual: bool) -> None:
    """The "accept DAP" checkbox shows only where a duty is assessed at import (the page's quote says so,
    or checkout was just refused for it)."""
    if not manual and "accept_dap" not in form.errors:
        form.fields.pop("accept_dap", None)


def cart(request):
    buyer = selectors.buyer_context_for(request.user)
    cart_obj = selectors.cart_for_request(request)
    form = CheckoutForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        if form.is_valid():
            try:
                placed = cart_checkout(buyer=request.user, incoterm=form.cleaned_data["incoterm"],
                                       accept_dap=form.cleaned_data["accept_dap"],
                                       idempotency_key=request.POST.get("idempotency_key") or None)
                return redirect("marketplace:checkout", reference=placed.reference)
            except ApplicationError as exc:
                form_error(form, exc)
    groups = selectors.cart_view(cart_obj, buyer)
    _ask_accept_dap(form, manual=any(group.quote and group.quote.duty_assessed_at_import for group in groups))
    return render(request, "marketplace/cart.html", {
        "groups": groups, "form": form, "buyer": buyer, "idempotency_key": uuid.uuid4().hex,
        "ready": bool(groups) and not any(group.error for group in groups)})


@require_POST
def cart_add(request, pk: int):
    form = AddToCartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a quantity of at least 1."))
        return redirect("marketplace:listing_detail", pk=pk)
    try:
        cart_add_service(cart=selectors.cart_for_request(request, create=True), listing_id=pk,
                         quantity=form.cleaned_data["quantity"], user=request.user)
        messages.success(request, _("Added to your cart."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("marketplace:listing_detail", pk=pk)
    return redirect("marketplace:cart")


@require_POST
def cart_line(request, pk: int):
    cart_obj = selectors.cart_for_request(request)
    try:
        if cart_obj is None:
            raise ApplicationError(_("Your cart is empty."), code="empty_cart")
        quantity = parse_int(request.POST.get("quantity", ""), field="quantity", minimum=0, maximum=1_000_000,
                             message=_("Enter a whole number of units (0 removes the line)."))
        cart_line_update(cart=cart_obj, line_id=pk, quantity=quantity)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:cart")


@shared_with_staff(roles.VERIFY_COMPANY)
@login_required
def company_licence(request, pk: int):
    """The business licence, to compliance staff and the company's own members only, as a download."""
    company = get_object_or_404(Company, pk=pk)
    if not (request.user.has_perm(roles.VERIFY_COMPANY) or company.members.filter(user=request.user).exists()) \
            or not company.business_licence:
        return error_page(request, 404)
    ext = company.business_licence.name.rsplit(".", 1)[-1]
    return private_file_response(company.business_licence, filename=f"licence-company-{company.pk}.{ext}")


@permission_required(roles.VERIFY_COMPANY)
def company_review_list(request):
    status = request.GET.get("status", "pending")
    if status not in Company.Verification.values:
        status = "pending"
    companies = Company.objects.filter(verification=status).order_by("submitted_at", "pk")[:200]
    return render(request, "marketplace/company_review_list.html", {
        "companies": companies, "status": status, "statuses": Company.Verification.choices})


@permission_required(roles.VERIFY_COMPANY)
def company_review(request, pk: int):
    company = get_object_or_404(Company, pk=pk)
    form = CompanyReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            company_verify(company=company, staff=request.user,
                           approve=form.cleaned_data["decision"] == "verify",
                           reason=form.cleaned_data["reason"],
                           override_reason=form.cleaned_data["override_reason"])
            messages.success(request, _("Decision recorded for %(name)s.") % {"name": company.legal_name})
            return redirect("marketplace:company_review_list")
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "marketplace/company_review.html", {
        "company": company, "form": form, "members": company.members.select_related("user"),
        "screening_hits": company_screen(company)})


@permission_required(roles.REVIEW_COMPLIANCE_HOLD)
def compliance_hold_list(request):
    """The compliance queue: checkouts held before payment for a denied-party match, oldest first."""
    holds = selectors.compliance_holds_waiting()
    return render(request, "marketplace/compliance_queue.html", {
        "holds": holds, "recent": selectors.compliance_holds_decided()})


@permission_required(roles.REVIEW_COMPLIANCE_HOLD)
def compliance_hold_detail(request, pk: int):
    """One held checkout: the parties, the list entries they matched, the orders; clear or refuse it."""
    hold = selectors.compliance_hold_get(pk)
    if hold is None:
        return error_page(request, 404)
    form = ComplianceDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decide = compliance_hold_clear if form.cleaned_data["decision"] == "clear" else compliance_hold_refuse
        try:
            decide(staff=request.user, hold_id=hold.pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("Decision recorded for %(ref)s.") % {"ref": hold.checkout.reference})
            return redirect("marketplace:compliance_hold_list")
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "marketplace/compliance_hold.html", {
        "hold": hold, "form": form, "orders": list(hold.checkout.orders.select_related("company")
                                                   .prefetch_related("lines").order_by("pk"))})


@login_required
def listing_edit(request, pk: int | None):
    """Create or change a listing: texts, category, HS code, prices and tiers, stock, photos, status."""
    company = company_of(request.user)
    if company is None:
        return redirect("marketplace:company_create")
    listing = None
    if pk is not None:
        listing = Listing.objects.filter(pk=pk, company=company).prefetch_related("tiers", "photos").first()
        if listing is None:
            return error_page(request, 404)
    form = ListingForm(request.POST or None, request.FILES or None, instance=listing)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key not in ("tiers", "photos", "status")}
        try:
            with transaction.atomic():  # the listing, its tiers and its photos, or nothing
                if listing is None:
                    saved = listing_create_service(user=request.user, data=data, tiers=form.cleaned_data["tiers"])
                else:
                    saved = listing_update(user=request.user, listing_id=listing.pk, data=data,
                                           tiers=form.cleaned_data["tiers"])
                for upload in form.cleaned_data["photos"]:
                    listing_photo_add(user=request.user, listing_id=saved.pk, upload=upload)
                if form.cleaned_data["status"] != saved.status:
                    listing_set_status(user=request.user, listing_id=saved.pk,
                                       status=form.cleaned_data["status"])
            messages.success(request, _("Listing saved."))
            return redirect("marketplace:listing_detail", pk=saved.pk)
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "marketplace/listing_form.html", {
        "form": form, "listing": listing, "photos": listing.photos.all() if listing else [],
        "title": _("New listing") if listing is None else _("Edit listing"),
        "licence_notices": listing_restrictions(listing)[1] if listing else []})


@login_required
def listing_origin(request, pk: int):
    """The seller declares what one unit is made of, for the rule of origin of a claimed preference."""
    company = company_of(request.user)
    listing = Listing.objects.filter(pk=pk, company=company).first() if company else None
    if listing is None:
        return error_page(request, 404)
    declaration = ListingOriginDeclaration.objects.filter(listing=listing).first()
    form = ListingOriginForm(request.POST or None, declaration=declaration)
    if request.method == "POST" and form.is_valid():
        try:
            listing_declare_origin(user=request.user, listing_id=listing.pk, data=form.as_data())
            messages.success(request, _("Origin declaration saved."))
            return redirect("marketplace:listing_origin", pk=listing.pk)
        except ApplicationError as exc:
            field = (exc.field or "").split("[")[0].split(".")[0] or None
            message = exc.message
            if exc.field and exc.field.startswith("materials["):
                index = int(exc.field[len("materials["):].split("]")[0])
                message = _("Material %(n)s: %(message)s") % {"n": index + 1, "message": exc.message}
            form.add_error(field if field in form.fields else None, message)
    return render(request, "marketplace/listing_origin.html", {
        "form": form, "listing": listing, "declaration": declaration, "title": _("Rule of origin: materials")})


@login_required
@require_POST
def listing_photo_delete(request, pk: int, photo_pk: int):
    try:
        listing_photo_delete_service(user=request.user, listing_id=pk, photo_id=photo_pk)
        messages.success(request, _("Photo removed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("marketplace:listing_edit", pk=pk)


@login_required
def listing_import(request):
    """Upload a spreadsheet of listings: a dry run reports every row; a real run writes all or nothing
    (or only the valid rows, when the seller asks)."""
    if company_of(request.user) is None:
        return redirect("marketplace:company_create")
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(IMPORT_MAX_BYTES + 1)
        report = listing_import_service(user=request.user, name=upload.name, data=data,
                                        dry_run=form.cleaned_data["dry_run"],
                                        valid_only=form.cleaned_data["valid_only"])
        if report.written:
            messages.success(request, _("Imported: %(c)s created, %(u)s updated.") % {
                "c": report.count("created"), "u": report.count("updated")})
    return render(request, "marketplace/listing_import.html", {
        "form": form, "report": report, "created": report.count("created") if report else 0,
        "updated": report.count("updated") if report else 0})


@login_required
def listing_import_template(request, kind: str):
    from django.http import HttpResponse

    from marketplace.domain import spreadsheet

    if kind == "xlsx":
        response = HttpResponse(spreadsheet.template_xlsx(),
                                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    elif kind != "csv":
        raise Http404("The template comes as .xlsx or .csv.")
    else:
        response = HttpResponse(spreadsheet.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ewtp-listings-template.{kind}"'
    return response


@login_required
@require_POST
def rfq_create(request, pk: int):
    form = RfqForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the quantity you need."))
        return redirect("marketplace:listing_detail", pk=pk)
    try:
        rfq_create_service(buyer=request.user, listing_id=pk, quantity=form.cleaned_data["quantity"],
                           message=form.cleaned_data["message"])
        messages.success(request, _("Request sent. The seller's quotation will appear under Quotations."))
        return redirect("marketplace:rfq_list")
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("marketplace:listing_detail", pk=pk)


@login_required
def rfq_list(request):
    """The buyer's requests for quotation; a quoted one can be accepted into the cart."""
    if request.method == "POST":
        try:
            rfq_id = parse_int(request.POST.get("rfq", ""), field="rfq", minimum=1, message=_("Choose a quotation."))
            rfq_accept(buyer=request.user, rfq_id=rfq_id)
            messages.success(request, _("The quotation is in your cart at the quoted price."))
            return redirect("marketplace:cart")
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(request, "marketplace/rfq_list.html", {"rfqs": selectors.rfqs_for_buyer(request.user)[:100]})


@login_required
def rfq_answer(request, pk: int):
    """The seller answers a request: a unit price and how long it holds, or a refusal."""
    company = company_of(request.user)
    rfq = selectors.rfqs_for_company(company).filter(pk=pk).first() if company else None
    if rfq is None:
        return error_page(request, 404)
    form = QuotationForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("decline"):
                rfq_decline(user=request.user, rfq_id=rfq.pk)
                messages.success(request, _("Request declined."))
                return redirect("marketplace:seller_dashboard")
            if form.is_valid():
                rfq_quote(user=request.user, rfq_id=rfq.pk, unit_price=form.cleaned_data["unit_price"],
                          valid_days=form.cleaned_data["valid_days"], note=form.cleaned_data["note"])
                messages.success(request, _("Quotation sent to the buyer."))
                return redirect("marketplace:seller_dashboard")
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "marketplace/rfq_answer.html", {"rfq": rfq, "form": form})


@login_required
@require_POST
def order_review(request, pk: int):
    """The buyer reviews the seller of a delivered order (from the order page)."""
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            field, errors = next(iter(form.errors.items()))
            raise ApplicationError(errors[0], code="invalid", field=field)
        review_create(buyer=request.user, order_id=pk, rating=form.cleaned_data["rating"],
                      body=form.cleaned_data["body"])
        messages.success(request, _("Thank you: your review is on the seller's page."))
    except ApplicationError as exc:
        if exc.status_code == 404:
            return error_page(request, 404)
        messages.error(request, exc.message)
    return redirect("marketplace:order_detail", pk=pk)


@login_required
@require_POST
def review_reply_view(request, pk: int):
    """The seller replies, once, to a review of their company (from the order page)."""
    form = ReviewReplyForm(request.POST)
    order_id = Review.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    try:
        if not form.is_valid():
            raise ApplicationError(form.errors["reply"][0], code="invalid", field="reply")
        review_reply(user=request.user, review_id=pk, body=form.cleaned_data["reply"])
        messages.success(request, _("Your reply is published under the review."))
    except ApplicationError as exc:
        if exc.status_code == 404 or order_id is None:
            return error_page(request, 404)
        messages.error(request, exc.message)
    return redirect("marketplace:order_detail", pk=order_id)


def seller_page(request, pk: int):
    """A verified seller's public page: its rating, newest reviews (each naming the listing bought) and
    listings; a buyer sees which of their delivered orders they may still review."""
    company = Company.objects.filter(pk=pk, verification=Company.Verification.VERIFIED).first()
    if company is None:
        return error_page(request, 404)
    listings = (Listing.objects.filter(company=company, status=Listing.Status.PUBLISHED)
                .select_related("company").prefetch_related("tiers", "photos")[:12])
    return render(request, "marketplace/seller_page.html", {
        "company": company, "rating": selectors.seller_rating(company.pk),
        "reviews": selectors.seller_reviews(company.pk, limit=20), "listings": listings,
        "to_review": list(selectors.orders_to_review(buyer=request.user, company_id=company.pk)[:10]),
    })
