
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import company_of
from customs import selectors, services
from customs.models import CaseDocument, ClearanceCase
from customs.signals import clearance_case_context
from ewtp.exceptions import ApplicationError
from ewtp.files import private_file_response
from ewtp.numbers import parse_decimal, parse_int
from ewtp.roles import DECIDE_CLEARANCE
from ewtp.views import permission_required, shared_with_staff

officers_only = permission_required(DECIDE_CLEARANCE)


@officers_only
def console(request):
    """The officers' queue: escalated holds first, then the oldest; filters and counts per reason."""
    filters = {"destination": request.GET.get("destination", "").strip()[:2].upper(),
               "reason": request.GET.get("reason", "").strip()[:40],
               "seller": request.GET.get("seller", "").strip()[:12],
               "min_value": request.GET.get("min_value", "").strip()[:14],
               "max_value": request.GET.get("max_value", "").strip()[:14]}
    errors, values = {}, {}
    for name in ("min_value", "max_value"):
        try:
            values[name] = parse_decimal(filters[name], field=name) if filters[name] else None
        except ApplicationError:
            values[name], errors[name] = None, _("Enter the value as a number, e.g. 500.")
    try:
        seller = parse_int(filters["seller"], field="seller", minimum=1) if filters["seller"] else None
    except ApplicationError:
        seller, errors["seller"] = None, _("Enter the seller's number.")
    min_value, max_value = values["min_value"], values["max_value"]
    cases = list(selectors.cases_held(destination=filters["destination"], kind=filters["reason"], seller=seller,
                                      min_value_eur=min_value, max_value_eur=max_value)[:200])
    recent = ClearanceCase.objects.filter(status__in=["rejected", "cleared", "released", "submitted"]).order_by(
        "-updated_at")[:20]
    return render(request, "customs/console.html", {
        "cases": cases, "recent": recent, "filters": filters, "errors": errors,
        "reasons": selectors.hold_counts_by_reason(), "dashboard": selectors.clearance_dashboard(),
        "now": timezone.now()})


@officers_only
def dashboard(request):
    return render(request, "customs/dashboard.html", {"dashboard": selectors.clearance_dashboard(),
                                                      "reasons": selectors.hold_counts_by_reason()})


@officers_only
def case_detail(request, pk: int):
    case = selectors.case_detail(case_id=pk)
    if case is None:
        raise Http404
    context = [response for _receiver, response in clearance_case_context.send(sender=ClearanceCase, case=case)
               if isinstance(response, dict)]
    findings = list(case.findings.all())
    for finding in findings:
        finding.evidence_rows = [(key.replace("_", " "), ", ".join(map(str, value)) if isinstance(value, list)
                                  else value) for key, value in finding.evidence.items()]
    return render(request, "customs/case_detail.html", {
        "case": case, "context_panels": context,
        "findings": [f for f in findings if f.superseded_at is None],
        "superseded": [f for f in findings if f.superseded_at is not None],
        "document_kinds": CaseDocument.Kind.choices,
        "four_eyes_eur": getattr(settings, "CLEARANCE_FOUR_EYES_EUR", 2000)})


ACTIONS = {
    "release": lambda request, pk: (services.case_release(case_id=pk, officer=request.user,
                                                          note=request.POST.get("reason", "")[:1000]),
                                    _("Released: the declaration is lodged with the customs authority.")),
    "reject": lambda request, pk: _reject(request, pk),
    "assign": lambda request, pk: (services.case_assign(case_id=pk, officer=request.user), _("Assigned to you.")),
    "note": lambda request, pk: (services.case_add_note(case_id=pk, officer=request.user,
                                                        note=request.POST.get("note", "")[:1000]), _("Note added.")),
    "request_documents": lambda request, pk: (services.case_request_documents(
        case_id=pk, officer=request.user, kinds=request.POST.getlist("kinds"),
        message=request.POST.get("message", "")[:1000]), _("The seller is asked for the documents.")),
    "retry": lambda request, pk: (services.case_retry(case_id=pk, officer=request.user),
                                  _("Retrying the failed step.")),
}


