"""The `Ewtp-Signature` header, the way Stripe signs its webhooks (pure: no I/O).

    Ewtp-Signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd

`v1` is the hex HMAC-SHA256, keyed with the endpoint's signing secret, of the timestamp, a dot and the
exact bytes of the request body (`b"1767225600." + body`). Just after a secret is rotated the header carries
a `v1` for each secret still valid; a receiver accepts the request when any of them matches.

To verify (this module's `verify` does it, and receivers may copy it): split the header on `,` and each
part on the first `=`; compute the HMAC of `t + "." + raw body` with your secret; compare it with each
`v1` in constant time; refuse a timestamp more than a tolerance (5 minutes) from your clock, so that a
captured request cannot be replayed later. Then dedupe on the event's `id`: a retry or a replay carries
the same id.
"""

from __future__ import annotations

import hashlib
import hmac

HEADER = "Ewtp-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """The header is missing, malformed, too old, or no signature in it matches."""


def compute(secret: str, timestamp: int, payload: bytes) -> str:
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()


def header(secrets: list[str], timestamp: int, payload: bytes) -> str:
    """The header value: one v1 per secret (the current one first)."""
    return ",".join([f"t={timestamp}", *(f"{SCHEME}={compute(s, timestamp, payload)}" for s in secrets if s)])


def verify(value: str | None, payload: bytes, secret: str, *, now: float,
           tolerance: int = DEFAULT_TOLERANCE_SECONDS) -> int:
    """Check a header against the raw body; returns its timestamp, or raises SignatureError."""
    if not value:
        raise SignatureError("No signature header.")
    timestamp, signatures = None, []
    for part in value.split(","):
        key, _, item = part.strip().partition("=")
        if key == "t":
            try:
                timestamp = int(item)
            except ValueError:
                raise SignatureError("The timestamp is not a number.") from None
        elif key == SCHEME:
            signatures.append(item)
    if timestamp is None or not signatures:
        raise SignatureError("The header has no timestamp or no v1 signature.")
    if abs(now - timestamp) > tolerance:
        raise SignatureError("The timestamp is outside the tolerance.")
    expected = compute(secret, timestamp, payload)
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures):
        raise SignatureError("No signature matches.")
    return timestamp
