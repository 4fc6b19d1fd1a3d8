"""Login state and nonce, shared by every worker: in the database, or Redis when configured.

A nonce is issued with its state at login and taken (read and deleted in one step) at
launch, so a replayed id_token finds nothing, whichever worker or host receives it. Each
pending login also keeps a little ``info`` for its launch: whether platform storage binds it
to the browser, and the login parameters for reopening Communitas in a new window.
"""

import json
import logging
import random
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.orm import Session

from cohorts.models import LoginState, utcnow

try:
    from redis.exceptions import RedisError
except ImportError:  # Redis is optional

    class RedisError(Exception):  # type: ignore[no-redef]
        """Stands in for redis-py's errors when it is not installed."""


log = logging.getLogger("communitas.lti")
STATE_TTL_SECONDS = 600
TABLE = LoginState.__table__
AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}
_INSERT = insert(TABLE).values(
    state=bindparam("state"),
    nonce=bindparam("nonce"),
    expires_at=bindparam("expires"),
    info=bindparam("info"),
)

_TAKE = (
    delete(TABLE)
    .where(TABLE.c.state == bindparam("taken"), TABLE.c.expires_at >= bindparam("now"))
    .returning(TABLE.c.nonce)
)


class StateStore(Protocol):
    """Where pending logins wait for their launch."""

    def put(
        self, state: str, nonce: str, info: dict[str, Any], ttl: int = STATE_TTL_SECONDS
    ) -> None: ...

    def peek(self, state: str) -> dict[str, Any] | None: ...

    def take(self, state: str) -> str | None: ...


class DatabaseStateStore:
    """Keep pending logins in the ``login_state`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def put(
        self, state: str, nonce: str, info: dict[str, Any], ttl: int = STATE_TTL_SECONDS
    ) -> None:
        """Commit the request's work so far, then insert the login in autocommit.

        One statement needs no transaction of its own: no BEGIN and COMMIT round trips.
        """
        now = utcnow()
        self._session.commit()
        connection = self._session.connection(execution_options=AUTOCOMMIT)
        if random.random() < 0.02:  # sweep expired rows now and then, not on every login
            connection.execute(delete(TABLE).where(TABLE.c.expires_at < now))
        expires = now + timedelta(seconds=ttl)
        connection.execute(
            _INSERT, {"state": state, "nonce": nonce, "expires": expires, "info": json.dumps(info)}
        )
        self._session.commit()  # hands the connection back, out of autocommit

    def peek(self, state: str) -> dict[str, Any] | None:
        info = self._session.scalar(
            select(LoginState.info).where(
                LoginState.state == state, LoginState.expires_at >= utcnow()
            )
        )
        return json.loads(info) if info is not None else None

    def take(self, state: str) -> str | None:
        # Committed with the launch's records: until then the deleted row stays locked, so a
        # concurrent replay waits and then finds nothing.
        params = {"taken": state, "now": utcnow()}
        return self._session.connection().execute(_TAKE, params).scalar_one_or_none()


class RedisStateStore:
    """Keep pending logins in Redis with an expiry; GETDEL makes the take atomic."""

    def __init__(self, client: Any) -> None:
        self._redis = client

    def put(
        self, state: str, nonce: str, info: dict[str, Any], ttl: int = STATE_TTL_SECONDS
    ) -> None:
        pipe = self._redis.pipeline()
        pipe.set(f"communitas:login:{state}", nonce, ex=ttl)
        pipe.set(f"communitas:login-info:{state}", json.dumps(info), ex=ttl)
        pipe.execute()

    def peek(self, state: str) -> dict[str, Any] | None:
        value = self._redis.get(f"communitas:login-info:{state}")
        return json.loads(value) if value is not None else None

    def take(self, state: str) -> str | None:
        pipe = self._redis.pipeline()
        pipe.getdel(f"communitas:login:{state}")
        pipe.delete(f"communitas:login-info:{state}")
        value = pipe.execute()[0]
        return value.decode() if isinstance(value, bytes) else value


class FallbackStateStore:
    """Redis first; while Redis is down, the database, so logins go on during the outage.

    Lookups try both, so a login stored in either place during a switch-over still launches.
    """

    def __init__(self, primary: StateStore, fallback: StateStore) -> None:
        self._primary, self._fallback = primary, fallback

    def put(self, state: str, nonce: str, info: dict[str, Any]) -> None:
        try:
            self._primary.put(state, nonce, info)
        except RedisError:
            log.warning("Redis is unavailable: keeping this login in the database")
            self._fallback.put(state, nonce, info)

    def peek(self, state: str) -> dict[str, Any] | None:
        try:
            found = self._primary.peek(state)
        except RedisError:
            found = None
        return found if found is not None else self._fallback.peek(state)

    def take(self, state: str) -> str | None:
        try:
            found = self._primary.take(state)
        except RedisError:
            found = None
        return found if found is not None else self._fallback.take(state)
