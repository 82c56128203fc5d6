"""Shipment pages: the seller's (status, documents, cancel, book again) and the buyer's (follow
the parcel). One page, two roles; anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ewtp.exceptions import ApplicationError, NotFound
from ewtp.files import private_bytes_response
from ewtp.views import error_page
from logistics import selectors, services


def _not_found(request):
    return error_page(request, 404)


@login_required
def shipment_detail(request, pk: int):
    try:
        shipment, role = selectors.shipment_get_for_user(shipment_id=pk, user=request.user)
    except NotFound:
        return _not_found(request)
    book = selectors.rate_book()
    service = book.service(shipment.service_code) if book.has_service(shipment.service_code) else None
    option = None
    if role == "seller":
        try:
            option = services.quote_shipment(shipment)
        except ApplicationError:
            option = None  # a service the rate book no longer has: the page still shows the shipment
    return render(request, "logistics/shipment_detail.html", {
        "shipment": shipment, "role": role, "is_seller": role == "seller", "option": option, "service": service,
        "parcels": list(shipment.parcels.all()), "timeline": selectors.shipment_timeline(shipment),
        "cancellable": role == "seller" and shipment.status in ("created", "booked", "booking_failed"),
        "rebookable": role == "seller" and selectors.shipment_rebookable(shipment),
        "documents": services.DOCUMENT_KINDS if role == "seller" and shipment.printable else (),
    })


@login_required
def shipment_document(request, pk: int, kind: str):
    try:
        shipment, _role = selectors.shipment_get_for_user(shipment_id=pk, user=request.user, seller_only=True)
        name, pdf = services.shipment_document(shipment=shipment, kind=kind)
    except NotFound:
        return _not_found(request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("logistics:shipment_detail", pk=pk)
    return private_bytes_response(pdf, filename=name)


def _seller_action(request, pk: int, action, done: str):
    """Run `action(shipment)` for the seller of shipment `pk`, say `done` or why not, back to its page."""
    try:
        shipment, _role = selectors.shipment_get_for_user(shipment_id=pk, user=request.user, seller_only=True)
        action(shipment)
        messages.success(request, done)
    except NotFound:
        return _not_found(request)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("logistics:shipment_detail", pk=pk)


@login_required
@require_POST
def shipment_cancel(request, pk: int):
    return _seller_action(request, pk, lambda shipment: services.shipment_cancel(
        shipment_id=shipment.pk, company_id=shipment.company_id), _("The booking is cancelled."))


@login_required
@require_POST
def shipment_retry(request, pk: int):
    """Book a failed or cancelled shipment again with the same service and parcels (another
    service or parcels: the API's book endpoint)."""
    return _seller_action(request, pk, lambda shipment: services.shipment_rebook(
        shipment_id=shipment.pk, company_id=shipment.company_id, service_code=shipment.service_code),
        _("Booking sent to the carrier again."))
