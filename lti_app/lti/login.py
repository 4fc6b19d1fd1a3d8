"""OIDC third-party initiated login, with state and nonce kept where every worker sees them."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from pylti1p3.contrib.flask import FlaskCookieService, FlaskOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from .errors import LaunchRejected
from .state_store import STATE_TTL_SECONDS, StateStore

#: Login parameters kept so a blocked launch can start again in a new window.
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)
#: Each login parameter, and all a pending login keeps, are capped: anyone may start a
#: login, and what it keeps waits ten minutes. Canvas's message hint (a JWT) is under 2 KB.
MAX_PARAM_CHARS = 2048
MAX_STORED_CHARS = 6144
#: Marks the state of a login opened in a new window, so the doctor can count completions.
NEW_WINDOW_STATE = "nw-"


def check_login_params(get: Any) -> None:
    """Refuse login parameters that are too long or hold a NUL, before anything is stored."""
    for name in (*LOGIN_PARAMS, "lti_storage_target"):
        value = get(name)
        if not isinstance(value, str):
            continue
        if "\x00" in value:
            raise LaunchRejected(f"the login parameter {name} holds a NUL character", 400)
        if len(value) > MAX_PARAM_CHARS:
            raise LaunchRejected(
                f"the login parameter {name} is longer than {MAX_PARAM_CHARS} characters", 400
            )


def is_own_url(url: str, base_url: str) -> bool:
    """Tell whether ``url`` points into this tool (same scheme, host and port)."""
    target, base = urlsplit(url), urlsplit(base_url)
    return bool(target.scheme) and (target.scheme, target.netloc) == (base.scheme, base.netloc)


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def state_cookie_flags(secure: bool) -> dict[str, Any]:
    """The state cookie's attributes, set and deleted with exactly these everywhere."""
    return {
        "path": "/",
        "secure": secure,
        "httponly": True,
        "samesite": "None" if secure else "Lax",
        "partitioned": secure,
    }


class PartitionedCookieService(FlaskCookieService):  # type: ignore[misc]
    """pylti1p3's state cookie, partitioned (CHIPS) when it is a cross-site HTTPS cookie."""

    def update_response(self, response: Any) -> None:
        secure = self._request.is_secure()
        for key, data in self._cookie_data_to_set.items():
            response.set_cookie(
                key, data["value"], max_age=data["exp"], **state_cookie_flags(secure)
            )


@dataclass(frozen=True)
class LoginPlan:
    """Where to send the browser next, and what to keep in platform storage first."""

    auth_url: str
    state: str
    storage_target: str | None = None
    storage_origin: str | None = None
    storage_secret: str | None = None


class CommunitasLogin(FlaskOIDCLogin):  # type: ignore[misc]
    """pylti1p3's login with single-use state/nonce pairs and a checked target link."""

    def __init__(self, request: Any, tool_conf: Any, store: StateStore, base_url: str):
        super().__init__(request, tool_conf, cookie_service=PartitionedCookieService(request))
        self._store = store
        self._base_url = base_url

    def plan(self, launch_url: str, new_window: bool = False) -> LoginPlan:
        """Validate the login request, remember state and nonce, and say where to go."""
        check_login_params(self._get_request_param)
        try:
            self._registration = self.validate_oidc_login()
        except (LtiException, OIDCException) as exc:
            if "registration" in str(exc):
                raise LaunchRejected(
                    "this platform is not registered with Communitas", 403
                ) from exc
            raise LaunchRejected(str(exc), 400) from exc
        target = self._get_request_param("target_link_uri")
        if not target or not is_own_url(target, self._base_url):
            raise LaunchRejected("target_link_uri is missing or does not point to this tool", 400)
        state = (NEW_WINDOW_STATE if new_window else "") + secrets.token_urlsafe(32)
        nonce = secrets.token_urlsafe(32)
        auth_url = self._registration.get_auth_login_url()
        info: dict[str, Any] = {
            "login": {k: v for k in LOGIN_PARAMS if (v := self._get_request_param(k))},
            "origin": origin_of(auth_url),
            "client": self._registration.get_client_id(),
        }
        storage_target = self._get_request_param("lti_storage_target")
        storage_secret = None
        if storage_target:
            storage_secret = secrets.token_urlsafe(24)
            info.update(storage=storage_target, secret=secret_hash(storage_secret))
        if len(json.dumps(info)) > MAX_STORED_CHARS:
            raise LaunchRejected("the login parameters are too long altogether", 400)
        self._store.put(state, nonce, info)
        # The state cookie binds the launch to the browser that started the login.
        self._cookie_service.set_cookie(state, state, STATE_TTL_SECONDS)
        params = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": self._registration.get_client_id(),
            "redirect_uri": launch_url,
            "state": state,
            "nonce": nonce,
            "login_hint": self._get_request_param("login_hint"),
        }
        message_hint = self._get_request_param("lti_message_hint")
        if message_hint:
            params["lti_message_hint"] = message_hint
        url = auth_url + ("&" if "?" in auth_url else "?") + urlencode(params)
        return LoginPlan(url, state, storage_target, info["origin"], storage_secret)

    def set_cookies(self, response: Any) -> Any:
        self._cookie_service.update_response(response)
        return response
