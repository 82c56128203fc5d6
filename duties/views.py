"""Duty settlement pages: the staff settlements page and VAT returns (with their CSV), and the tax
invoice PDF for its buyer, its seller and finance staff. Thin: reads from selectors."""

import csv

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from duties import selectors
from duties.documents import render_tax_invoice
from duties.domain.rules import BadPeriod, current_period
from duties.models import TaxInvoice
from ewtp import roles
from ewtp.views import permission_required, shared_with_staff


@permission_required(roles.VIEW_SETTLEMENTS)
def settlements(request):
    """What each authority is owed and has been paid, and the shipments whose duties differed."""
    return render(request, "duties/settlements.html", {
        "owed": selectors.owed_by_authority(), "settlements": selectors.settlements_list(),
        "differences": selectors.assessments_with_difference()})


def _return_for(request):
    scheme = request.GET.get("scheme", "IOSS").upper()
    if scheme not in TaxInvoice.Scheme.values:
        scheme = "IOSS"
    period = request.GET.get("period") or current_period(scheme, timezone.localdate())
    try:
        return scheme, period, selectors.vat_return(scheme=scheme, period=period), ""
    except BadPeriod as exc:
        return scheme, period, None, str(exc)


@permission_required(roles.VIEW_SETTLEMENTS)
def vat_return(request):
    """The periodic return of VAT charged at the sale: IOSS per month and member state, UK per quarter."""
    scheme, period, report, error = _return_for(request)
    return render(request, "duties/vat_return.html", {
        "scheme": scheme, "period": period, "report": report, "error": error,
        "schemes": TaxInvoice.Scheme.choices}, status=400 if error else 200)


@permission_required(roles.VIEW_SETTLEMENTS)
def vat_return_csv(request):
    scheme, period, report, error = _return_for(request)
    if report is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="vat-return-{scheme}-{report.period}.csv"'
    csv.writer(response).writerows(selectors.vat_return_csv_rows(report))
    return response


@shared_with_staff(roles.VIEW_SETTLEMENTS)
@login_required
def invoice_download(request, pk: int):
    """The tax invoice PDF, for its buyer, its seller's members and finance staff; a 404 for anyone else."""
    invoice = selectors.invoice_visible_to(user=request.user, pk=pk)
    if invoice is None:
        raise Http404(_("No such tax invoice."))
    response = HttpResponse(render_tax_invoice(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
    return response
