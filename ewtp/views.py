"""Small helpers that every app's page views share."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render

from ewtp.exceptions import ApplicationError


def staff_only(view):
    """Platform staff only: others are asked to log in, or told there is no such page."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            return render(request, "404.html", status=404)
        return view(request, *args, **kwargs)
    return wrapped


def form_error(form, exc: ApplicationError) -> None:
    """Show a service's error at the form field it names, or at the top of the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)
