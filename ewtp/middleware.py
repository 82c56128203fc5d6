"""Request checks that hold for every URL, before any view runs."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseBadRequest, JsonResponse


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
