"""The seller's webhook pages: endpoints (list, add, change, disable, rotate the secret), the delivery
log and replaying a delivery. Everything within the seller's company: another's is a 404."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.shortcuts import company_or_404
from ewtp.exceptions import ApplicationError
from ewtp.views import form_error
from webhooks import selectors, services
from webhooks.domain.events import EVENT_LABELS
from webhooks.forms import EndpointForm, EventsForm

SECRET_SESSION_KEY = "webhooks_new_secret"  # the secret just made, shown on the next page once


def _show_secret_once(request, endpoint) -> None:
    request.session[SECRET_SESSION_KEY] = {"endpoint": endpoint.pk, "secret": endpoint.secret}


@login_required
def endpoints(request):
    company = company_or_404(request.user)
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = services.endpoint_create(user=request.user, **form.cleaned_data)
            _show_secret_once(request, endpoint)
            return redirect("webhooks:endpoint", pk=endpoint.pk)
        except ApplicationError as exc:
            form_error(form, exc)
    return render(request, "webhooks/endpoints.html", {
        "form": form, "endpoints": selectors.endpoints_for_company(company_id=company.pk),
        "labels": EVENT_LABELS})


@login_required
def endpoint(request, pk: int):
    company = company_or_404(request.user)
    found = selectors.endpoint_get(company_id=company.pk, endpoint_id=pk)
    if found is None:
        raise Http404
    form = EventsForm(request.POST or None, initial={"events": found.events})
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_update(user=request.user, endpoint_id=found.pk, events=form.cleaned_data["events"])
            messages.success(request, _("The events to send are saved."))
            return redirect("webhooks:endpoint", pk=found.pk)
        except ApplicationError as exc:
            form_error(form, exc)
    shown = request.session.pop(SECRET_SESSION_KEY, None)
    secret = shown["secret"] if shown and shown.get("endpoint") == found.pk else None
    return render(request, "webhooks/endpoint.html", {
        "endpoint": found, "form": form, "new_secret": secret, "labels": EVENT_LABELS,
        "deliveries": selectors.deliveries_for_company(company_id=company.pk, endpoint_id=found.pk)[:50]})


@login_required
@require_POST
def endpoint_toggle(request, pk: int):
    company_or_404(request.user)
    try:
        found = services.endpoint_update(user=request.user, endpoint_id=pk,
                                         enabled=request.POST.get("enabled") == "1")
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        raise
    messages.success(request, _("The endpoint is enabled.") if found.enabled else _("The endpoint is disabled."))
    return redirect("webhooks:endpoint", pk=pk)


@login_required
@require_POST
def endpoint_rotate(request, pk: int):
    company_or_404(request.user)
    try:
        found = services.endpoint_rotate_secret(user=request.user, endpoint_id=pk)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404 from None
        raise
    _show_secret_once(request, found)
    messages.success(request, _("A new signing secret is made. The old one keeps signing beside it for 24 hours."))
    return redirect("webhooks:endpoint", pk=pk)


@login_required
def delivery(request, pk: int):
    company = company_or_404(request.user)
    found = selectors.delivery_get(company_id=company.pk, delivery_id=pk)
    if found is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            replay = services.delivery_replay(user=request.user, delivery_id=found.pk)
            messages.success(request, _("The event is sent again."))
            return redirect("webhooks:delivery", pk=replay.pk)
        except ApplicationError as exc:
            error = exc.message
    return render(request, "webhooks/delivery.html", {
        "delivery": found, "attempts": found.attempts.all(), "error": error,
        "label": EVENT_LABELS.get(found.event.type, found.event.type), "payload": json.dumps(json.loads(services.payload(found.event)), indent=2, ensure_ascii=False)})
