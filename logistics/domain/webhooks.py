"""Signed carrier webhooks: HMAC-SHA256 over "<timestamp>.<body>", the way Stripe signs its events.

Pure: no ORM, no I/O, no settings. The carrier sends two headers with each push:

    X-Carrier-Timestamp: 1796000000            (Unix seconds when it signed)
    X-Carrier-Signature: sha256=<hex digest>   (HMAC-SHA256(secret, b"1796000000." + body))

A push is accepted only when the signature matches (compared in constant time) and the
timestamp is within `tolerance` seconds of now, so a captured request cannot be replayed later;
a replay inside the window carries events we already stored, which the store ignores.
"""

from __future__ import annotations

import hashlib
import hmac

DEFAULT_TOLERANCE_SECONDS = 300
PREFIX = "sha256="


class SignatureError(ValueError):
    """The push is forged, tampered with or stale. `code` says which, for the 400 answer."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return PREFIX + digest


def verify(secret: str, *, timestamp: str | None, signature: str | None, body: bytes, now: float,
           tolerance: int = DEFAULT_TOLERANCE_SECONDS) -> None:
    """Raise SignatureError unless `signature` signs `body` at `timestamp`, and `timestamp` is recent."""
    if not secret:
        raise SignatureError("No webhook secret is configured for carriers.", code="webhook_not_configured")
    if not timestamp or not signature:
        raise SignatureError("The push is not signed.", code="missing_signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise SignatureError("The signature timestamp is not a number.", code="bad_timestamp") from None
    if not hmac.compare_digest(sign(secret, sent_at, body), signature.strip()):
        raise SignatureError("The signature does not match the body.", code="bad_signature")
    if abs(now - sent_at) > tolerance:
        raise SignatureError(f"The push was signed more than {tolerance} s ago (or in the future).",
                             code="stale_timestamp")
