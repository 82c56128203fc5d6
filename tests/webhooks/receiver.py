"""A seller's webhook receiver, for real, on 127.0.0.1 in a thread: it checks each request's signature
with the documented rule (webhooks/domain/signature.py's verify, as a receiver would copy it), dedupes
on the event id, and answers with the statuses it is told to (then 200)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from webhooks.domain.signature import HEADER, SignatureError, verify


@dataclass
class Received:
    headers: dict
    body: bytes
    verified: bool
    event: dict


@dataclass
class Receiver:
    secret: str = ""
    answers: list[int] = field(default_factory=list)  # statuses to answer, in order; 200 after
    delay: float = 0.0  # seconds to wait before answering
    requests: list[Received] = field(default_factory=list)
    handled: list[str] = field(default_factory=list)  # event ids acted on once each
    url: str = ""

    @property
    def posts(self) -> int:
        return len(self.requests)


def start(receiver: Receiver):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            try:
                verify(self.headers.get(HEADER), body, receiver.secret, now=time.time())
                verified = True
            except SignatureError:
                verified = False
            event = json.loads(body)
            receiver.requests.append(Received(dict(self.headers), body, verified, event))
            if receiver.delay:
                time.sleep(receiver.delay)
            status = receiver.answers.pop(0) if receiver.answers else 200
            if not verified:
                status = 400
            elif 200 <= status < 300 and event["id"] not in receiver.handled:
                receiver.handled.append(event["id"])  # dedupe on the event id
            answer = json.dumps({"received": verified, "status": status}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_port}/hooks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
