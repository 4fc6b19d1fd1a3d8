"""A small LTI 1.3 platform: signs id_tokens, answers OIDC auth requests, verifies tool JWTs.

Plain Python (no Flask) so the dev sandbox pages and the test suite share one platform.
"""

import json
import secrets
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .demo import USERS, DemoUser
from .keys import SigningKey
from .profiles import DEFAULT, MOODLE_EMPTY_CUSTOM, PROFILES, STRICT, Profile
from .roster import RosterState

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def platform_add_args(
    issuer: str,
    client_id: str = "communitas-sandbox",
    deployment_id: str = "sandbox-deployment-1",
) -> list[str]:
    """The `flask platform add` arguments that register a sandbox platform with the tool."""
    return [
        "platform", "add", "--issuer", issuer, "--client-id", client_id,
        "--auth-login-url", issuer + "/auth", "--auth-token-url", issuer + "/token",
        "--key-set-url", issuer + "/jwks", "--deployment-id", deployment_id,
    ]  # fmt: skip


class AuthRequestError(ValueError):
    """The tool's OIDC authorization request is not acceptable."""


class DeepLinkRefused(ValueError):
    """A deep-linking response the platform cannot save."""


@dataclass
class Platform:
    """The fake LMS: one issuer, one client id, one deployment, one demo course."""

    issuer: str
    tool_base_url: str
    client_id: str = "communitas-sandbox"
    deployment_id: str = "sandbox-deployment-1"
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey.generate()])
    #: Where the tool's key set is read for service assertions (default: under its base URL).
    tool_jwks_url: str = ""
    #: Who is in each course beyond the demo people, and the roster service's paging.
    roster: RosterState = field(default_factory=RosterState)
    #: Access tokens issued so far, for tests and benchmarks to count.
    tokens_issued: int = field(init=False, default=0)
    #: The client and deployment given at construction; dynamic registrations replace them.
    builtin_registration: tuple[str, str] = field(init=False, default=("", ""))
    #: Moodle's pending launches: each ``lti_message_hint`` works once (one sandbox process).
    _hints: set[str] = field(init=False, default_factory=set, repr=False)
    _hints_lock: threading.Lock = field(init=False, default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.builtin_registration = (self.client_id, self.deployment_id)

    def profile(self, name: str = "default") -> Profile:
        """The named behaviour; the lenient one uses the current (maybe dynamic) client."""
        if name == DEFAULT.name:
            return replace(DEFAULT, client_id=self.client_id, deployment_id=self.deployment_id)
        return PROFILES[name]

    def profile_for(self, client_id: object) -> Profile | None:
        """The behaviour of the client id a request names, or None for an unknown client."""
        if client_id == self.client_id:
            return self.profile()
        return next((p for p in STRICT if p.client_id == client_id), None)

    def use_registration(self, registration: tuple[str, str] | None) -> None:
        """Launch as a dynamically registered client, or (None) as the built-in one again."""
        self.client_id, self.deployment_id = registration or self.builtin_registration

    # -- keys ---------------------------------------------------------------------------------
    @property
    def key(self) -> SigningKey:
        return self.keys[-1]

    def rotate_key(self) -> SigningKey:
        """Sign with a new key from now on; older keys stay in the JWKS."""
        self.keys.append(SigningKey.generate())
        return self.key

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [k.public_jwk() for k in self.keys]}

    def save(self, path: Path) -> None:
        path.write_text(json.dumps([{"kid": k.kid, "pem": k.to_pem()} for k in self.keys]))

    @staticmethod
    def load_keys(path: Path) -> list[SigningKey]:
        keys = []
        for item in json.loads(path.read_text()):
            private = serialization.load_pem_private_key(item["pem"].encode(), password=None)
            assert isinstance(private, rsa.RSAPrivateKey)
            keys.append(SigningKey(kid=item["kid"], private=private))
        return keys

    # -- URLs ---------------------------------------------------------------------------------
    @property
    def tool_key_set_url(self) -> str:
        return self.tool_jwks_url or self.tool_base_url + "/lti/jwks"

    @property
    def tool_login_url(self) -> str:
        return self.tool_base_url + "/lti/login"

    @property
    def tool_launch_url(self) -> str:
        return self.tool_base_url + "/lti/launch"

    def login_initiation(
        self, user: DemoUser, message: str = "resource", page_url: str = "", profile: str = ""
    ) -> dict[str, str]:
        """Parameters of the third-party initiated login the platform sends the tool.

        The message hint carries the message type and the course page the tool is shown in,
        which comes back as the launch's return URL; Moodle's also names a one-time launch.
        """
        chosen = self.profile(profile or DEFAULT.name)
        hint = f"{message} {page_url}".strip()
        if chosen.single_use_hint:
            launch_id = "ltilaunch_" + secrets.token_hex(8)
            with self._hints_lock:
                self._hints.add(launch_id)
            hint = f"{launch_id} {hint}"
        return {
            "iss": self.issuer,
            "login_hint": user.sub,
            "target_link_uri": self.tool_launch_url,
            "lti_message_hint": hint,
            "client_id": chosen.client_id,
            "lti_deployment_id": chosen.deployment_id,
        }

    def _use_hint(self, profile: Profile, hint: str) -> str:
        """Return the hint's message part; Moodle's hints are deleted on first use."""
        if not profile.single_use_hint:
            return hint
        launch_id, _, rest = hint.partition(" ")
        with self._hints_lock:
            if launch_id not in self._hints:
                raise AuthRequestError("Invalid request")  # Moodle's words for a used hint
            self._hints.discard(launch_id)
        return rest

    # -- OIDC authorization ---------------------------------------------------------------------
    def authorize(self, params: dict[str, str], now: float | None = None) -> dict[str, str]:
        """Check the tool's auth request; return the form fields to post to its redirect URI."""
        profile = self.profile_for(params.get("client_id"))
        if profile is None:
            raise AuthRequestError("client_id is not a registered client")
        expected = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
        }
        for name, value in expected.items():
            if params.get(name) != value:
                raise AuthRequestError(f"{name} must be {value!r}")
        if params.get("redirect_uri") != self.tool_launch_url:
            raise AuthRequestError("redirect_uri is not the registered launch URL")
        if not params.get("nonce") or not params.get("state"):
            raise AuthRequestError("state and nonce are required")
        user = USERS.get(params.get("login_hint", ""))
        if user is None:
            raise AuthRequestError("unknown login_hint")
        hint = self._use_hint(profile, params.get("lti_message_hint", "resource"))
        message, _, page_url = hint.partition(" ")
        claims = self.launch_claims(user, params["nonce"], message, now=now, profile=profile)
        if page_url:
            claims[LTI + "launch_presentation"] = {
                "document_target": "iframe",
                "return_url": page_url,
            }
        return {"id_token": self.sign(claims), "state": params["state"]}

    def launch_claims(
        self,
        user: DemoUser,
        nonce: str,
        message: str = "resource",
        now: float | None = None,
        profile: Profile | str = "",
    ) -> dict[str, Any]:
        """The id_token body an LMS sends for ``user`` in the demo course."""
        now = time.time() if now is None else now
        p = profile if isinstance(profile, Profile) else self.profile(profile or DEFAULT.name)
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": p.client_id,
            "sub": user.sub,
            "iat": int(now),
            "exp": int(now) + 300,
            "nonce": nonce,
            LTI + "version": "1.3.0",
            LTI + "deployment_id": p.deployment_id,
            LTI + "target_link_uri": self.tool_launch_url,
            LTI + "roles": list(user.roles),
            LTI + "context": p.context_claim(),
            LTI + "tool_platform": {
                "guid": "communitas-sandbox",
                "name": "Communitas sandbox LMS",
                "product_family_code": "sandbox",
            },
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": f"{self.issuer}/nrps/{p.context_id}",
                "service_versions": ["2.0"],
            },
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": f"{self.issuer}/ags/{p.context_id}/lineitems"
                + (f"?type_id={p.deployment_id}" if p.ags_type_id else ""),
            },
        }
        claims.update(p.user_claims(user))
        if message == "deeplink":
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": f"{self.issuer}/deep-link-return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": False,
                "data": "sandbox-dl-" + secrets.token_hex(4),
            }
        else:
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "resource_link"] = {"id": "communitas-link-1", "title": "Communitas"}
        return claims

    def sign(
        self,
        claims: dict[str, Any],
        key: SigningKey | None = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """Sign claims as an RS256 id_token with the current (or given) key."""
        key = key or self.key
        return jwt.encode(
            claims, key.private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})}
        )

    # -- messages from the tool -------------------------------------------------------------------
    def receive_content_items(self, claims: dict[str, Any]) -> list[dict[str, Any]]:
        """Take a verified deep-linking response's items the way the tool's platform would."""
        items = claims.get(DL + "content_items")
        if not isinstance(items, list):
            raise DeepLinkRefused("the response has no content_items list")
        profile = self.profile_for(claims.get("iss"))
        # PHP's json_decode($json, true) turns {} into an array, which Moodle then refuses.
        if profile is not None and profile.php_json:
            if any(isinstance(i, dict) and i.get("custom") in ({}, []) for i in items):
                raise DeepLinkRefused(MOODLE_EMPTY_CUSTOM)
        return items

    def verify_tool_jwt(
        self, token: str, tool_jwks: dict[str, Any], audience: str
    ) -> dict[str, Any]:
        """Check a JWT the tool signed (deep-link response, service assertion)."""
        kid = jwt.get_unverified_header(token).get("kid")
        for jwk in tool_jwks.get("keys", []):
            if jwk.get("kid") == kid:
                return jwt.decode(
                    token,
                    jwt.PyJWK(jwk).key,
                    algorithms=["RS256"],
                    audience=audience,
                    options={"require": ["exp", "iat"]},
                )
        raise jwt.InvalidTokenError("the tool's key set has no key " + str(kid))


def origin(url: str) -> str:
    """Return scheme://host[:port] of a URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
