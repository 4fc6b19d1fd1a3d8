"""The platform's service side: OAuth2 client credentials, NRPS roster, AGS scores."""

import json
import secrets
import threading
import time
from pathlib import Path
from typing import Any

import jwt
import requests

from .demo import COURSE, USERS
from .platform import Platform
from .profiles import STRICT, Profile, is_learner

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
_lock = threading.Lock()


class ServiceError(ValueError):
    """A service request the platform refuses."""


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


def check_bearer(platform: Platform, header: str | None, scope: str) -> None:
    """Accept only tokens this platform issued with ``scope``."""
    if not header or not header.startswith("Bearer "):
        raise ServiceError("missing bearer token")
    try:
        claims = jwt.decode(
            header[7:],
            platform.key.private.public_key(),
            algorithms=["RS256"],
            audience=platform.issuer + "/services",
        )
    except jwt.PyJWTError as exc:
        raise ServiceError("invalid token") from exc
    if scope not in claims.get("scope", "").split():
        raise ServiceError("insufficient scope")


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
    return json.loads(path.read_text()) if path.exists() else {"lineitems": [], "scores": []}


def _save(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1))
    tmp.replace(path)


def lineitems(path: Path) -> list[dict[str, Any]]:
    return _load(path)["lineitems"]


def add_lineitem(path: Path, base: str, item: dict[str, Any]) -> dict[str, Any]:
    """Create a line item (the gradebook column) from the tool's JSON."""
    if not isinstance(item.get("label"), str) or not item.get("scoreMaximum"):
        raise ServiceError("label and scoreMaximum are required")
    with _lock:
        data = _load(path)
        item = {**item, "id": f"{base}/{len(data['lineitems']) + 1}"}
        data["lineitems"].append(item)
        _save(path, data)
    return item


def add_score(
    path: Path, lineitem_id: str, score: dict[str, Any], profile: Profile | None = None
) -> None:
    """Record a score posted by the tool (Canvas: for students only)."""
    if not score.get("userId") or "timestamp" not in score:
        raise ServiceError("userId and timestamp are required")
    user = USERS.get(str(score["userId"]))
    if profile is not None and profile.scores_learners_only and not (user and is_learner(user)):
        raise ServiceError("User not found in course or is not a student")
    with _lock:
        data = _load(path)
        if not any(i["id"] == lineitem_id for i in data["lineitems"]):
            raise ServiceError("unknown line item")
        data["scores"].append({**score, "lineitem": lineitem_id})
        _save(path, data)


def scores(path: Path) -> list[dict[str, Any]]:
    return _load(path)["scores"]
