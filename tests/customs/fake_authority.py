"""A small customs authority over real HTTP, for tests: what `customs.integrations.authority_http`
talks to. It checks the bearer token, reads the document (H7 or WCO, JSON or XML) with the project's
readers and validates it with the project's validators plus one rule of its own (the consignee's
postcode is required, as some national systems ask), files it once per LRN, answers with an MRN, and
answers decision polls. Tests steer it: answer the next POSTs or polls with a status (before or after
filing, to lose an answer), set a declaration's decision (and the duties it assesses: `assess`).
It takes payments of the duties owed (`POST /settlements`), once per reference.

Outside our code: it runs in a thread of the test process on 127.0.0.1, and a worker process reaches
it over TCP like any authority.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from customs.domain.declarations import h7, wco

TOKEN = "fake-authority-token"


@dataclass
class Filing:
    lrn: str
    mrn: str
    standard: str
    syntax: str
    document: object  # the H7Declaration or WcoDeclaration read back


@dataclass
class FakeAuthority:
    token: str = TOKEN
    filings: dict[str, Filing] = field(default_factory=dict)  # by LRN
    posts: list[tuple[str, int]] = field(default_factory=list)  # (Idempotency-Key, status answered) of each POST
    polls: list[tuple[str, int]] = field(default_factory=list)
    decisions: dict[str, dict] = field(default_factory=dict)  # by MRN
    default_decision: dict = field(default_factory=lambda: {"status": "accepted", "reason": "Accepted by the fake "
                                                                                           "authority."})
    # the next POSTs answered with (status, after_filing): after filing, the answer is lost on its way
    next_posts: list[tuple[int, bool]] = field(default_factory=list)
    next_polls: list[int] = field(default_factory=list)
    settlements: dict[str, dict] = field(default_factory=dict)  # by reference: what was paid
    settlement_posts: list[tuple[str, int]] = field(default_factory=list)
    next_settlements: list[int] = field(default_factory=list)  # the next settlement POSTs answered with this status

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/api"

    def start(self) -> FakeAuthority:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def decide(self, mrn: str, status: str, reason: str = "", documents: list[str] | None = None) -> None:
        with self._lock:
            self.decisions[mrn] = {"status": status, "reason": reason, "documents_requested": documents or []}

    def assess(self, amount: str, currency: str) -> None:
        """From now on every acceptance assesses this much duty and import tax."""
        with self._lock:
            self.default_decision = {**self.default_decision, "assessed": {"amount": amount, "currency": currency}}

    # --- the authority's side ----------------------------------------------------------------

    def lodge(self, headers, body: bytes) -> tuple[int, dict]:
        lrn = headers.get("Idempotency-Key", "")
        with self._lock:
            scripted = self.next_posts.pop(0) if self.next_posts else None
        if scripted and not scripted[1]:
            return self._answered(lrn, scripted[0], {"errors": [{"message": "Service unavailable."}]})
        syntax = "xml" if headers.get("Content-Type", "").startswith("application/xml") else "json"
        standard = headers.get("Declaration-Standard", "")
        try:
            document = _read(standard, syntax, body)
        except (ValueError, h7.DocumentError) as error:
            return self._answered(lrn, 400, {"errors": [{"path": getattr(error, "path", "$"), "message": str(error)}]})
        violations = (h7.validate if standard == "H7" else wco.validate)(document)
        violations += _own_rules(standard, document)
        if violations:
            return self._answered(lrn, 400, {"errors": [v.to_json() for v in violations]})
        if document.lrn != lrn:
            return self._answered(lrn, 400, {"errors": [{"path": "lrn", "message": "The LRN is not the "
                                                                                   "Idempotency-Key."}]})
        with self._lock:
            filing = self.filings.get(lrn)
            if filing is None:  # the same LRN again is the same declaration: filed once
                mrn = "26FA" + hashlib.sha256(lrn.encode()).hexdigest()[:14].upper()
                filing = self.filings[lrn] = Filing(lrn, mrn, standard, syntax, document)
        if scripted:
            return self._answered(lrn, scripted[0], {"errors": [{"message": "Service unavailable."}]})
        return self._answered(lrn, 201, {"lrn": lrn, "mrn": filing.mrn, "status": "received"})

    def _answered(self, lrn: str, status: int, payload: dict) -> tuple[int, dict]:
        with self._lock:
            self.posts.append((lrn, status))
        return status, payload

    def decision(self, mrn: str) -> tuple[int, dict]:
        with self._lock:
            scripted = self.next_polls.pop(0) if self.next_polls else None
            known = any(f.mrn == mrn for f in self.filings.values())
            decision = self.decisions.get(mrn, self.default_decision)
            self.polls.append((mrn, scripted or (200 if known else 404)))
        if scripted:
            return scripted, {"errors": [{"message": "Service unavailable."}]}
        if not known:
            return 404, {"errors": [{"path": "mrn", "message": f"No declaration {mrn}."}]}
        return 200, {"mrn": mrn, **decision}


    def settle(self, headers, body: bytes) -> tuple[int, dict]:
        key = headers.get("Idempotency-Key", "")
        with self._lock:
            scripted = self.next_settlements.pop(0) if self.next_settlements else None
        if scripted:
            self.settlement_posts.append((key, scripted))
            return scripted, {"errors": [{"message": "Service unavailable."}]}
        try:
            payment = json.loads(body)
            amount = Decimal(payment["amount"])
            assert payment["reference"] == key and len(payment["currency"]) == 3 and amount > 0
        except (ValueError, KeyError, TypeError, ArithmeticError, AssertionError):
            self.settlement_posts.append((key, 400))
            return 400, {"errors": [{"path": "amount", "message": "A settlement needs a reference (the "
                                                                   "Idempotency-Key), a currency and an amount."}]}
        with self._lock:
            known = self.settlements.get(key)
            if known is None:
                known = self.settlements[key] = {**payment, "payment_reference": "PAY" + hashlib.sha256(
                    key.encode()).hexdigest()[:12].upper()}
                status = 201
            else:
                status = 409
            self.settlement_posts.append((key, status))
        return status, {"reference": key, "payment_reference": known["payment_reference"]}


def _read(standard: str, syntax: str, body: bytes):
    module = {"H7": h7, "WCO": wco}.get(standard)
    if module is None:
        raise ValueError(f"Unknown Declaration-Standard {standard!r}.")
    return module.from_xml(body) if syntax == "xml" else module.from_json(json.loads(body))


def _own_rules(standard: str, document) -> list[h7.Violation]:
    """The fake authority's own rule, beyond the data set: the consignee's postcode is required."""
    party = document.importer if standard == "H7" else document.consignee
    if party.postcode.strip():
        return []
    path = "importer.postcode" if standard == "H7" else "Declaration.Consignment.Consignee.Address.PostcodeID"
    return [h7.Violation("postcode", path, "The consignee's postcode is required by this authority.")]


def _handler(authority: FakeAuthority):
    class Handler(BaseHTTPRequestHandler):
        def _reply(self, status: int, payload: dict) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _authorised(self) -> bool:
            if self.headers.get("Authorization") == f"Bearer {authority.token}":
                return True
            self._reply(401, {"errors": [{"message": "Bad or missing bearer token."}]})
            return False

        def do_POST(self):  # noqa: N802 (http.server's name)
            if not self._authorised():
                return
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if self.path == "/api/settlements":
                return self._reply(*authority.settle(self.headers, body))
            if self.path != "/api/declarations":
                return self._reply(404, {"errors": [{"message": "No such endpoint."}]})
            self._reply(*authority.lodge(self.headers, body))

        def do_GET(self):  # noqa: N802
            if not self._authorised():
                return
            prefix = "/api/declarations/"
            if not self.path.startswith(prefix):
                return self._reply(404, {"errors": [{"message": "No such endpoint."}]})
            self._reply(*authority.decision(self.path[len(prefix):]))

        def log_message(self, *args) -> None:
            pass

    return Handler
