"""Two-factor sign-in for staff roles, and the answer to a throttled sign-in.

Who: superusers, `is_staff`, and anyone holding a permission of a staff role (customs officers, finance,
compliance: ewtp/roles.py). They sign in with their password on the usual login page, then give a TOTP
code (RFC 6238, any authenticator app) from a django-otp device; one without a device sets one up first.
`ewtp.middleware.TwoFactorRequiredMiddleware` keeps every other page (and the session API) from them until
they have; the API token endpoint asks them for the code beside the password.

Throttling is django-axes (settings AXES_*): `locked_out` is its answer, 429, on pages and in the API's
error shape. Codes themselves are throttled by django-otp (each failure doubles the wait).
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.response import Response

from ewtp.exceptions import ApplicationError
from ewtp.roles import ROLES

STAFF_PERMISSIONS = frozenset(perm for perms in ROLES.values() for perm in perms)


def two_factor_required(user) -> bool:
    """Whether `user` signs in with a second factor: any staff power. `has_perm` fills the user's permission
    cache, which the page layout reads anyway (its staff links), so this costs a page no query."""
    if not user.is_authenticated:
        return False
    return user.is_staff or user.is_superuser or any(user.has_perm(perm) for perm in STAFF_PERMISSIONS)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _check_code(device: TOTPDevice, code: str) -> str | None:
    """None when `code` is the device's current one; else the message to show (wrong, or wait)."""
    allowed, _details = device.verify_is_allowed()
    if not allowed:
        return _("Too many wrong codes: wait a few seconds, then try again.")
    if not device.verify_token(code.strip().replace(" ", "")):
        return _("That code is not the current one: check your authenticator app's clock and try again.")
    return None


class CodeForm(forms.Form):
    otp_token = forms.CharField(
        label=gettext_lazy("Code from your authenticator app"), max_length=8, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}))


def _next_url(request) -> str:
    """Where to go once signed in: `next` if it is a URL of this site, else the catalog. Always a URL, which
    the views redirect to as it is (Django's `redirect` would try `next=٣` as a view name, and fail)."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return wanted
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def verify(request):
    """The second step of signing in: the code from the device set up before."""
    if not two_factor_required(request.user):  # buyers and sellers sign in with the password alone
        return HttpResponseRedirect(_next_url(request))
    device = confirmed_device(request.user)
    if device is None:
        return redirect(f"{reverse('two_factor:setup')}?{urlencode({'next': _next_url(request)})}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if error := _check_code(device, form.cleaned_data["otp_token"]):
            form.add_error("otp_token", error)
        else:
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@login_required
def setup(request):
    """First sign-in of a staff member: scan the key into an authenticator app and prove it with a code.
    The key stays the same across reloads (one unconfirmed device) until a code confirms it."""
    if not two_factor_required(request.user):
        return HttpResponseRedirect(_next_url(request))
    if confirmed_device(request.user) is not None:
        return redirect(f"{reverse('two_factor:verify')}?{urlencode({'next': _next_url(request)})}")
    device = (TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("pk").first()
              or TOTPDevice.objects.create(user=request.user, confirmed=False, name="Authenticator app"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if error := _check_code(device, form.cleaned_data["otp_token"]):
            form.add_error("otp_token", error)
        else:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return HttpResponseRedirect(_next_url(request))
    qr = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return render(request, "accounts/two_factor_setup.html", {
        "form": form, "next": _next_url(request), "qr_svg": qr.to_string(encoding="unicode"),
        "secret": _base32(device), "config_url": device.config_url})


def _base32(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def axes_username(request, credentials=None) -> str | None:
    """The username django-axes counts failures under (AXES_USERNAME_CALLABLE): the login form's or the token
    endpoint's, cut to the 255 characters its table holds (Django's login form does not refuse a longer one
    before authenticating; no account's email is that long, so the cut joins no two real users)."""
    source = credentials if credentials else getattr(request, "data", request.POST)
    username = source.get(settings.AXES_USERNAME_FORM_FIELD)
    return username[:255] if isinstance(username, str) else username


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer once a username and address have failed too often (AXES_LOCKOUT_CALLABLE)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    message = _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes}
    retry_after = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "throttled", "message": message, "field": None}}, status=429)
    else:
        response = render(request, "accounts/locked_out.html", {"message": message}, status=429)
    response["Retry-After"] = retry_after
    return response


class TokenInputSerializer(AuthTokenSerializer):
    otp_token = serializers.CharField(required=False, max_length=8, help_text="The authenticator app's code: "
                                      "required for staff roles (customs officers, finance, compliance, staff).")


class TokenApi(ObtainAuthToken):
    """POST username and password (and `otp_token` for staff roles): the user's API token. Throttled like
    the login page: 429 once locked out."""
    # Takes no Idempotency-Key (ewtp/idempotency.py):
    idempotency_exempt = "signing in creates nothing: the same user gets the same token"

    serializer_class = TokenInputSerializer

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        valid = serializer.is_valid()
        if getattr(request, "axes_locked_out", False):  # set by django-axes' backend during authenticate
            raise Throttled(wait=settings.AXES_COOLOFF_TIME.total_seconds(), detail=_("Too many failed sign-ins."))
        if not valid:
            raise ValidationError(serializer.errors)
        user = serializer.validated_data["user"]
        if two_factor_required(user):
            device = confirmed_device(user)
            if device is None:
                raise ApplicationError(_("Set up two-factor sign-in in the browser first (log in at "
                                         "/accounts/login/)."), code="two_factor_setup_required", field="otp_token")
            code = serializer.validated_data.get("otp_token", "")
            if not code:  # asked for, not a wrong guess (which django-otp would count against the device)
                raise ApplicationError(_("Give the code from your authenticator app."), code="two_factor_required",
                                       field="otp_token")
            if error := _check_code(device, code):
                raise ApplicationError(error, code="two_factor_required", field="otp_token")
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


app_name = "two_factor"
urlpatterns = [
    path("", verify, name="verify"),
    path("setup/", setup, name="setup"),
]
