"""Which endpoint URLs the platform will POST to (pure: addresses come in already resolved).

In production the URL must be https and resolve only to public addresses: no loopback, private
(RFC 1918, fc00::/7), link-local (169.254/16, the cloud metadata address), carrier-grade NAT, multicast,
reserved or unspecified ones — else a seller could make the platform probe its own network (SSRF).
settings.WEBHOOK_ALLOW_LOCAL (on in DEBUG and tests) allows http and local addresses."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit


class TargetRefused(ValueError):
    pass


def check_url(url: str, *, allow_local: bool) -> tuple[str, int]:
    """(host, port) of an acceptable URL, or TargetRefused saying why."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("The URL is malformed.") from None
    if parts.scheme not in ("https", "http"):
        raise TargetRefused("The URL must start with https://.")
    if parts.scheme == "http" and not allow_local:
        raise TargetRefused("The URL must start with https://.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("The URL must not carry a user name or password.")
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_addresses(addresses: list[str], *, allow_local: bool) -> None:
    """Every address the host resolves to must be public (one private answer is enough to refuse)."""
    if not addresses:
        raise TargetRefused("The host does not resolve.")
    if allow_local:
        return
    for address in addresses:
        if not is_public(address):
            raise TargetRefused("The URL points to a private or local address.")
