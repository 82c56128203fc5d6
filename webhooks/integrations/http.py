"""The one outside boundary of webhooks: POSTing to a seller's URL (a thin I/O client, stdlib only).

The host is resolved once, every address checked (domain/targets.py), and the connection made to the
checked address itself — a DNS answer that changes between the check and the connection (rebinding)
cannot send the request inward. TLS still verifies the certificate against the host name. Redirects
are not followed (a 3xx is a failed attempt, as with Stripe)."""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from webhooks.domain.targets import TargetRefused, check_addresses, check_url

EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Answer:
    status_code: int | None  # None: no HTTP answer
    excerpt: str
    error: str
    duration_ms: int


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):  # no such host; a name no resolver takes (NUL, too long)
        return []
    return list(dict.fromkeys(info[4][0] for info in infos))


def checked_address(url: str, *, allow_local: bool) -> str:
    """The address to connect to, or TargetRefused."""
    host, port = check_url(url, allow_local=allow_local)
    addresses = resolve(host, port)
    check_addresses(addresses, allow_local=allow_local)
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address: str, timeout: float):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_local: bool) -> Answer:
    """POST once; every outcome comes back as data (a refused target, a timeout, any status)."""
    started = time.monotonic()

    def took() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        address = checked_address(url, allow_local=allow_local)
    except TargetRefused as refused:
        return Answer(None, "", f"Refused: {refused}", took())
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, parts.port, address=address, timeout=timeout)
    try:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_CHARS * 4).decode("utf-8", "replace")[:EXCERPT_CHARS]
        return Answer(response.status, excerpt, "", took())
    except TimeoutError:
        return Answer(None, "", f"Timed out after {timeout:g} s.", took())
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, "", f"{type(error).__name__}: {error}"[:300], took())
    finally:
        connection.close()
