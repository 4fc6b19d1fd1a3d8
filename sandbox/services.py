"""The platform's service side: OAuth2 client credentials, NRPS roster, AGS scores."""

import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import jwt
import requests

from . import gradebook
from .demo import COURSE
from .platform import Platform
from .profiles import STRICT, Profile

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_lock = threading.Lock()


ServiceError = gradebook.ServiceError


def issue_token(platform: Platform, form: dict[str, str]) -> dict[str, Any]:
    """Exchange the tool's signed assertion for a short-lived access token."""
    if form.get("grant_type") != "client_credentials":
        raise ServiceError("unsupported_grant_type")
    if form.get("client_assertion_type") != ASSERTION_TYPE:
        raise ServiceError("invalid_request")
    tool_jwks = requests.get(platform.tool_key_set_url, timeout=10).json()
    try:
        claims = platform.verify_tool_jwt(
            form.get("client_assertion", ""), tool_jwks, platform.issuer + "/token"
        )
    except jwt.PyJWTError as exc:
        raise ServiceError("invalid_client") from exc
    client = claims.get("iss")
    if platform.profile_for(client) is None or claims.get("sub") != client:
        raise ServiceError("invalid_client")
    scope = form.get("scope", "")
    with _lock:
        platform.tokens_issued += 1
    token = platform.sign(
        {
            "iss": platform.issuer,
            "aud": platform.issuer + "/services",
            "scope": scope,
            "exp": int(time.time()) + 3600,
            "jti": secrets.token_hex(8),
        }
    )
    return {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": scope}


#: Tokens already verified, with their expiry and scopes: a real platform does not verify an
#: RSA signature on every one of ten thousand score posts either.
_verified: dict[str, tuple[float, list[str]]] = {}


def check_bearer(platform: Platform, header: str | None, scope: str) -> None:
    """Accept only tokens this platform issued with ``scope``."""
    if not header or not header.startswith("Bearer "):
        raise ServiceError("missing bearer token", 401)
    known = _verified.get(header)
    if known is None or known[0] < time.time():
        try:
            claims = jwt.decode(
                header[7:],
                platform.key.private.public_key(),
                algorithms=["RS256"],
                audience=platform.issuer + "/services",
            )
        except jwt.PyJWTError as exc:
            raise ServiceError("invalid token", 401) from exc
        known = (float(claims.get("exp", 0)), str(claims.get("scope", "")).split())
        with _lock:
            if len(_verified) > 1000:
                _verified.clear()
            _verified[header] = known
    if scope not in known[1]:
        raise ServiceError("insufficient scope", 401)


def profile_of_context(platform: Platform, context_id: str) -> Profile | None:
    """The behaviour of the sandbox course ``context_id``, or None when there is no such one."""
    if context_id == COURSE["id"]:
        return platform.profile()
    return next((p for p in STRICT if p.context_id == context_id), None)


def check_user_agent(profile: Profile, user_agent: str | None) -> None:
    """Canvas refuses API requests that do not say who is calling."""
    if profile.requires_user_agent and not (user_agent or "").strip():
        raise ServiceError("requests without a User-Agent header are refused")


def _load(path: Path) -> dict[str, Any]:
    """The sandbox's JSON data file (dynamic registrations); the gradebook is in SQLite."""
    return json.loads(path.read_text()) if path.exists() else {}


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def lineitems(path: Path) -> list[dict[str, Any]]:
    """Every line item of the sandbox, in every course."""
    return gradebook.lineitems(path)


add_lineitem = gradebook.add_lineitem
add_score = gradebook.add_score
scores = gradebook.scores
