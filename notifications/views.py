"""Pages: the inbox (mark read, follow the link) and the email preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ewtp.exceptions import ApplicationError, NotFound
from ewtp.views import error_page
from notifications import selectors, services
from notifications.rendering import render_text


@login_required
@require_http_methods(["GET"])
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(selectors.notification_list(user=request.user, unread_only=unread_only), 20).get_page(
        request.GET.get("page"))
    items = []
    for notification in page.object_list:
        subject, text = render_text(notification)
        items.append({"notification": notification, "subject": subject, "text": text})
    return render(request, "notifications/inbox.html", {"page": page, "items": items, "unread_only": unread_only})


@login_required
@require_http_methods(["GET"])
def notification_open(request, pk: int):
    """Follow a notification's link; it is read from then on."""
    try:
        notification = services.notification_mark_read(user=request.user, notification_id=pk)
    except NotFound:
        return error_page(request, 404)
    if notification.url and url_has_allowed_host_and_scheme(notification.url, allowed_hosts={request.get_host()}):
        return redirect(notification.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request):
    """One notification read (`notification`), or all of them (no `notification`)."""
    raw = request.POST.get("notification", "")
    if raw:
        if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
            messages.error(request, _("No such notification."))
            return redirect("notifications:inbox")
        try:
            services.notification_mark_read(user=request.user, notification_id=int(raw))
        except NotFound:
            messages.error(request, _("No such notification."))
    else:
        services.notifications_mark_all_read(user=request.user)
        messages.success(request, _("All notifications are marked read."))
    return redirect("notifications:inbox")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    status = 200
    if request.method == "POST":
        try:
            services.email_preferences_set(user=request.user, email_kinds=request.POST.getlist("email"))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = 400
        else:
            messages.success(request, _("Your email preferences are saved."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {
        "preferences": selectors.email_preferences(user=request.user)}, status=status)
