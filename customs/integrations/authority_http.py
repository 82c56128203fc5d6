"""The customs authority over HTTP: each declaration lodged in a standard data set, its decision polled.

Chosen with ``CUSTOMS_AUTHORITY = "http"``; the interface it implements is in
``customs.integrations.authority``. A pure mapper (our declaration → the standard document and
the request; the authority's answers → `Receipt` / `Answer` / errors) and a thin urllib client.

What it sends
-------------
The stored declaration in the standard the platform lodges it in
(``customs.selectors.declaration_document``): the EU's H7 data set for a low-value consignment to
an EU Member State (Delegated Regulation (EU) 2015/2446, Annex B, column H7; see
``customs/domain/declarations/h7.py``), the WCO Data Model for every other destination and for EU
consignments above EUR 150 (``customs/domain/declarations/wco.py``). It is validated first: one that
fails is never sent, and the case goes to ``error`` at once naming the element at fault.

The exchange
------------
``POST {CUSTOMS_AUTHORITY_URL}/declarations``
    The document as JSON (``application/json``) or XML (``application/xml``), as
    ``CUSTOMS_AUTHORITY_FORMAT`` says; headers ``Authorization: Bearer {CUSTOMS_AUTHORITY_TOKEN}``,
    ``Idempotency-Key: {LRN}`` and ``Declaration-Standard: H7 | WCO``. The LRN is in the document too
    (H7 ``lrn``, WCO D026 ``FunctionalReferenceID``) and stays the same across our retries, so the
    authority files a repeated lodgement once: it answers 200/201 ``{"mrn": ...}`` (or 409 with the
    first ``mrn``) whether the LRN is new or not.
``GET {CUSTOMS_AUTHORITY_URL}/declarations/{MRN}``
    The decision: ``{"status": "pending" | "accepted" | "held" | "rejected", "reason": ...,
    "documents_requested": [...], "assessed": {"amount", "currency"}}``; ``assessed`` (optional) is
    the duties and import taxes the authority assessed at the border. Pending is no answer yet (asked again by beat); accepted is a
    release, held a query (with the documents asked for), rejected a refusal with its reason.

``POST {CUSTOMS_AUTHORITY_URL}/settlements``
    Pays the duties and taxes owed for released declarations: ``{"reference", "destination",
    "currency", "amount", "lines": [{"reference", "mrn", "amount"}]}`` with ``Idempotency-Key:
    {reference}``; answers 200/201 (or 409 for a reference paid already) ``{"payment_reference": ...}``.
    The same reference twice is one payment.

How failures are classified (the pipeline's retry conventions, ``ewtp.tasks.service_task``)
------------------------------------------------------------------------------------------------
- no connection, a timeout, 408, 425, 429 or 5xx, an unreadable answer: ``AuthorityUnavailable``
  (a ``TransientError``): the Celery task retries with backoff, then leaves the case in ``error``;
- 400 / 422 (the authority's validation, with its field errors), 401 / 403 (the token), 404 and any
  other answer: ``AuthorityRefused``, not retried; the case goes to ``error`` at once with the
  authority's reasons, for an officer to mend and retry.

Settings: ``CUSTOMS_AUTHORITY_URL`` (required), ``CUSTOMS_AUTHORITY_TOKEN``,
``CUSTOMS_AUTHORITY_FORMAT`` (``json`` or ``xml``), ``CUSTOMS_AUTHORITY_HTTP_TIMEOUT_SECONDS``,
``CUSTOMS_AUTHORITY_POLL_SECONDS`` (when the first poll is worth making).
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from customs.integrations.authority import (
    Answer,
    AuthorityRefused,
    AuthorityUnavailable,
    Lodgement,
    Receipt,
    Settlement,
    SettlementReceipt,
)

SYNTAXES = {"json": "application/json", "xml": "application/xml"}
MAX_ANSWER_BYTES = 1024 * 1024
_PENDING = frozenset({"pending", "received", "under_review"})
_OUTCOMES = {"accepted": "released", "released": "released", "held": "queried", "queried": "queried",
             "rejected": "rejected"}
_TRANSIENT_STATUSES = frozenset({408, 425, 429})


# --- the mapper (pure) -------------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes | None = None
    headers: tuple[tuple[str, str], ...] = ()


def lodgement_request(*, lrn: str, standard: str, document, syntax: str) -> Request:
    """The POST that lodges a validated `document` (an H7 or WCO declaration) in `syntax`."""
    if syntax == "xml":
        body = document.to_xml().encode("utf-8")
    else:
        body = json.dumps(document.to_json(), ensure_ascii=False).encode("utf-8")
    return Request("POST", "/declarations", body, (
        ("Content-Type", f"{SYNTAXES[syntax]}; charset=utf-8"), ("Idempotency-Key", lrn),
        ("Declaration-Standard", standard.upper())))


def refused_before_sending(standard: str, violations) -> AuthorityRefused:
    listed = "; ".join(f"{v.path} ({v.element}): {v.message}" for v in violations)
    return AuthorityRefused(f"The declaration fails {standard.upper()} validation and was not sent to the "
                            f"authority: {listed}")


def receipt_from(status: int, payload: Any, *, lrn: str) -> Receipt:
    """The receipt of a lodgement answered `status` with `payload` (parsed JSON, or None)."""
    if status in (200, 201, 202, 409) and isinstance(payload, dict) and isinstance(payload.get("mrn"), str) \
            and payload["mrn"]:
        return Receipt(lrn=lrn, mrn=payload["mrn"])  # 409: lodged already under this LRN, its first reference
    raise _error(status, payload, doing="lodging the declaration")


def answer_from(status: int, payload: Any, *, now: datetime) -> Answer | None:
    """The decision in a poll's answer, None while the authority has not decided."""
    if status != 200 or not isinstance(payload, dict):
        raise _error(status, payload, doing="asking for the decision")
    state = payload.get("status")
    if state in _PENDING:
        return None
    if state not in _OUTCOMES:
        raise AuthorityRefused(f"The authority answered a decision this adapter does not know: {state!r}.")
    outcome = _OUTCOMES[state]
    reason = payload.get("reason") if isinstance(payload.get("reason"), str) else ""
    documents = [d for d in payload.get("documents_requested") or [] if isinstance(d, str)]
    details = {"documents": documents} if documents else {}
    if payload.get("reference"):
        details["authority_reference"] = str(payload["reference"])
    assessed = payload.get("assessed")
    if outcome == "released" and assessed is not None:
        details["assessed"] = assessed_from(assessed)
    default = {"released": "Accepted by the customs authority.", "queried": "Held by the customs authority.",
               "rejected": "Rejected by the customs authority."}[outcome]
    if outcome == "queried" and documents and not reason:
        reason = "The customs authority asks for: " + ", ".join(documents) + "."
    return Answer(outcome, reason or default, now, details)


