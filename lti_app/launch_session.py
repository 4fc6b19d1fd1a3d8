"""Keep a launch bound to later requests even where the browser drops third-party cookies.

After a launch, links and forms carry a signed, short-lived launch token (``lt``): the same
signed data as the session cookie. A token in the URL wins over the cookie, so two course tabs
in one browser each keep their own launch.
"""

from typing import Any

from flask import Flask, current_app, g, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

TOKEN_PARAM = "lt"
TOKEN_SECONDS = 3 * 3600
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _token_in(req: Any) -> str | None:
    token = req.args.get(TOKEN_PARAM) or req.headers.get("X-Communitas-Launch")
    if not token and req.method == "POST" and req.mimetype in _FORM_TYPES:
        token = req.form.get(TOKEN_PARAM)
    return token


class LaunchSessionInterface(SecureCookieSessionInterface):
    """Open the session from a launch token when the request carries one, else the cookie."""

    def open_session(self, app: Flask, request: Any) -> SecureCookieSession | None:
        token = _token_in(request)
        serializer = self.get_signing_serializer(app)
        if token and serializer is not None:
            try:
                data = serializer.loads(token, max_age=TOKEN_SECONDS)
            except BadSignature:
                data = None
            if isinstance(data, dict):
                restored = self.session_class(data)
                restored.launch_token = token  # type: ignore[attr-defined]
                return restored
        return super().open_session(app, request)


def issue_token(app: Flask) -> str:
    """Sign the current session as a launch token and use it for this response's links."""
    serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
    token: str = serializer.dumps(dict(session))
    g.launch_token = token
    return token


def current_token() -> str | None:
    """Return the launch token links should carry, when this request came with one.

    A token is a snapshot of the session, so when this request changed the session (a flash
    message before a redirect, say) links get a fresh snapshot; the launch's own time inside
    still bounds how long it lasts.
    """
    if "launch_token" in g and not session.modified:
        return g.launch_token  # type: ignore[no-any-return]
    token = getattr(session, "launch_token", None)
    if token and session.modified:
        token = issue_token(current_app._get_current_object())  # type: ignore[attr-defined]
        session.launch_token = token  # type: ignore[attr-defined]
        session.modified = False
    elif "launch_token" in g:
        token = g.launch_token
    return token


def add_token_to_urls(endpoint: str | None, values: dict[str, Any]) -> None:
    """``url_for`` callback: carry the launch token to every page of the tool."""
    if endpoint and endpoint != "static" and not endpoint.startswith(("sandbox.", "lti.")):
        token = current_token()
        if token:
            values.setdefault(TOKEN_PARAM, token)


def init_app(app: Flask) -> None:
    """Install the token-aware session and URL defaults."""
    app.session_interface = LaunchSessionInterface()
    app.url_defaults(add_token_to_urls)
