"""A thin client over the official `stripe` library: one function per call we make, idempotency
keys on every create, Stripe's answer mapped to our plain values. No business logic here."""

from __future__ import annotations

from dataclasses import dataclass

import stripe
from django.conf import settings

from ewtp.exceptions import TransientError
from ewtp.money import Money, minor_units


class GatewayError(Exception):
    """Stripe refused or failed."""

    def __init__(self, message: str, *, code: str = "stripe_error") -> None:
        super().__init__(message)
        self.message, self.code = message, code


class GatewayUnavailable(GatewayError, TransientError):
    """Stripe did not answer or asked us to slow down: the same call may succeed later."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str  # Stripe's PaymentIntent status
    client_secret: str
    failure_reason: str = ""
    last4: str = ""


def _client() -> stripe.StripeClient:
    base = getattr(settings, "STRIPE_API_BASE", "") or None  # tests point it at localstripe
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses={"api": base} if base else {},
                               max_network_retries=2)


def to_minor(money: Money) -> int:
    """Stripe amounts are integers in the currency's minor unit (JPY has none)."""
    return int(money.rounded().amount.scaleb(minor_units(money.currency)))


def _intent(resource) -> Intent:
    raw = resource.to_dict()
    error = raw.get("last_payment_error") or {}
    return Intent(id=raw["id"], status=raw["status"], client_secret=raw.get("client_secret") or "",
                  failure_reason=(error.get("message") or "") if isinstance(error, dict) else "")


def _call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        raise GatewayError(exc.user_message or "Your card was declined.", code=exc.code or "card_declined") from exc
    except (stripe.APIConnectionError, stripe.RateLimitError) as exc:
        raise GatewayUnavailable(str(exc), code="stripe_unavailable") from exc
    except stripe.StripeError as exc:
        raise GatewayError(exc.user_message or str(exc)) from exc


def create_intent(*, amount: Money, reference: str, idempotency_key: str, payment_method: str | None = None) -> Intent:
    """One PaymentIntent per checkout; its transfers to the sellers share the checkout's group."""
    params = {"amount": to_minor(amount), "currency": amount.currency.lower(), "payment_method_types": ["card"],
              "transfer_group": reference, "metadata": {"reference": reference}}
    if payment_method:
        params["payment_method"] = payment_method
    raw = _call(_client().v1.payment_intents.create, params=params, options={"idempotency_key": idempotency_key})
    return _intent(raw)


def confirm_intent(*, intent_id: str, payment_method: str | None = None) -> Intent:
    """Confirm server-side with a PaymentMethod id (in the page, Stripe.js confirms instead)."""
    try:
        if payment_method:
            _call(_client().v1.payment_intents.update, intent_id, params={"payment_method": payment_method})
        raw = _call(_client().v1.payment_intents.confirm, intent_id)
    except GatewayUnavailable:
        raise
    except GatewayError as exc:
        return Intent(id=intent_id, status="requires_payment_method", client_secret="", failure_reason=exc.message)
    return _intent(raw)


def update_intent_amount(*, intent_id: str, amount: Money) -> Intent:
    """A re-quoted checkout, before the buyer confirms: the intent asks for the new total."""
    return _intent(_call(_client().v1.payment_intents.update, intent_id,
                         params={"amount": to_minor(amount), "currency": amount.currency.lower()}))


def retrieve_intent(*, intent_id: str) -> Intent:
    return _intent(_call(_client().v1.payment_intents.retrieve, intent_id))


def refund(*, intent_id: str, amount: Money, idempotency_key: str) -> str:
    raw = _call(_client().v1.refunds.create, params={"payment_intent": intent_id, "amount": to_minor(amount)},
                options={"idempotency_key": idempotency_key})
    return raw.to_dict()["id"]


def transfer(*, amount: Money, destination: str, transfer_group: str, reference: str, idempotency_key: str) -> str:
    """Separate charges and transfers: one seller order's share of the checkout's charge, when its
    escrow is released. `transfer_group` is the checkout; `reference` the order."""
    raw = _call(_client().v1.transfers.create, params={
        "amount": to_minor(amount), "currency": amount.currency.lower(), "destination": destination,
        "transfer_group": transfer_group, "metadata": {"reference": reference}},
        options={"idempotency_key": idempotency_key})
    return raw.to_dict()["id"]


@dataclass(frozen=True)
class Account:
    id: str
    details_submitted: bool
    payouts_enabled: bool


def _account(resource) -> Account:
    raw = resource.to_dict()
    return Account(id=raw["id"], details_submitted=bool(raw.get("details_submitted")),
                   payouts_enabled=bool(raw.get("payouts_enabled")))


def create_express_account(*, country: str, email: str, company_id: int) -> Account:
    raw = _call(_client().v1.accounts.create, params={
        "type": "express", "country": country, "email": email,
        "capabilities": {"transfers": {"requested": True}}, "metadata": {"company_id": str(company_id)},
    }, options={"idempotency_key": f"account:{company_id}"})
    return _account(raw)


def retrieve_account(*, account_id: str) -> Account:
    return _account(_call(_client().v1.accounts.retrieve, account_id))


def onboarding_link(*, account_id: str, return_url: str, refresh_url: str) -> str:
    raw = _call(_client().v1.account_links.create, params={
        "account": account_id, "type": "account_onboarding", "return_url": return_url, "refresh_url": refresh_url})
    return raw.to_dict()["url"]


def construct_event(*, payload: bytes, signature: str) -> dict:
    """Verify Stripe's signature (HMAC-SHA256 over "timestamp.payload", 5 minutes' tolerance)."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=300)
    except (ValueError, stripe.SignatureVerificationError) as exc:
        raise GatewayError("The webhook signature is not valid.", code="invalid_signature") from exc
    return event.to_dict() if hasattr(event, "to_dict") else dict(event)