def assessed_from(value: Any) -> dict:
    """The authority's assessment as {"amount", "currency"}; anything else is refused (not guessed)."""
    from decimal import Decimal, InvalidOperation

    if not isinstance(value, dict) or not isinstance(value.get("currency"), str) or len(value["currency"]) != 3:
        raise AuthorityRefused(f"The authority's assessment is not an amount and a currency: {value!r}.")
    try:
        amount = Decimal(str(value.get("amount")))
    except InvalidOperation:
        raise AuthorityRefused(f"The authority's assessed amount is not a number: {value.get('amount')!r}.") from None
    if not amount.is_finite() or amount < 0:
        raise AuthorityRefused(f"The authority's assessed amount is not a sum owed: {amount}.")
    return {"amount": str(amount), "currency": value["currency"].upper()}


def settlement_request(settlement: Settlement) -> Request:
    body = {"reference": settlement.reference, "destination": settlement.destination,
            "currency": settlement.currency, "amount": str(settlement.amount),
            "lines": [{"reference": line.reference, "mrn": line.mrn, "amount": str(line.amount)}
                      for line in settlement.lines]}
    return Request("POST", "/settlements", json.dumps(body).encode("utf-8"), (
        ("Content-Type", "application/json; charset=utf-8"), ("Idempotency-Key", settlement.reference)))


def settlement_receipt_from(status: int, payload: Any, *, reference: str) -> SettlementReceipt:
    if status in (200, 201, 409) and isinstance(payload, dict) and isinstance(payload.get("payment_reference"), str) \
            and payload["payment_reference"]:
        return SettlementReceipt(reference=reference, payment_reference=payload["payment_reference"])
    raise _error(status, payload, doing="paying the duties owed")


def _error(status: int, payload: Any, *, doing: str) -> Exception:
    if status >= 500 or status in _TRANSIENT_STATUSES:
        return AuthorityUnavailable(f"The customs authority answered {status} when {doing}; it will be asked again.")
    if status in (401, 403):
        return AuthorityRefused(f"The customs authority refused our credentials ({status}) when {doing}: check "
                                "CUSTOMS_AUTHORITY_TOKEN.")
    if 200 <= status < 300:
        return AuthorityUnavailable(f"The customs authority's answer to {doing} could not be read ({status}).")
    return AuthorityRefused(f"The customs authority refused {doing} ({status}): {field_errors(payload)}")