def _reject(request, pk):
    case = services.case_reject(case_id=pk, officer=request.user, reason=request.POST.get("reason", "")[:1000])
    if case.status == "rejected":
        return case, _("Rejected. The buyer is refunded.")
    return case, _("Rejection proposed: a second officer must confirm it.")


@officers_only
@require_POST
def case_decide(request, pk: int):
    """Every officer action on a case (release, reject, assign, note, request documents, retry)."""
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, _("Choose an action."))
        return redirect("customs:case_detail", pk=pk)
    try:
        _case, message = ACTIONS[action](request, pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("customs:case_detail", pk=pk)
    messages.success(request, message)
    if action in ("release", "reject") and _case.status != "held":
        return redirect("customs:console")
    return redirect("customs:case_detail", pk=pk)


def _company_id(user) -> int | None:
    company = company_of(user)
    return company.pk if company is not None else None


@login_required
def my_cases(request):
    """The seller's customs page: their shipments' clearance, findings in plain words, and tasks."""
    company_id = _company_id(request.user)
    cases = list(selectors.cases_for_company(company_id=company_id)[:100]) if company_id else []
    for case in cases:
        case.summaries = sorted({selectors.finding_summary_for_seller(f) for f in case.active_findings})
        case.proof_agreements = sorted({a for f in case.active_findings if f.kind == "preference_without_proof"
                                        for a in (f.evidence or {}).get("agreements", ())})
    return render(request, "customs/my_cases.html", {"cases": cases, "document_kinds": CaseDocument.Kind.choices,
                                                     "tasks": [c for c in cases if c.open_requests]})


@login_required
@require_POST
def document_upload(request, pk: int):
    try:
        services.case_document_upload(case_id=pk, company_id=_company_id(request.user), user=request.user,
                                      kind=request.POST.get("kind", ""), upload=request.FILES.get("file"),
                                      proof={"agreement": request.POST.get("proof_agreement", ""),
                                             "number": request.POST.get("proof_number", ""),
                                             "issued_on": request.POST.get("proof_issued_on", "")})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: customs screens the shipment again."))
    return redirect("customs:my_cases")


@shared_with_staff(DECIDE_CLEARANCE)
@login_required
def document_download(request, pk: int):
    """A case document, to customs officers and the seller who uploaded it (the buyer never sees it), as a
    download typed by its bytes; anyone else finds no such document."""
    document = get_object_or_404(CaseDocument.objects.select_related("case"), pk=pk)
    officer = request.user.has_perm(DECIDE_CLEARANCE)
    if not officer and document.case.company_id != _company_id(request.user):
        raise Http404
    ext = document.file.name.rsplit(".", 1)[-1]
    stem = document.original_name.rsplit(".", 1)[0][:80] or document.get_kind_display()
    return private_file_response(document.file, filename=f"{stem}.{ext}")


def calculator(request):
    """The public landed-cost calculator: one line from any origin to any destination the book holds, the
    explanation rule by rule, and an HS code search (htmx swaps only the results; without JS the page reloads)."""
    from customs.forms import LandedCostForm

    searching = "find" in request.GET
    form = LandedCostForm(request.GET if "hs_code" in request.GET else None)
    quote = form.quote() if form.is_bound and not searching else None
    hs_query = request.GET.get("hs_q", "").strip()[:100]
    hs_results = []
    if hs_query:
        params = request.GET.copy()
        for key in ("hs_q", "find"):
            params.pop(key, None)
        for entry in selectors.hs_search(hs_query, limit=8):
            if entry.level == 6:  # a subheading can be quoted: the link fills the code and calculates
                params["hs_code"] = entry.code
                hs_results.append({"entry": entry, "url": "?" + params.urlencode()})
            else:  # a chapter or heading: the link lists what is under it
                under = request.GET.copy()
                under["hs_q"], under["find"] = entry.code, "1"
                hs_results.append({"entry": entry, "url": "?" + under.urlencode(), "browse": True})
    return render(request, "customs/calculator.html", {"form": form, "quote": quote, "hs_query": hs_query,
                                                       "hs_results": hs_results, "searching": searching})
