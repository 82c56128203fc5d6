"""Dispute pages: the buyer opens and follows, the seller answers, dispute staff work the queue and decide.
Thin: the services check everything; errors show at their field."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from disputes import selectors, services
from disputes.forms import AnswerForm, DecideForm, OpenForm
from disputes.models import Dispute
from ewtp import roles
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.files import private_bytes_response, private_file_response
from ewtp.money import Money
from ewtp.views import error_page, form_error, permission_required, shared_with_staff
from marketplace.selectors import orders_for_buyer

staff_only = permission_required(roles.DECIDE_DISPUTE)


@login_required
def dispute_list(request):
    """The disputes the user opened as a buyer or their company must answer."""
    return render(request, "disputes/list.html", {"disputes": selectors.disputes_for_user(request.user)[:200]})


@login_required
def dispute_open(request, order_id: int):
    order = orders_for_buyer(request.user).filter(pk=order_id).select_related("company").first()
    if order is None:
        return error_page(request, 404)
    form = OpenForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            dispute = services.dispute_open(buyer=request.user, order_id=order.pk,
                                            reason=form.cleaned_data["reason"],
                                            description=form.cleaned_data["description"],
                                            files=form.cleaned_data["evidence"])
        except ApplicationError as exc:
            if exc.field == "order":
                messages.error(request, exc.message)
                return redirect("marketplace:order_detail", pk=order.pk)
            form_error(form, exc)
        else:
            messages.success(request, _("Your dispute is open. The seller is asked to answer; the money stays in "
                                        "escrow until it is decided."))
            return redirect("disputes:detail", pk=dispute.pk)
    existing = selectors.order_dispute(order_id=order.pk)
    return render(request, "disputes/open.html", {"order": order, "form": form, "existing": existing,
                                                  "disputable": selectors.order_disputable(order)},
                  status=400 if form.errors else 200)


def _detail(request, dispute: Dispute, role: str, *, answer_form=None, decide_form=None, status: int = 200):
    from logistics.selectors import return_shipment_for_order
    from payments.selectors import refundable

    return render(request, "disputes/detail.html", {
        "dispute": dispute, "role": role, "order": dispute.order,
        "buyer_evidence": [e for e in dispute.evidence.all() if e.party == "buyer"],
        "seller_evidence": [e for e in dispute.evidence.all() if e.party == "seller"],
        "events": dispute.events.all(),
        "answer_form": answer_form or (AnswerForm() if role == "seller" and dispute.status == "open" else None),
        "decide_form": decide_form or (DecideForm() if request.user.has_perm(roles.DECIDE_DISPUTE) else None),
        "decidable": selectors.dispute_decidable_now(dispute),
        "refundable": refundable(reference=dispute.order_reference) if dispute.is_open else None,
        "return_shipment": return_shipment_for_order(dispute.order_reference),
    }, status=status)


@shared_with_staff(roles.DECIDE_DISPUTE)
@login_required
def dispute_detail(request, pk: int):
    """The dispute as its buyer, its seller or dispute staff see it (anyone else: 404)."""
    try:
        dispute, role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
    except NotFound:
        return error_page(request, 404)
    return _detail(request, dispute, role)


@login_required
@require_POST
def dispute_answer(request, pk: int):
    try:
        dispute, role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
    except NotFound:
        return error_page(request, 404)
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.dispute_answer(user=request.user, dispute_id=pk, answer=form.cleaned_data["answer"],
                                    files=form.cleaned_data["evidence"])
        except NotFound:
            return error_page(request, 404)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Your answer is sent. The platform's staff decide next."))
            return redirect("disputes:detail", pk=pk)
    return _detail(request, dispute, role, answer_form=form, status=400)


@login_required
@require_POST
def dispute_withdraw(request, pk: int):
    try:
        services.dispute_withdraw(buyer=request.user, dispute_id=pk)
    except NotFound:
        return error_page(request, 404)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Dispute withdrawn; the seller will be paid as usual."))
    return redirect("disputes:detail", pk=pk)


@shared_with_staff(roles.DECIDE_DISPUTE)
@login_required
def evidence_download(request, pk: int):
    """A photo or PDF of a dispute, to its buyer, its seller's members and dispute staff; anyone else finds none."""
    try:
        evidence = selectors.evidence_get_for_user(user=request.user, evidence_id=pk)
    except NotFound:
        return error_page(request, 404)
    stem = evidence.original_name.rsplit(".", 1)[0][:80] or f"evidence-{evidence.pk}"
    return private_file_response(evidence.file, filename=f"{stem}.{evidence.file.name.rsplit('.', 1)[-1]}")


@shared_with_staff(roles.DECIDE_DISPUTE)
@login_required
def return_label(request, pk: int):
    """The return shipment's label (the buyer prints it), to the dispute's parties and dispute staff."""
    from logistics.selectors import return_shipment_for_order
    from logistics.services import shipment_document

    try:
        dispute, _role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
    except NotFound:
        return error_page(request, 404)
    shipment = return_shipment_for_order(dispute.order_reference)
    if shipment is None:
        return error_page(request, 404)
    try:
        name, data = shipment_document(shipment=shipment, kind="label")
    except ApplicationError as exc:
        messages.error(request, exc.message if exc.code != "not_booked" else
                       _("The carrier is still booking the return: try again in a moment."))
        return redirect("disputes:detail", pk=pk)
    return private_bytes_response(data, filename=f"return-{name}")


@staff_only
def queue(request):
    """Dispute staff's queue: those to decide first (answered, or the seller's deadline passed), oldest first."""
    status = request.GET.get("status", "")
    status = status if status in Dispute.OPEN_STATUSES else ""
    reason = request.GET.get("reason", "")
    reason = reason if reason in Dispute.Reason.values else ""
    disputes = list(selectors.dispute_queue(status=status, reason=reason)[:200])
    return render(request, "disputes/queue.html", {
        "disputes": disputes, "recent": selectors.disputes_recently_closed(),
        "filters": {"status": status, "reason": reason},
        "statuses": [(value, label) for value, label in Dispute.Status.choices if value in Dispute.OPEN_STATUSES],
        "reasons": Dispute.Reason.choices,
        "to_decide": sum(1 for d in disputes if selectors.dispute_decidable_now(d))})


@staff_only
@require_POST
def dispute_decide(request, pk: int):
    try:
        dispute, role = selectors.dispute_get_for_user(user=request.user, dispute_id=pk)
    except NotFound:
        return error_page(request, 404)
    form = DecideForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        amount = Money(data["amount"], dispute.currency) if data.get("amount") is not None else None
        try:
            decided = services.dispute_decide(staff=request.user, dispute_id=pk, outcome=data["outcome"],
                                              note=data["note"], amount=amount)
        except ApplicationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Decided: %(outcome)s.") % {"outcome": decided.get_outcome_display()})
            return redirect("disputes:queue")
    dispute.refresh_from_db()
    return _detail(request, dispute, role, decide_form=form, status=400)
