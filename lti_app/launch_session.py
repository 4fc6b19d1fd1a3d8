"""Bind later requests to a launch through a server-side session, revocable at any time.

The session cookie holds only a random token (signed, like every Flask session cookie) that
names a session kept in the database or Redis. Where the browser drops third-party cookies the
same token travels in links and forms instead (``lt``); only then, since URLs end up in logs.
A browser's own cookie session wins over a token in a link, so a link carrying someone else's
token cannot switch a signed-in browser to another person.
"""

from datetime import timedelta
from typing import Any

from flask import Flask, current_app, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

from cohorts.models import utcnow

from .extensions import db
from .session_store import (
    DatabaseSessionStore,
    FallbackSessionStore,
    Lifetime,
    RedisSessionStore,
    SessionStore,
)

TOKEN_PARAM = "lt"
SID = "sid"
STORE = "communitas_sessions"
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class LaunchSession(SecureCookieSession):
    """Session values, with the token that names them on the server once launched."""

    token: str | None = None
    #: The token travels in links: this browser does not keep the tool's cookie.
    via_url = False
    #: Write the cookie naming the token on this response (a new launch).
    new_cookie = False
    revoked = False
    #: The session this browser's cookie named before a new launch: revoked with the response.
    replaces: str | None = None
    #: Why the store could not be read; raised again once the error pages can answer.
    failure: Exception | None = None


def _token_in(req: Any) -> str | None:
    token = req.args.get(TOKEN_PARAM) or req.headers.get("X-Communitas-Launch")
    if not token and req.method == "POST" and req.mimetype in _FORM_TYPES:
        token = req.form.get(TOKEN_PARAM)
    return token


def session_store(app: Flask | None = None) -> SessionStore:
    """Return Redis-backed sessions when configured, the database otherwise (one per app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    client = app.extensions.get("communitas_redis")
    built = app.extensions.get(STORE)
    if built is None or built[0] is not client:
        built = app.extensions[STORE] = (client, _new_store(app, client))
    return built[1]  # type: ignore[no-any-return]


def _new_store(app: Flask, client: Any) -> SessionStore:
    lifetime = Lifetime(
        idle=timedelta(seconds=app.config["SESSION_IDLE_SECONDS"]),
        maximum=timedelta(seconds=app.config["SESSION_MAX_SECONDS"]),
    )
    # A request reads (and a launch creates) its session on the connection its queries use.
    database = DatabaseSessionStore(db.engine, lifetime, request_connection=db.session.connection)
    if client is None:
        return database
    return FallbackSessionStore(RedisSessionStore(client, lifetime), database)


class LaunchSessionInterface(SecureCookieSessionInterface):
    """Open the launch session the cookie names, else the one a link names, else none."""

    session_class = LaunchSession

    def open_session(self, app: Flask, request: Any) -> LaunchSession | None:
        cookie: LaunchSession | None = super().open_session(app, request)  # type: ignore[assignment]
        if cookie is None:
            return None
        try:
            launched = self._launched(app, request, cookie)
        except Exception as error:  # raised again by raise_store_failure, once pages can answer
            cookie.failure = error
            return cookie
        if launched is not None:
            return launched
        if SID in cookie:  # an ended session: forget it, so the browser drops the cookie
            cookie.clear()
        return cookie

    def _launched(self, app: Flask, request: Any, cookie: LaunchSession) -> LaunchSession | None:
        store, now = session_store(app), utcnow()
        for token, via_url in ((cookie.get(SID), False), (_token_in(request), True)):
            data = store.load(token, now) if isinstance(token, str) and token else None
            if data is not None:
                launched = self.session_class(data)
                launched.token, launched.via_url = token, via_url
                return launched
        return None

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        if not getattr(session, "token", None):
            return super().save_session(app, session, response)
        if session.modified or session.revoked:
            # The view committed what it meant to keep: end its transaction, so this write
            # never waits for it (SQLite has one writer at a time).
            db.session.rollback()
        store = session_store(app)
        if session.replaces:  # after the launch's commit, so SQLite's one writer is free
            store.revoke(session.replaces)
        if session.revoked:
            store.revoke(session.token)
            gone = self.session_class()
            gone.modified = True
            return super().save_session(app, gone, response)  # deletes the cookie
        if session.modified:
            store.save(session.token, dict(session))
        if session.new_cookie:
            named = self.session_class({SID: session.token})
            named.modified = True
            super().save_session(app, named, response)
        return None


def current_token() -> str | None:
    """Return the token links and forms must carry: only for a browser without the cookie."""
    if getattr(session, "via_url", False) and not session.revoked:
        return session.token  # type: ignore[no-any-return]
    return None


def add_token_to_urls(endpoint: str | None, values: dict[str, Any]) -> None:
    """``url_for`` callback: carry the launch token to every page of the tool when needed."""
    if endpoint and endpoint != "static" and not endpoint.startswith(("sandbox.", "lti.")):
        token = current_token()
        if token:
            values.setdefault(TOKEN_PARAM, token)


def raise_store_failure() -> None:
    """Answer through the error pages when the session store could not be read."""
    failure = getattr(session, "failure", None)
    if failure is not None:
        raise failure


def init_app(app: Flask) -> None:
    """Install the server-side session and URL defaults (before CSRF, which reads the session)."""
    app.session_interface = LaunchSessionInterface()
    app.before_request(raise_store_failure)
    app.url_defaults(add_token_to_urls)
