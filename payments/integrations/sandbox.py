"""The offline payment provider: Stripe's test cards, Stripe's states, no network.

4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 is declined, 4000 0027 6000 3184 needs
3-D Secure (then succeeds once the buyer authenticates). Any other number that passes the
Luhn check succeeds, like Stripe's other success test cards; numbers that fail it are refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from ewtp.numbers import is_whole_number

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
NEEDS_AUTHENTICATION = "4000002760003184"


@dataclass(frozen=True)
class ConfirmResult:
    status: str  # succeeded | requires_action | failed
    last4: str
    failure_reason: str = ""


def luhn_valid(number: str) -> bool:
    digits = [int(d) for d in number]
    checksum = 0
    for index, digit in enumerate(reversed(digits)):
        if index % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        checksum += digit
    return checksum % 10 == 0


def normalise_card(number: str) -> str:
    return "".join(ch for ch in number if not ch.isspace() and ch != "-")


def intent_id(idempotency_key: str) -> str:
    """Same key, same intent: a retried create returns the intent it made the first time."""
    return "pi_sandbox_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


def confirm(card_number: str) -> ConfirmResult:
    number = normalise_card(card_number)
    if not is_whole_number(number) or not 12 <= len(number) <= 19 or not luhn_valid(number):
        return ConfirmResult("failed", number[-4:] if is_whole_number(number) else "", "Your card number is incorrect.")
    if number == DECLINED:
        return ConfirmResult("failed", number[-4:], "Your card was declined.")
    if number == NEEDS_AUTHENTICATION:
        return ConfirmResult("requires_action", number[-4:])
    return ConfirmResult("succeeded", number[-4:])