def field_errors(payload: Any) -> str:
    """The authority's reasons as one line, each with its field: it takes {"errors": [{"path" | "field",
    "element", "message"}]} or our own error shape {"error": {"field", "message"}}."""
    if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
        payload = {"errors": [payload["error"]]}
    errors = payload.get("errors") if isinstance(payload, dict) else None
    if not isinstance(errors, list) or not errors:
        return str(payload)[:300] if payload else "no reason given"
    lines = []
    for error in errors[:20]:
        if not isinstance(error, dict):
            lines.append(str(error)[:200])
            continue
        field = error.get("path") or error.get("field") or "?"
        element = f" ({error['element']})" if error.get("element") else ""
        lines.append(f"{field}{element}: {error.get('message', 'invalid')}")
    return "; ".join(lines)


# --- the client (I/O) --------------------------------------------------------------------------

class HttpAuthority:
    """Lodges with and polls an authority's HTTP API (module docstring)."""

    def __init__(self, *, url: str, token: str = "", syntax: str = "json", timeout_seconds: float = 20.0,
                 poll_after_seconds: float = 60.0) -> None:
        from django.core.exceptions import ImproperlyConfigured

        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"CUSTOMS_AUTHORITY_URL={url!r}: give the http(s) address of the authority's "
                                       "API (CUSTOMS_AUTHORITY=http needs it).")
        if syntax not in SYNTAXES:
            raise ImproperlyConfigured(f"CUSTOMS_AUTHORITY_FORMAT={syntax!r}: use json or xml.")
        self.url = url.rstrip("/")
        self.token = token
        self.syntax = syntax
        self.timeout_seconds = timeout_seconds
        self.poll_after_seconds = poll_after_seconds

    def lodge(self, lodgement: Lodgement) -> Receipt:
        from customs.selectors import declaration_document

        standard, document, violations = declaration_document(
            declaration=lodgement.declaration, lrn=lodgement.lrn, declared_on=lodgement.declared_on,
            issued_at=lodgement.lodged_at)
        if violations:
            raise refused_before_sending(standard, violations)
        request = lodgement_request(lrn=lodgement.lrn, standard=standard, document=document, syntax=self.syntax)
        return receipt_from(*self._send(request, doing="lodging the declaration"), lrn=lodgement.lrn)

    def answer(self, receipt: Receipt, *, lodgement: Lodgement) -> Answer | None:
        from django.utils import timezone

        request = Request("GET", "/declarations/" + urllib.parse.quote(receipt.mrn, safe=""))
        return answer_from(*self._send(request, doing="asking for the decision"), now=timezone.now())

    def settle(self, settlement: Settlement) -> SettlementReceipt:
        request = settlement_request(settlement)
        return settlement_receipt_from(*self._send(request, doing="paying the duties owed"),
                                       reference=settlement.reference)

    def _send(self, request: Request, *, doing: str) -> tuple[int, Any]:
        headers = {"Accept": "application/json", "User-Agent": "ewtp-marketplace", **dict(request.headers)}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        outgoing = urllib.request.Request(self.url + request.path, data=request.body, headers=headers,
                                          method=request.method)
        try:
            with urllib.request.urlopen(outgoing, timeout=self.timeout_seconds) as response:  # noqa: S310 (operator's URL)
                status, body = response.status, response.read(MAX_ANSWER_BYTES)
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read(MAX_ANSWER_BYTES)
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, a garbled answer
            raise AuthorityUnavailable(f"The customs authority could not be reached when {doing}: "
                                       f"{getattr(error, 'reason', error)}") from error
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = body.decode("utf-8", "replace")[:300]
            if 200 <= status < 300:
                raise AuthorityUnavailable(f"The customs authority's answer to {doing} is not JSON ({status}).") \
                    from None
        return status, payload


def http_authority_from_settings() -> HttpAuthority:
    from django.conf import settings

    return HttpAuthority(url=settings.CUSTOMS_AUTHORITY_URL, token=settings.CUSTOMS_AUTHORITY_TOKEN,
                         syntax=settings.CUSTOMS_AUTHORITY_FORMAT,
                         timeout_seconds=settings.CUSTOMS_AUTHORITY_HTTP_TIMEOUT_SECONDS,
                         poll_after_seconds=settings.CUSTOMS_AUTHORITY_POLL_SECONDS)
