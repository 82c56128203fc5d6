from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customs import selectors, services
from customs.models import ClearanceCase
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_table
from ewtp.money import Money


def _officer_only(request):
    if not request.user.has_perm("customs.decide_clearancecase"):
        return render(request, "404.html", status=404)
    return None


@login_required
def console(request):
    if (denied := _officer_only(request)) is not None:
        return denied
    cases = selectors.cases_held(destination=request.GET.get("destination", "")[:2].upper())[:200]
    recent = ClearanceCase.objects.exclude(status="held").order_by("-updated_at")[:20]
    return render(request, "customs/console.html", {"cases": cases, "recent": recent})


@login_required
def case_detail(request, pk: int):
    if (denied := _officer_only(request)) is not None:
        return denied
    case = get_object_or_404(ClearanceCase.objects.prefetch_related("findings", "events__actor"), pk=pk)
    return render(request, "customs/case_detail.html", {"case": case})


@login_required
@require_POST
def case_decide(request, pk: int):
    if (denied := _officer_only(request)) is not None:
        return denied
    try:
        if request.POST.get("action") == "release":
            services.case_release(case_id=pk, officer=request.user, note=request.POST.get("reason", "")[:1000])
            messages.success(request, _("Released. The carrier will deliver the parcel."))
        else:
            services.case_reject(case_id=pk, officer=request.user, reason=request.POST.get("reason", "")[:1000])
            messages.success(request, _("Rejected. The buyer is refunded."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("customs:case_detail", pk=pk)
    return redirect("customs:console")


def calculator(request):
    """A public landed-cost calculator for one line."""
    values = {"origin": request.GET.get("origin", "CN").upper()[:2], "destination": request.GET.get("destination", "GB").upper()[:2],
              "hs_code": request.GET.get("hs_code", "090210")[:10], "value": request.GET.get("value", "100.00")[:14],
              "currency": request.GET.get("currency", "GBP").upper()[:3], "weight": request.GET.get("weight", "1")[:10],
              "shipping": request.GET.get("shipping", "10.00")[:14]}
    quote, error = None, None
    if "hs_code" in request.GET:
        try:
            value = Money(Decimal(values["value"]), values["currency"])
            quote = selectors.quote_as_json(selectors.landed_cost_quote(
                origin=values["origin"], destination=values["destination"], currency=values["currency"],
                shipping=Money(Decimal(values["shipping"]), values["currency"]), fx=fx_table(),
                lines=[{"hs_code": values["hs_code"], "quantity": 1, "unit_value": value,
                        "net_weight_kg": Decimal(values["weight"]), "origin": values["origin"]}]))
        except (InvalidOperation, ValueError):
            error = _("Enter amounts as numbers, e.g. 100.00.")
        except ApplicationError as exc:
            error = exc.message
    return render(request, "customs/calculator.html", {"values": values, "quote": quote, "error": error})
