"""Request checks that hold for every URL, before any view runs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse


def _nul_field(request) -> str | None:
    """The first place a NUL (0x00) shows in the path, the query string or a form field: PostgreSQL text cannot
    hold one (psycopg refuses the query: a 500), and no person types one."""
    if "\x00" in request.path:
        return "path"
    sources = [request.GET]
    if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        request.body  # noqa: B018  (read and kept first: views that check a signature still read it after)
        sources.append(request.POST)
    for source in sources:
        for key, values in source.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "")
    return None


class RefuseNulMiddleware:
    """A request with a NUL character is a 400 at the field at fault (the API's error shape under /api/).
    JSON and multipart bodies to the API are checked by its parsers (ewtp/parsers.py); multipart pages are
    forms, whose fields refuse NUL themselves. (Reading a multipart body here would leave none for a view
    that reads request.body, as the webhooks do.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = _nul_field(request)
        if field is None:
            return self.get_response(request)
        message = "Text may not contain NUL (0x00) characters."
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "invalid_character", "message": message, "field": field}},
                                status=400)
        return HttpResponseBadRequest(f"{message} ({field})", content_type="text/plain; charset=utf-8")


class PermissionsPolicyMiddleware:
    """The Permissions-Policy header (settings.PERMISSIONS_POLICY): browser features no page uses stay off.
    Django sets the other security headers itself (SecurityMiddleware, X-Frame-Options) and django-csp the CSP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response


class TwoFactorRequiredMiddleware:
    """A staff member signed in with a password alone (ewtp/two_factor.py) reaches only the two-factor pages,
    logging in and out and switching language: a page sends them to give their code (or to set up a device
    first), the session API answers 403 `two_factor_required`. Token-authenticated API calls are checked
    when the token is issued (ewtp.two_factor.TokenApi)."""

    OPEN_PREFIXES = ("/accounts/two-factor/", "/accounts/login/", "/accounts/logout/", "/i18n/", "/healthz")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from ewtp.two_factor import confirmed_device, two_factor_required

        user = request.user
        if (request.path.startswith(self.OPEN_PREFIXES) or not user.is_authenticated or user.is_verified()
                or not two_factor_required(user)):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"error": {"code": "two_factor_required", "field": None, "message":
                                           "Give your authenticator code at /accounts/two-factor/ first."}},
                                status=403)
        step = "two_factor:verify" if confirmed_device(user) else "two_factor:setup"
        wanted = request.get_full_path() if request.method == "GET" else request.path
        return redirect(f"{reverse(step)}?{urlencode({'next': wanted})}")
