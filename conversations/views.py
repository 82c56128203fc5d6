"""The conversation pages: one thread per order or RFQ, for its buyer and the seller's members."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from conversations import selectors, services
from conversations.forms import MessageForm
from ewtp.exceptions import ApplicationError, NotFound
from ewtp.files import private_file_response
from ewtp.views import error_page, form_error


def subject_url(party) -> str:
    """The order's or RFQ's own page, for the reader's side."""
    from django.urls import reverse

    if party.kind == "order":
        return reverse("marketplace:order_detail", args=[party.object_id])
    if party.is_buyer:
        return reverse("marketplace:rfq_list")
    return reverse("marketplace:rfq_answer", args=[party.object_id])


@login_required
def thread(request, kind: str, pk: int):
    """GET: the thread (marked read); POST: a new message, then back here (a replayed post changes nothing)."""
    try:
        conversation = selectors.conversation_for(user=request.user, kind=kind, object_id=pk)
    except NotFound:
        return error_page(request, 404)
    form = MessageForm(request.POST or None, request.FILES or None,
                       initial={"client_key": uuid.uuid4().hex})
    if request.method == "POST":
        if form.is_valid():
            try:
                services.message_post(user=request.user, kind=kind, object_id=pk, body=form.cleaned_data["body"],
                                      attachment=form.cleaned_data["attachment"],
                                      client_key=form.cleaned_data["client_key"])
                messages.success(request, _("Message sent."))
                return redirect(f"{request.path}#latest")
            except ApplicationError as exc:
                form_error(form, exc)
    else:
        services.thread_mark_read(user=request.user, kind=kind, object_id=pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "conversations/thread.html", {
        "conversation": conversation, "form": form, "kind": kind, "pk": pk,
        "subject_url": subject_url(conversation.party)}, status=status)


@login_required
def attachment(request, pk: int):
    try:
        message = selectors.message_with_attachment(user=request.user, message_id=pk)
    except NotFound:
        return error_page(request, 404)
    return private_file_response(message.attachment, filename=message.attachment_name or "attachment")
