"""The payment provider interface: the calls payments/services.py makes to whoever holds the money.

Two implementations, named by the setting PAYMENT_PROVIDER through `ewtp.providers.provider`:
"sandbox" (offline, Stripe's test cards, the default) and "stripe" (PaymentIntents and Connect
transfers through stripe_gateway). A payment stores the name of the provider that took it, and
its later calls (confirm, refund, payout) go to that one, whatever the setting says since.
Only these two short names are accepted (ewtp/settings refuses others at start-up): the pages
differ per provider (Stripe.js or a card number field) and the name is stored on each payment.
Stripe-only features (webhooks, Connect onboarding) call stripe_gateway directly.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from ewtp.exceptions import ApplicationError
from ewtp.money import Money
from ewtp.providers import provider
from payments.integrations import sandbox, stripe_gateway
from payments.integrations.stripe_gateway import Intent


@runtime_checkable
class PaymentProvider(Protocol):
    name: str  # stored on each payment
    pays_out: bool  # transfers each seller's share itself (else the platform records the payout)

    def intent_create(self, *, amount: Money, reference: str, idempotency_key: str) -> Intent:
        """One intent per checkout; the same key returns the same intent."""
        ...

    def intent_reprice(self, *, intent_id: str, amount: Money) -> None:
        """A re-quoted checkout, before the buyer confirms: the intent asks for the new total."""
        ...

    def intent_confirm(self, *, intent_id: str, card_number: str, payment_method: str) -> Intent:
        """The buyer's card (a number in the sandbox, a PaymentMethod id with Stripe); a decline
        comes back as the intent's status and failure reason, not as an exception."""
        ...

    def intent_retrieve(self, *, intent_id: str) -> Intent | None:
        """The provider's current word on the intent, or None when it has nothing to add."""
        ...

    def refund(self, *, intent_id: str, amount: Money, idempotency_key: str) -> None: ...

    def transfer(self, *, amount: Money, destination: str, transfer_group: str, reference: str,
                 idempotency_key: str) -> str:
        """Pay a seller's share to its account; returns the provider's transfer id."""
        ...


class SandboxProvider:
    """No network and no money: the sandbox's test cards decide; payouts are recorded by the platform."""

    name = "sandbox"
    pays_out = False

    def intent_create(self, *, amount: Money, reference: str, idempotency_key: str) -> Intent:
        return Intent(id=sandbox.intent_id(idempotency_key), status="requires_payment_method", client_secret="")

    def intent_reprice(self, *, intent_id: str, amount: Money) -> None:
        pass  # the sandbox keeps no amount of its own

    def intent_confirm(self, *, intent_id: str, card_number: str, payment_method: str) -> Intent:
        result = sandbox.confirm(card_number)
        return Intent(id=intent_id, status=result.status, client_secret="", failure_reason=result.failure_reason,
                      last4=result.last4)

    def intent_retrieve(self, *, intent_id: str) -> Intent | None:
        return None  # its answer was final when the buyer confirmed

    def refund(self, *, intent_id: str, amount: Money, idempotency_key: str) -> None:
        pass

    def transfer(self, *, amount: Money, destination: str, transfer_group: str, reference: str,
                 idempotency_key: str) -> str:
        raise NotImplementedError("The sandbox does not pay out: the platform records the payout.")


class StripeProvider:
    """Stripe's PaymentIntents, refunds and Connect transfers (separate charges and transfers)."""

    name = "stripe"
    pays_out = True

    def intent_create(self, *, amount: Money, reference: str, idempotency_key: str) -> Intent:
        return stripe_gateway.create_intent(amount=amount, reference=reference,
                                            idempotency_key=f"intent:{idempotency_key}")

    def intent_reprice(self, *, intent_id: str, amount: Money) -> None:
        stripe_gateway.update_intent_amount(intent_id=intent_id, amount=amount)

    def intent_confirm(self, *, intent_id: str, card_number: str, payment_method: str) -> Intent:
        if not payment_method:
            raise ApplicationError("Choose a card.", code="required", field="payment_method")
        return stripe_gateway.confirm_intent(intent_id=intent_id, payment_method=payment_method)

    def intent_retrieve(self, *, intent_id: str) -> Intent | None:
        return stripe_gateway.retrieve_intent(intent_id=intent_id)

    def refund(self, *, intent_id: str, amount: Money, idempotency_key: str) -> None:
        stripe_gateway.refund(intent_id=intent_id, amount=amount, idempotency_key=idempotency_key)

    def transfer(self, *, amount: Money, destination: str, transfer_group: str, reference: str,
                 idempotency_key: str) -> str:
        return stripe_gateway.transfer(amount=amount, destination=destination, transfer_group=transfer_group,
                                       reference=reference, idempotency_key=idempotency_key)


BUILTIN = {"sandbox": SandboxProvider, "stripe": StripeProvider}


def payment_provider(name: str | None = None) -> PaymentProvider:
    """The provider a new payment goes to (settings.PAYMENT_PROVIDER), or the one named `name`
    (the provider a stored payment was made with)."""
    return provider("PAYMENT_PROVIDER", default="sandbox", builtin=BUILTIN, interface=PaymentProvider, name=name)
