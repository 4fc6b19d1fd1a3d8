"""Which addresses outbound calls may reach: no loopback, private, link-local or metadata.

A name that resolves to such an address is refused unless ``OUTBOUND_ALLOW`` names its network
(the sandbox and the tests do); remote platforms must use https:// outside development.
"""

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class OutboundRefused(requests.RequestException):
    """The URL's scheme or address is not one the tool may call."""


@dataclass(frozen=True)
class Policy:
    """Which internal networks may be called, and whether plain http:// may be used."""

    allow: tuple[Network, ...] = ()
    allow_http: bool = False


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """Read an allow-list such as ``127.0.0.0/8, ::1`` (a bare address is its own network)."""
    return tuple(ipaddress.ip_network(v.strip(), strict=False) for v in values if v.strip())


def current_policy() -> Policy:
    """The app's policy inside an app context; the strictest one outside."""
    from flask import current_app, has_app_context

    if not has_app_context():
        return Policy()
    config = current_app.config
    allow = config.get("OUTBOUND_ALLOW") or ()
    return Policy(parse_networks(allow), bool(config.get("OUTBOUND_ALLOW_HTTP")))


def _allowed(ip: Address, policy: Policy) -> bool:
    mapped = getattr(ip, "ipv4_mapped", None)
    ip = mapped or ip
    if any(ip in net for net in policy.allow):
        return True
    return ip.is_global and not ip.is_multicast


def checked_address(url: str, policy: Policy) -> tuple[str, str, int, str]:
    """Return (scheme, host, port, address to connect to), or refuse the URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutboundRefused(f"not an http(s) URL: {url}")
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise requests.ConnectionError(f"cannot resolve {host}") from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    # One refused address refuses the name: DNS may hand out either on the next lookup.
    if not addresses or not all(_allowed(a, policy) for a in addresses):
        raise OutboundRefused(f"{host} resolves to an address the tool may not call")
    internal = all(any(a in net for net in policy.allow) for a in addresses)
    if parts.scheme == "http" and not (policy.allow_http or internal):
        raise OutboundRefused(f"remote platforms must use https://, not {url}")
    return parts.scheme, host, port, str(addresses[0])
