"""OAuth2 access tokens for LTI Advantage services: client credentials, signed assertion.

The assertion is the one pylti1p3's ``ServiceConnector`` builds (``iss`` = ``sub`` = client id,
``aud`` = the token URL or the platform's declared audience, ``iat``, a one-minute ``exp``, a
unique ``jti``, signed RS256 by the tool's active key named by ``kid``). A token is kept until
shortly before it expires, one per platform and set of scopes: in Redis when ``REDIS_URL`` is
set, so every worker and host shares it; otherwise in this process (the embedded default runs
one process; several workers without Redis each ask once an hour, which platforms allow).
"""

import hashlib
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import current_app, has_app_context
from pylti1p3.registration import Registration
from sqlalchemy.orm import Session

from ..tool_conf import ToolRegistration, find_platform
from .client import ServiceCallFailed, json_body, refusal, send

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
#: A token is dropped this long before the platform says it expires (or a tenth of its life).
MARGIN_SECONDS = 60
#: When the platform does not say how long a token lives.
DEFAULT_LIFETIME = 3600
REDIS_PREFIX = "communitas:service-token:"

_local: dict[str, tuple[float, str]] = {}
_local_lock = threading.Lock()
_fetch_locks: dict[str, threading.Lock] = {}


def cache_key(registration: Registration, scopes: Sequence[str]) -> str:
    """One key per platform registration and set of scopes (order and repeats ignored)."""
    parts = [registration.get_issuer(), registration.get_client_id(), *sorted(set(scopes))]
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()


def client_assertion(registration: Registration, now: float | None = None) -> str:
    """The JWT the tool signs to authenticate at the platform's token endpoint."""
    now = time.time() if now is None else now
    client_id = str(registration.get_client_id())
    audience = registration.get_auth_audience() or registration.get_auth_token_url()
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": str(audience),
        "iat": int(now) - 5,
        "exp": int(now) + 60,
        "jti": "lti-service-token-" + str(uuid.uuid4()),
    }
    return jwt.encode(
        claims,
        registration.get_tool_private_key(),
        algorithm="RS256",
        headers={"kid": registration.get_kid()},
    )


def _redis() -> Any:
    return current_app.extensions.get("communitas_redis") if has_app_context() else None


def _cached(key: str) -> str | None:
    client = _redis()
    if client is not None:
        value = client.get(REDIS_PREFIX + key)
        return value.decode() if isinstance(value, bytes) else value
    with _local_lock:
        hit = _local.get(key)
    return hit[1] if hit and hit[0] > time.monotonic() else None


def _keep(key: str, token: str, seconds: int) -> None:
    client = _redis()
    if client is not None:
        client.set(REDIS_PREFIX + key, token, ex=seconds)
        return
    with _local_lock:
        _local[key] = (time.monotonic() + seconds, token)


def forget() -> None:
    """Drop the tokens this process keeps (tests; after a registration changes)."""
    with _local_lock:
        _local.clear()


def access_token(registration: Registration, scopes: Sequence[str]) -> str:
    """Return a bearer token for ``scopes``, asking the platform only when none is cached."""
    key = cache_key(registration, scopes)
    token = _cached(key)
    if token:
        return token
    with _local_lock:
        lock = _fetch_locks.setdefault(key, threading.Lock())
    with lock:  # threads of one process wait for the first one's answer
        token = _cached(key)
        if token:
            return token
        token, lifetime = request_token(registration, scopes)
        _keep(key, token, max(1, lifetime - min(MARGIN_SECONDS, lifetime // 10)))
        return token


def request_token(registration: Registration, scopes: Sequence[str]) -> tuple[str, int]:
    """Ask the platform's token endpoint; return the token and its lifetime in seconds."""
    what = "access token"
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(registration),
        "scope": " ".join(sorted(set(scopes))),
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
    url = str(registration.get_auth_token_url())
    reply = send("POST", url, headers, urlencode(form).encode(), what)
    if reply.status != 200:
        raise refusal(reply, what)
    body = json_body(reply, what)
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token or len(token) > 8192:
        raise ServiceCallFailed(f"{what}: the platform's answer holds no access token")
    lifetime = body.get("expires_in", DEFAULT_LIFETIME)
    if isinstance(lifetime, str) and lifetime.isdigit():
        lifetime = int(lifetime)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or lifetime <= 0:
        lifetime = DEFAULT_LIFETIME
    return token, min(lifetime, 86400)


def registration_of(session: Session, issuer: str, client_id: str) -> Registration | None:
    """The active registration a course belongs to, ready to sign assertions."""
    record = find_platform(session, issuer, client_id)
    return ToolRegistration(record, session) if record else None
