"""One service call to a platform (NRPS, AGS): bearer token, JSON, failures in words.

Every call goes through ``lti.http.exchange``: one deadline, a size cap, no redirects, no
internal addresses, the tool's User-Agent.
"""

import json as jsonlib
from typing import Any

import requests

from .. import http
from ..http import USER_AGENT, OutboundBusy, OutboundTooLarge, Reply, exchange

#: What each refusal means for staff reading the sync status.
STATUS_WORDS = {
    400: "the platform refused the request as malformed",
    401: "the platform refused Communitas's access (token rejected: is the service still "
    "enabled for this tool?)",
    403: "the platform refused access to this service (permission or privacy setting)",
    404: "the platform does not know this service address (course or tool removed?)",
    429: "the platform asks Communitas to slow down",
}


class ServiceCallFailed(Exception):
    """A platform service answered with an error or not at all; ``str()`` says it in words."""

    def __init__(
        self, reason: str, status: int | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry_after = reason, status, retry_after


def header(reply: Reply, name: str) -> str | None:
    """The first value of a header, case-insensitively."""
    wanted = name.lower()
    return next((v for k, v in reply.headers if k.lower() == wanted), None)


def _retry_after(reply: Reply) -> int | None:
    value = (header(reply, "Retry-After") or "").strip()
    return min(int(value), 86400) if value.isdigit() else None


def refusal(reply: Reply, what: str) -> ServiceCallFailed:
    """Describe a non-2xx answer: status, its meaning, and the platform's own short error."""
    words = STATUS_WORDS.get(reply.status) or (
        "the platform had an internal error" if reply.status >= 500 else "the platform refused"
    )
    detail = ""
    try:
        body = jsonlib.loads(reply.body)
        error = body.get("error") if isinstance(body, dict) else None
        if isinstance(error, str) and error.strip():
            detail = f" ({error.strip()[:120]})"
    except ValueError:
        pass
    reason = f"{what}: {words}{detail}, HTTP {reply.status}"
    return ServiceCallFailed(reason, reply.status, _retry_after(reply))


def unreachable(exc: Exception, what: str) -> ServiceCallFailed:
    """Describe a call that got no answer: timeout, refused address, too large, busy."""
    if isinstance(exc, requests.Timeout | TimeoutError):
        reason = f"the platform did not answer in time ({http.DEADLINE_SECONDS:g}-second limit)"
    elif isinstance(exc, OutboundTooLarge):
        reason = "the platform's answer was too large"
    elif isinstance(exc, OutboundBusy):
        reason = "too many calls to the platform were already in flight; try again shortly"
    else:
        reason = f"the platform could not be reached ({exc})"
    return ServiceCallFailed(f"{what}: {reason}")


def send(method: str, url: str, headers: dict[str, str], body: bytes | None, what: str) -> Reply:
    """Make one exchange; a missing answer becomes ServiceCallFailed."""
    headers = {"User-Agent": USER_AGENT, **headers}
    try:
        return exchange(method, url, headers, body)
    except (requests.RequestException, OSError) as exc:
        raise unreachable(exc, what) from exc


def call(
    method: str,
    url: str,
    *,
    token: str,
    accept: str,
    json: Any = None,
    content_type: str = "application/json",
    what: str = "service call",
) -> Reply:
    """Call a service with a bearer token; return a 2xx reply or raise ServiceCallFailed."""
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    body = None
    if json is not None:
        body = jsonlib.dumps(json).encode()
        headers["Content-Type"] = content_type
    reply = send(method, url, headers, body, what)
    if not 200 <= reply.status < 300:
        raise refusal(reply, what)
    return reply


def json_body(reply: Reply, what: str) -> Any:
    """Decode a reply's JSON, or say the platform sent something else."""
    try:
        return jsonlib.loads(reply.body)
    except ValueError as exc:
        raise ServiceCallFailed(f"{what}: the platform's answer is not JSON") from exc
