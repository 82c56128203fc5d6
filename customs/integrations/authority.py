"""The customs authority: where a cleared-for-lodging declaration goes, and where its answer
comes from.

The interface
-------------
An adapter has two calls and one hint, and raises ``AuthorityUnavailable`` for anything worth
retrying (timeouts, 5xx, a closed window); the pipeline retries those with backoff and, when they
keep failing, leaves the case in ``error`` for an officer to retry. ``AuthorityRefused`` (or any
other exception) is not retried: the case goes to ``error`` with the reason at once.

``lodge(lodgement) -> Receipt``
    Lodge the declaration. Must be idempotent per ``lodgement.lrn`` (the Local Reference Number
    we send, stable across our retries: ``EWTP-<case>-<opened>-<n>``): lodging the same LRN twice
    returns the first receipt and registers nothing new. Real single windows (EU ICS2/AES,
    UK CDS, Singapore TradeNet, China's single window) and brokers deduplicate on the LRN; if
    yours does not, keep an LRN → MRN table in the adapter and look it up before calling.
``answer(receipt, *, lodgement) -> Answer | None``
    The authority's decision on a lodged declaration, or ``None`` while it has not decided.
    A real adapter asks the authority's status endpoint for ``receipt.mrn``; an authority that
    pushes its answers instead (a webhook, an AS4 message) should store them where ``answer``
    reads them, or call ``customs.services.case_authority_answered`` directly.
``settle(settlement) -> SettlementReceipt``
    Pay the authority the duties and import taxes owed for a batch of released declarations
    (one destination, one currency: ``duties.services.settlement_run``). Must be idempotent per
    ``settlement.reference``: paying the same reference twice returns the first receipt and moves no
    more money (our retries after a lost answer). Raises ``AuthorityUnavailable`` to be retried.
``poll_after_seconds``
    How long after lodging an answer is worth asking for. The pipeline polls once then (capped
    at ``MAX_COUNTDOWN_SECONDS``, well under the Redis broker's visibility timeout); beat's
    ``clearance_reconcile`` asks again for every submitted case whose answer has not come.

The HTTP authority
------------------
``CUSTOMS_AUTHORITY = "http"`` lodges each declaration in a standard data set (the EU's H7 for
low-value consignments to the EU, the WCO Data Model for the rest) with a single window or broker
over HTTP: ``customs.integrations.authority_http`` describes the exchange and its settings.

Plugging in another authority: write a class with these members (a pure mapper from our
declaration JSON to the authority's message plus a thin HTTP client, as the carriers do) and
name it in the ``CUSTOMS_AUTHORITY`` setting as ``"package.module.ClassName"``.

The simulated authority
-----------------------
``SimulatedAuthority`` (the default, ``CUSTOMS_AUTHORITY = "simulated"``) answers
``CUSTOMS_AUTHORITY_DELAY_SECONDS`` after lodging (seconds in tests, minutes in a demo). A tester
steers it with ``declaration["authority_simulation"]``:

    {"answer": "release" | "query" | "reject" | "silent",   # default "release"
     "lodge_seconds": 4,          # how long lodging takes (to kill a worker in the middle)
     "assessed": {"amount": "12.40", "currency": "EUR"},  # the duties and import taxes it assesses
                                  # at the border (default: none, it accepts what was declared paid)
     "unavailable": true,         # every call raises AuthorityUnavailable
     "malformed": true}           # lodging raises AuthorityRefused (the message fails validation)

A released answer may carry ``details["assessed"]``, the duties and import taxes the authority assessed
at the border (``{"amount", "currency"}``); without it the authority accepted what was declared paid. The
platform settles any difference with the buyer or seller (``duties.services.duty_assessment_record``).
Settlements are journalled too, once per reference, in ``customs-authority-sim-settlements.jsonl``.

It keeps a journal of what it received (one JSON line per lodging call, in
``<EWTP_VAR_DIR>/customs-authority-sim.jsonl``): the outside system's own record, outside our
database transaction, so tests can see what the authority was actually sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Protocol, runtime_checkable

from ewtp.exceptions import TransientError
from ewtp.providers import provider

MAX_COUNTDOWN_SECONDS = 300  # far below the Redis visibility timeout (3600 s)


class AuthorityUnavailable(TransientError):
    """A transient failure talking to the authority: worth retrying."""


class AuthorityRefused(Exception):
    """The authority refused the message itself (malformed, an unknown code): retrying the same
    message cannot help, so the case goes to `error` at once for an officer."""


@dataclass(frozen=True)
class Lodgement:
    lrn: str
    destination: str
    declaration: dict
    lodged_at: datetime  # when we first lodged (stable across retries)
    declared_on: date | None = None  # the day the case was declared: the FX rates of its EUR value


@dataclass(frozen=True)
class Receipt:
    lrn: str
    mrn: str  # the authority's Movement Reference Number


@dataclass(frozen=True)
class Answer:
    outcome: str  # released | queried | rejected
    reason: str
    answered_at: datetime
    details: dict = field(default_factory=dict)


OUTCOMES = ("released", "queried", "rejected")


@dataclass(frozen=True)
class SettlementLine:
    reference: str  # our shipment (order) reference
    mrn: str  # the authority's reference of the declaration
    amount: Decimal


@dataclass(frozen=True)
class Settlement:
    reference: str  # ours, stable across retries: the authority deduplicates on it
    destination: str
    currency: str
    amount: Decimal
    lines: tuple[SettlementLine, ...] = ()


@dataclass(frozen=True)
class SettlementReceipt:
    reference: str
    payment_reference: str  # the authority's receipt of the payment


@runtime_checkable
class CustomsAuthority(Protocol):
    poll_after_seconds: float

    def lodge(self, lodgement: Lodgement) -> Receipt: ...

    def answer(self, receipt: Receipt, *, lodgement: Lodgement) -> Answer | None: ...

    def settle(self, settlement: Settlement) -> SettlementReceipt: ...


class SimulatedAuthority:
    """Answers by the rules in the module docstring; no network, deterministic per LRN."""

    def __init__(self, *, delay_seconds: float = 3.0, journal: Path | None = None) -> None:
        self.delay_seconds = delay_seconds
        self.poll_after_seconds = delay_seconds
        self.journal = journal

    @staticmethod
    def _steer(lodgement: Lodgement) -> dict:
        steer = lodgement.declaration.get("authority_simulation") or {}
        return steer if isinstance(steer, dict) else {}

    def lodge(self, lodgement: Lodgement) -> Receipt:
        steer = self._steer(lodgement)
        if steer.get("unavailable"):
            raise AuthorityUnavailable("The simulated authority is unavailable (authority_simulation.unavailable).")
        if steer.get("malformed"):
            raise AuthorityRefused("The simulated authority refused the message: it fails schema validation "
                                   "(authority_simulation.malformed).")
        mrn = "SIM" + hashlib.sha256(lodgement.lrn.encode()).hexdigest()[:15].upper()  # same LRN, same MRN
        if self.journal is not None:
            with open(self.journal, "a", encoding="utf-8") as out:
                out.write(json.dumps({"lrn": lodgement.lrn, "mrn": mrn, "pid": os.getpid(),
                                      "at": time.time()}) + "\n")
        seconds = float(steer.get("lodge_seconds") or 0)
        if seconds > 0:
            time.sleep(min(seconds, 30))
        return Receipt(lrn=lodgement.lrn, mrn=mrn)

    def answer(self, receipt: Receipt, *, lodgement: Lodgement) -> Answer | None:
        steer = self._steer(lodgement)
        if steer.get("unavailable"):
            raise AuthorityUnavailable("The simulated authority is unavailable (authority_simulation.unavailable).")
        due = lodgement.lodged_at + timedelta(seconds=self.delay_seconds)
        now = datetime.now(tz=due.tzinfo)
        wanted = steer.get("answer", "release")
        if wanted == "silent" or now < due:
            return None
        if wanted == "reject":
            return Answer("rejected", "The simulated authority refused the goods (authority_simulation.answer).", now)
        if wanted == "query":
            return Answer("queried", "The simulated authority asks for the commercial invoice.", now,
                          {"documents": ["commercial_invoice"]})
        assessed = steer.get("assessed")
        details = {"assessed": {"amount": str(assessed["amount"]), "currency": str(assessed["currency"])}} \
            if isinstance(assessed, dict) and assessed.get("amount") not in (None, "") else {}
        return Answer("released", "Released by the simulated authority.", now, details)

    def settle(self, settlement: Settlement) -> SettlementReceipt:
        """Record the payment once per reference (in the settlements journal, when there is one)."""
        payment = "SIMPAY" + hashlib.sha256(settlement.reference.encode()).hexdigest()[:12].upper()
        if self.journal is not None:
            path = self.journal.with_name("customs-authority-sim-settlements.jsonl")
            known = {entry["reference"] for entry in self.journal_entries(path)}
            if settlement.reference not in known:
                with open(path, "a", encoding="utf-8") as out:
                    out.write(json.dumps({"reference": settlement.reference, "destination": settlement.destination,
                                          "currency": settlement.currency, "amount": str(settlement.amount),
                                          "lines": [[line.reference, line.mrn, str(line.amount)]
                                                    for line in settlement.lines],
                                          "payment_reference": payment, "at": time.time()}) + "\n")
        return SettlementReceipt(reference=settlement.reference, payment_reference=payment)

    @staticmethod
    def journal_entries(journal: Path) -> list[dict]:
        if not journal.exists():
            return []
        return [json.loads(line) for line in journal.read_text(encoding="utf-8").splitlines() if line.strip()]


def authority_adapter() -> CustomsAuthority:
    """The configured adapter: settings.CUSTOMS_AUTHORITY ("simulated", "http" or a dotted class path)."""
    from customs.integrations.authority_http import http_authority_from_settings

    return provider("CUSTOMS_AUTHORITY", default="simulated",
                    builtin={"simulated": _simulated, "http": http_authority_from_settings},
                    interface=CustomsAuthority)


def _simulated() -> SimulatedAuthority:
    from django.conf import settings

    return SimulatedAuthority(delay_seconds=settings.CUSTOMS_AUTHORITY_DELAY_SECONDS, journal=simulated_journal_path())


def simulated_journal_path() -> Path:
    from django.conf import settings

    return Path(settings.VAR_DIR) / "customs-authority-sim.jsonl"
