"""What every API shares: the one error shape (from views, from the request parsers in ewtp/parsers.py,
and for URLs no API view answers) and the money field."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import Http404, JsonResponse
from django.views import defaults
from drf_spectacular.utils import extend_schema_field
from drf_spectacular.views import SpectacularAPIView
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from ewtp.exceptions import ApplicationError
from ewtp.idempotency import idempotent  # noqa: F401 (the API's one Idempotency-Key mechanism)
from ewtp.money import Money, has_too_many_decimals, to_decimal
from ewtp.parsers import TooLarge
from ewtp.views import error_page


def _first_error(detail, prefix: str = "") -> tuple[str | None, str, str]:
    """Walk DRF's nested ValidationError detail to the first (field, message, code)."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            field = f"{prefix}.{key}" if prefix and key != "non_field_errors" else (prefix or key)
            if key == "non_field_errors":
                field = prefix or None
            return _first_error(value, field or "")
    if isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, (dict, list)):
                return _first_error(item, f"{prefix}[{index}]" if prefix else str(index))
            return prefix or None, str(item), getattr(item, "code", "invalid")
    return prefix or None, str(detail), getattr(detail, "code", "invalid")


def exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(exc.as_json(), status=exc.status_code)
    if isinstance(exc, RequestDataTooBig):  # Django's own limits, met by the multipart parser
        exc = TooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ParseError("Too many form fields.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        field, message, code = _first_error(exc.detail)
        code = "invalid" if code in (None, "invalid") else code
    else:
        field, message, code = None, str(getattr(exc, "detail", exc)), getattr(exc, "default_code", "error")
    response.data = {"error": {"code": code, "message": message, "field": field}}
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _error_response(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "field": None}}, status=status)


# Django's error views (ewtp/urls.py's handler400/403/404/500): under /api/ they answer in the API's error
# shape, for URLs no API view answers and for requests refused before a view runs; pages keep their templates.
def bad_request(request, exception):
    if not _is_api(request):
        return defaults.bad_request(request, exception)
    if isinstance(exception, RequestDataTooBig):
        return _error_response(413, "too_large", "The request body is too large.")
    return _error_response(400, "bad_request", "The request is malformed.")


def permission_denied(request, exception):
    if not _is_api(request):
        return error_page(request, 403)
    return _error_response(403, "permission_denied", "You do not have permission to perform this action.")


def not_found(request, exception):
    if not _is_api(request):
        return error_page(request, 404)
    return _error_response(404, "not_found", "No API endpoint at this address.")


def server_error(request):
    if not _is_api(request):
        return defaults.server_error(request)
    return _error_response(500, "server_error", "Something went wrong on our side.")


class SchemaApi(SpectacularAPIView):
    """The OpenAPI schema; `?lang=` is one of the site's languages (it goes into a response header)."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        lang = request.GET.get("lang")
        if lang is not None and lang not in dict(settings.LANGUAGES):
            raise ApplicationError(f"lang is one of: {', '.join(dict(settings.LANGUAGES))}.", field="lang")


class MoneySerializer(serializers.Serializer):
    """Only for the OpenAPI schema: what a MoneyField looks like."""

    amount = serializers.CharField(help_text="Decimal string, e.g. \"12.50\"")
    currency = serializers.CharField(help_text="ISO 4217 code, e.g. \"EUR\"")


@extend_schema_field(MoneySerializer)
class MoneyField(serializers.Field):
    """`{"amount": "12.50", "currency": "EUR"}` in and out; floats and excess decimals refused."""

    default_error_messages = {
        # Braces doubled: DRF's fail() formats the message.
        "shape": 'Expected {{"amount": "<decimal string>", "currency": "<ISO 4217>"}}.',
        "amount": "Amount must be a decimal number written as a string.",
        "negative": "Amount must not be negative.",
        "decimals": "Amount has more decimals than {currency} allows.",
        "currency": "Currency must be a three-letter ISO 4217 code.",
        "too_large": "Amount is too large.",
    }

    def __init__(self, *, allow_negative: bool = False, **kwargs) -> None:
        self.allow_negative = allow_negative
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Money:
        if not isinstance(data, dict) or "amount" not in data or "currency" not in data:
            self.fail("shape")
        currency = data["currency"]
        if not isinstance(currency, str) or len(currency) != 3 or not currency.isalpha():
            self.fail("currency")
        currency = currency.upper()
        if isinstance(data["amount"], (float, bool)):
            self.fail("amount")
        try:
            amount = to_decimal(data["amount"])
        except (TypeError, ValueError):
            self.fail("amount")
        if amount < 0 and not self.allow_negative:
            self.fail("negative")
        if abs(amount) >= Decimal("1e12"):
            self.fail("too_large")
        if has_too_many_decimals(amount, currency):
            self.fail("decimals", currency=currency)
        return Money(amount, currency)

    def to_representation(self, value: Money) -> dict:
        return value.as_json()



def HasPermission(perm: str):  # noqa: N802  (reads as a class in permission_classes)
    """A DRF permission class for holders of one Django permission, e.g.
    `permission_classes = [HasPermission("customs.decide_clearancecase")]`."""
    from rest_framework.permissions import BasePermission

    class _HasPermission(BasePermission):
        required_permission = perm
        message = "You do not have the role this action needs."

        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    _HasPermission.__name__ = _HasPermission.__qualname__ = f"HasPermission[{perm}]"
    return _HasPermission
