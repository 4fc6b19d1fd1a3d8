"""Every outgoing request: one total deadline, a size cap, no redirects, no internal addresses.

A peer that sends one byte every few seconds resets an ordinary read timeout on each byte;
here every socket operation gets only what is left of one deadline for the whole exchange,
so a slow or trickling platform costs at most ``DEADLINE_SECONDS`` of one request.
Addresses are resolved and checked first (see ``addresses``), and the connection goes to the
checked address, so a name cannot resolve to a public address for the check and an internal
one for the call.
"""

import io
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import client as http_client
from typing import Any
from urllib.parse import urlsplit

import certifi
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from requests.utils import get_encoding_from_headers

from .addresses import OutboundRefused, checked_address, current_policy

USER_AGENT = "Communitas/0.1 (LTI 1.3 tool)"
#: The whole exchange (name lookup aside): connect, TLS, send, status, headers and body.
DEADLINE_SECONDS = 5.0
#: No platform answer we read (configuration, key set, a roster page) comes near this.
MAX_BYTES = 2 * 1024 * 1024
#: Calls in flight per process, to one host and in all: however many anonymous requests point
#: at slow peers, they hold at most this many threads; the others serve everyone else.
MAX_IN_FLIGHT_PER_HOST = 2
MAX_IN_FLIGHT = 4


class OutboundTooLarge(requests.RequestException):
    """The answer is larger than the size cap."""


class OutboundBusy(requests.RequestException):
    """Too many calls are already waiting on this host (or on all hosts): try again later."""


_in_flight: Counter[str] = Counter()
_in_flight_lock = threading.Lock()


@contextmanager
def _slot(host: str) -> Iterator[None]:
    """Hold one of the few outbound slots, or refuse at once rather than queue."""
    with _in_flight_lock:
        if _in_flight[host] >= MAX_IN_FLIGHT_PER_HOST or _in_flight.total() >= MAX_IN_FLIGHT:
            raise OutboundBusy(f"too many calls in flight to {host}")
        _in_flight[host] += 1
    try:
        yield
    finally:
        with _in_flight_lock:
            _in_flight[host] -= 1
            if not _in_flight[host]:
                del _in_flight[host]


class _Deadline:
    """What is left of one exchange's time."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("the platform took too long to answer")
        return remaining


class _Reader(io.RawIOBase):
    """Socket reads that each get only the time left, so a trickle cannot stretch the wait."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock, self._deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)


class _DeadlineSocket:
    """The few socket methods http.client uses, each bounded by the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock, self._deadline = sock, deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str = "rb", *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_Reader(self._sock, self._deadline))

    def close(self) -> None:
        """Leave the socket to its connection: http.client closes early but still reads."""


def _tls_context() -> ssl.SSLContext:
    """Trust the public roots, plus an institution's own CA file when one is configured."""
    from flask import current_app, has_app_context

    context = ssl.create_default_context(cafile=certifi.where())
    extra = current_app.config.get("OUTBOUND_CA_FILE") if has_app_context() else None
    if extra:
        context.load_verify_locations(cafile=extra)
    return context


class _Connection(http_client.HTTPConnection):
    """A connection to an address checked beforehand, TLS-verified against the host name."""

    def __init__(self, scheme: str, host: str, port: int, address: str, deadline: _Deadline):
        super().__init__(host, port)
        self._scheme, self._address, self._deadline = scheme, address, deadline
        self._raw: socket.socket | None = None

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self._deadline.left())
        if self._scheme == "https":
            context = _tls_context()
            sock.settimeout(self._deadline.left())
            sock = context.wrap_socket(sock, server_hostname=self.host)
        self._raw = sock
        self.sock = _DeadlineSocket(sock, self._deadline)  # type: ignore[assignment]

    def release(self) -> None:
        """Close the socket once the whole answer is read (or given up on)."""
        self.close()
        if self._raw is not None:
            self._raw.close()


@dataclass(frozen=True)
class Reply:
    """A whole answer, read within the deadline and the size cap."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def _read_body(response: http_client.HTTPResponse, max_bytes: int) -> bytes:
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise OutboundTooLarge(f"the answer is larger than {max_bytes} bytes")
    body = b""
    while chunk := response.read(64 * 1024):
        body += chunk
        if len(body) > max_bytes:
            raise OutboundTooLarge(f"the answer is larger than {max_bytes} bytes")
    return body


def exchange(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None = None,
    deadline: float | None = None,
    max_bytes: int | None = None,
) -> Reply:
    """Make one request and read its whole answer, or fail within ``deadline`` seconds."""
    deadline = deadline or DEADLINE_SECONDS
    # The slot is taken before the name lookup, which a hostile name server can also stall.
    with _slot(urlsplit(url).hostname or ""):
        scheme, host, port, address = checked_address(url, current_policy())
        return _call(
            _Connection(scheme, host, port, address, _Deadline(deadline)),
            method,
            url,
            headers,
            body,
            max_bytes or MAX_BYTES,
        )


def _call(
    connection: "_Connection",
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    max_bytes: int,
) -> Reply:
    parts, host = urlsplit(url), connection.host
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        data = _read_body(response, max_bytes)
        return Reply(response.status, response.reason, response.getheaders(), data)
    except requests.RequestException:  # an OSError too, already worded
        raise
    except TimeoutError as exc:  # socket.timeout is TimeoutError
        raise requests.Timeout(f"{host} took too long to answer") from exc
    except (OSError, http_client.HTTPException) as exc:
        raise requests.ConnectionError(f"{host} could not be read: {exc}") from exc
    finally:
        connection.release()


class DeadlineAdapter(BaseAdapter):  # type: ignore[misc]
    """Serve ``requests`` (ours and pylti1p3's NRPS/AGS calls) through ``exchange``."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        body = request.body
        data = body.encode() if isinstance(body, str) else body
        if data is not None and not isinstance(data, bytes):
            raise OutboundRefused("streamed request bodies are not sent")
        headers = {k: v for k, v in request.headers.items() if v is not None}
        headers["Accept-Encoding"] = "identity"  # nothing to inflate past the size cap
        reply = exchange(request.method or "GET", request.url or "", headers, data)
        response = requests.Response()
        response.status_code, response.reason = reply.status, reply.reason
        response.headers = CaseInsensitiveDict(reply.headers)
        response._content, response._content_consumed = reply.body, True
        response.encoding = get_encoding_from_headers(response.headers)
        response.url, response.request = request.url or "", request
        response.raw = io.BytesIO(reply.body)
        return response

    def close(self) -> None:
        """Nothing is pooled: each exchange opens and closes its own connection."""


class OutboundSession(requests.Session):
    """A session that never follows redirects nor reads proxies or .netrc from the host."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().send(request, **kwargs)


def new_http_session() -> requests.Session:
    """Return a session that always says who is calling (Canvas rejects anonymous calls)."""
    session = OutboundSession()
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


http = new_http_session()
