"""OIDC third-party initiated login, with state and nonce kept where every worker sees them."""

import secrets
from urllib.parse import urlencode, urlsplit

from pylti1p3.contrib.flask import FlaskOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from .errors import LaunchRejected
from .state_store import STATE_TTL_SECONDS, StateStore


def is_own_url(url: str, base_url: str) -> bool:
    """Tell whether ``url`` points into this tool (same scheme, host and port)."""
    target, base = urlsplit(url), urlsplit(base_url)
    return bool(target.scheme) and (target.scheme, target.netloc) == (base.scheme, base.netloc)


class CommunitasLogin(FlaskOIDCLogin):  # type: ignore[misc]
    """pylti1p3's login with single-use state/nonce pairs and a checked target link."""

    def __init__(self, request: object, tool_conf: object, store: StateStore, base_url: str):
        super().__init__(request, tool_conf)
        self._store = store
        self._base_url = base_url

    def _prepare_redirect_url(self, launch_url: str) -> str:
        try:
            self._registration = self.validate_oidc_login()
        except (LtiException, OIDCException) as exc:
            if "registration" in str(exc):
                raise LaunchRejected("this platform is not registered with Communitas", 403) from exc
            raise LaunchRejected(str(exc), 400) from exc
        target = self._get_request_param("target_link_uri")
        if not target or not is_own_url(target, self._base_url):
            raise LaunchRejected("target_link_uri is missing or does not point to this tool", 400)
        state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._store.put(state, nonce)
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
        auth_url = self._registration.get_auth_login_url()
        return auth_url + ("&" if "?" in auth_url else "?") + urlencode(params)
