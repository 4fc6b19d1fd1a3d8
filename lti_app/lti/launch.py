"""Launch validation: pylti1p3's checks plus what the Security Framework asks and it skips."""

import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import jwt
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.exception import LtiException

from . import claims, tokens
from .errors import BrowserBindingNeeded, LaunchRejected
from .http import http
from .login import is_own_url, secret_hash
from .platform_keys import KeySetError, signing_key
from .state_store import StateStore

SUPPORTED_MESSAGES = (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST)
#: Ids are stored in 255-character columns; a longer one is refused, never cut.
MAX_ID_LENGTH = 255
#: How deep the NUL check looks into claims; real tokens nest three or four levels.
MAX_DEPTH = 8


def has_nul(value: object, depth: int = 0) -> bool:
    """Tell whether a claim (or anything inside it) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > MAX_DEPTH:
        return True  # nothing legitimate nests this deep; treat as malformed
    if isinstance(value, dict):
        return any(has_nul(k, depth + 1) or has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(v, depth + 1) for v in value)
    return False


def is_id(value: object) -> bool:
    """Tell whether a claim is a usable id: a non-blank string that fits its column."""
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_ID_LENGTH


class CommunitasLaunch(FlaskMessageLaunch):  # type: ignore[misc]
    """Validate an id_token in full; each failed check names its reason and status."""

    def __init__(
        self,
        request: object,
        tool_conf: object,
        store: StateStore,
        base_url: str,
        leeway: int = 60,
        max_age: int = 600,
    ) -> None:
        # Service calls made from this launch (NRPS, AGS) name the tool in their User-Agent.
        super().__init__(request, tool_conf, requests_session=http)
        self._store = store
        self._base_url = base_url
        self._leeway = leeway
        self._max_age = max_age
        self.binding = ""
        #: The platform key this token's kid named, once looked up: a refusal reuses it.
        self.platform_key: jwt.PyJWK | None = None

    def validate(self) -> "CommunitasLaunch":
        """Run every check in order; the nonce is taken last so a bad token burns nothing."""
        self._validated = True
        steps: list[tuple[Callable[[], Any], int]] = [
            (self.validate_state, 401),
            (self.validate_jwt_format, 400),
            (self.validate_registration, 403),
            (self.validate_jwt_signature, 401),
            (self.validate_deployment, 403),
            (self.validate_message, 400),
            (self.validate_lti_claims, 400),
            (self.validate_nonce, 401),
        ]
        try:
            for step, status in steps:
                try:
                    step()
                except LaunchRejected:
                    raise
                except (LtiException, KeySetError, ValueError, TypeError, KeyError) as exc:
                    raise LaunchRejected(str(exc) or type(exc).__name__, status) from exc
        except Exception:
            self._validated = False
            raise
        return self

    def validate_state(self) -> "CommunitasLaunch":
        """Check the launch comes back to the browser that logged in: cookie or platform storage."""
        state = self._get_request_param("state")
        if not state:
            raise LaunchRejected("the launch has no state parameter", 400)
        if self._cookie_service.get_cookie(state) == state:
            self.binding = "cookie"
            return self
        info = self._store.peek(state)
        if info is None:
            raise LaunchRejected("this launch was already used or has expired; open it again", 401)
        if not info.get("storage"):
            raise BrowserBindingNeeded(info, via_storage=False)
        secret = self._get_request_param("lti_storage_secret")
        if secret is None:
            raise BrowserBindingNeeded(info, via_storage=True)
        if not hmac.compare_digest(secret_hash(secret), str(info.get("secret"))):
            raise LaunchRejected("the platform's storage did not confirm this browser", 401)
        self.binding = "platform-storage"
        return self

    def validate_jwt_format(self) -> "CommunitasLaunch":
        super().validate_jwt_format()
        header, body = self._jwt.get("header"), self._jwt.get("body")
        if not isinstance(header, dict) or not isinstance(body, dict):
            raise LaunchRejected("the id_token header and body must be JSON objects", 400)
        if not isinstance(body.get("iss"), str) or not body["iss"]:
            raise LaunchRejected("the id_token has no issuer (iss)", 400)
        aud = body.get("aud")
        if not (isinstance(aud, str) or (isinstance(aud, list) and aud)):
            raise LaunchRejected("the id_token has no audience (aud)", 400)
        deployment = body.get(claims.DEPLOYMENT_ID)
        if not isinstance(deployment, str) or not deployment:
            raise LaunchRejected("the id_token has no deployment_id claim", 400)
        return self

    def unverified_header(self) -> dict[str, Any] | None:
        """Return the token's header as sent, for logs and the doctor (not trusted)."""
        header = self._jwt.get("header") if isinstance(self._jwt, dict) else None
        return header if isinstance(header, dict) else None

    def unverified_body(self) -> dict[str, Any] | None:
        """Return the token's claims as sent, before (or without) validation succeeding."""
        body = self._jwt.get("body") if isinstance(self._jwt, dict) else None
        return body if isinstance(body, dict) else None

    def get_client_id(self) -> str:
        body = self._jwt.get("body", {})
        aud = body.get("aud")
        if isinstance(aud, list):
            azp = body.get("azp")
            return azp if azp in aud else aud[0]
        return aud  # type: ignore[no-any-return]

    def validate_registration(self) -> "CommunitasLaunch":
        try:
            super().validate_registration()
        except LtiException as exc:
            raise LaunchRejected(
                "this platform and client id are not registered with Communitas", 403
            ) from exc
        return self

    def validate_jwt_signature(self) -> "CommunitasLaunch":
        header = self._jwt["header"]
        if header.get("alg") != "RS256":
            raise LaunchRejected("only RS256-signed id_tokens are accepted", 401)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise LaunchRejected("the id_token header names no key (kid)", 401)
        registration = self._registration
        key = self.platform_key = signing_key(registration.get_key_set_url(), kid)
        client_id = registration.get_client_id()
        try:
            body = tokens.decode(
                self._get_id_token(),
                key,
                algorithms=["RS256"],
                audience=client_id,
                issuer=registration.get_issuer(),
                leeway=self._leeway,
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRejected("the id_token has expired", 401) from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchRejected("the id_token was issued in the future (iat/nbf)", 401) from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchRejected(f"the id_token is not valid: {exc}", 401) from exc
        self._check_time_and_party(body, client_id)
        self._jwt["body"] = body
        return self

    def _check_time_and_party(self, body: dict[str, Any], client_id: str) -> None:
        if not isinstance(body["iat"], int | float) or not isinstance(body["exp"], int | float):
            raise LaunchRejected("iat and exp must be numbers", 401)
        if body["iat"] < time.time() - self._max_age - self._leeway:
            raise LaunchRejected("the id_token was issued too long ago", 401)
        aud, azp = body["aud"], body.get("azp")
        if isinstance(aud, list) and len(aud) > 1 and azp is None:
            raise LaunchRejected("several audiences but no authorized party (azp)", 401)
        if azp is not None and azp != client_id:
            raise LaunchRejected("the authorized party (azp) is not this tool", 401)

    def validate_message(self) -> "CommunitasLaunch":
        """Check the settings' shape first: pylti1p3's own check assumes an object."""
        body = self._jwt["body"]
        if body.get(claims.MESSAGE_TYPE) == claims.DEEP_LINKING_REQUEST and not isinstance(
            body.get(claims.DEEP_LINKING_SETTINGS), dict
        ):
            raise LaunchRejected("the deep linking settings must be a JSON object", 400)
        super().validate_message()
        return self

    def validate_lti_claims(self) -> "CommunitasLaunch":
        body = self._jwt["body"]
        message_type = body.get(claims.MESSAGE_TYPE)
        if message_type not in SUPPORTED_MESSAGES:
            raise LaunchRejected(f"Communitas does not handle {message_type} messages", 400)
        if has_nul(body):
            raise LaunchRejected("the launch holds a NUL character in one of its claims", 400)
        if not is_id(body.get("sub")):
            raise LaunchRejected(
                "the launch does not say who the user is (sub missing, or over 255 characters)",
                400,
            )
        roles = body.get(claims.ROLES)
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise LaunchRejected("the roles claim must be a list of role URIs", 400)
        target = body.get(claims.TARGET_LINK_URI)
        if not isinstance(target, str) or not is_own_url(target, self._base_url):
            raise LaunchRejected("target_link_uri is missing or does not point to this tool", 400)
        context = body.get(claims.CONTEXT)
        # No context at all is valid LTI (the tool then explains it lives in a course).
        if context is not None and not (isinstance(context, dict) and is_id(context.get("id"))):
            raise LaunchRejected(
                "the launch's context has no usable id (missing, or over 255 characters)", 400
            )
        if message_type == claims.DEEP_LINKING_REQUEST:
            settings = body[claims.DEEP_LINKING_SETTINGS]  # an object: validate_message saw it
            if not is_http_url(settings.get("deep_link_return_url")):
                raise LaunchRejected("the deep linking request has no return URL", 400)
        return self

    def validate_nonce(self) -> "CommunitasLaunch":
        issued = self._store.take(self._get_request_param("state"))
        if issued is None:
            raise LaunchRejected("this launch was already used or has expired; open it again", 401)
        if issued != self._jwt["body"].get("nonce"):
            raise LaunchRejected("the nonce does not match the one issued at login", 401)
        return self

    def save_launch_data(self) -> "CommunitasLaunch":
        """Keep nothing in the cookie session; the launch is recorded in the database."""
        return self


def is_http_url(value: object) -> bool:
    """Tell whether a claim value is an absolute http(s) URL."""
    return isinstance(value, str) and value.startswith(("https://", "http://"))


def describe(body: dict[str, Any]) -> str:
    """Summarise a token body for logs without personal data."""
    keys = {k: body.get(k) for k in ("iss", "aud", "azp", "iat", "exp")}
    return json.dumps(keys, default=str)
