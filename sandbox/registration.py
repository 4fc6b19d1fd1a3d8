"""The sandbox's side of LTI Dynamic Registration: its OpenID configuration, tokens, clients.

Issued tokens and registrations live in the sandbox data file (next to the AGS data) so that
several workers agree; the newest registration is the client the sandbox launches as.
"""

import secrets
import time
from pathlib import Path
from typing import Any

from .platform import Platform
from .services import _load, _lock, _save

TOKEN_SECONDS = 3600
PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = (
    "openid",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)


class RegistrationRefused(ValueError):
    """A registration request the sandbox refuses; ``status`` is 400 or 401."""

    def __init__(self, error: str, status: int = 400) -> None:
        super().__init__(error)
        self.status = status


def openid_configuration(platform: Platform) -> dict[str, Any]:
    """Describe the sandbox the way Moodle's openid-configuration.php does."""
    issuer = platform.issuer
    return {
        "issuer": issuer,
        "authorization_endpoint": issuer + "/auth",
        "token_endpoint": issuer + "/token",
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": issuer + "/jwks",
        "registration_endpoint": issuer + "/register",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": ["iss", "sub", "aud", "name", "given_name", "family_name", "email"],
        PLATFORM_CONFIG: {
            "product_family_code": "sandbox",
            "version": "1.0",
            "messages_supported": [
                {"type": "LtiResourceLinkRequest"},
                {"type": "LtiDeepLinkingRequest"},
            ],
            "variables": [],
        },
    }


def issue_token(path: Path, now: float | None = None) -> str:
    """Issue a one-time registration token, as the LMS does when an admin starts registering."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(24)
    with _lock:
        data = _load(path)
        live = [t for t in data.get("registration_tokens", []) if t["expires"] > now]
        data["registration_tokens"] = [*live, {"token": token, "expires": now + TOKEN_SECONDS}]
        _save(path, data)
    return token


def _check(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise RegistrationRefused("invalid_client_metadata: the body must be a JSON object")
    tool = body.get(TOOL_CONFIG)
    checks = {
        "initiate_login_uri": isinstance(body.get("initiate_login_uri"), str),
        "redirect_uris": isinstance(body.get("redirect_uris"), list) and body["redirect_uris"],
        "jwks_uri": isinstance(body.get("jwks_uri"), str),
        "grant_types": {"implicit", "client_credentials"} <= set(body.get("grant_types") or []),
        "response_types": "id_token" in (body.get("response_types") or []),
        TOOL_CONFIG: isinstance(tool, dict) and isinstance(tool.get("target_link_uri"), str),
    }
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        raise RegistrationRefused("invalid_client_metadata: " + ", ".join(bad))
    return body


def register(
    path: Path,
    platform: Platform,
    authorization: str | None,
    body: object,
    now: float | None = None,
) -> dict[str, Any]:
    """Take a one-time token and the tool's registration; answer with the new client."""
    now = time.time() if now is None else now
    token = authorization[7:] if authorization and authorization.startswith("Bearer ") else ""
    request = _check(body)
    with _lock:
        data = _load(path)
        tokens = data.get("registration_tokens", [])
        if not token or not any(t["token"] == token and t["expires"] > now for t in tokens):
            raise RegistrationRefused("invalid_token: a registration token is required", 401)
        data["registration_tokens"] = [t for t in tokens if t["token"] != token]
        client = {
            "client_id": "communitas-dyn-" + secrets.token_hex(6),
            "deployment_id": "sandbox-dyn-deployment-" + secrets.token_hex(3),
            "client_name": str(request.get("client_name", ""))[:80],
        }
        data.setdefault("registrations", []).append(client)
        _save(path, data)
    platform.use_registration((client["client_id"], client["deployment_id"]))
    tool = {**request[TOOL_CONFIG], "deployment_id": client["deployment_id"]}
    return {**request, "client_id": client["client_id"], TOOL_CONFIG: tool}


def effective(path: Path) -> tuple[str, str] | None:
    """Return the newest dynamically registered (client_id, deployment_id), if any."""
    registrations = _load(path).get("registrations") or []
    if not registrations:
        return None
    newest = registrations[-1]
    return newest["client_id"], newest["deployment_id"]


def forget(path: Path, platform: Platform) -> None:
    """Drop dynamic registrations: the sandbox launches as its built-in client again."""
    with _lock:
        data = _load(path)
        data["registrations"] = []
        data["registration_tokens"] = []
        _save(path, data)
    platform.use_registration(None)
