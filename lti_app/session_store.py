"""Where launch sessions live: the database, or Redis when configured.

The browser holds a random token; the store keeps only its SHA-256, with the session's values.
A session ends when it is revoked (sign-out, a new launch in the same browser), after
``idle`` without a request, and ``maximum`` after its launch whatever happens.
"""

import hashlib
import json
import logging
import random
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import bindparam, delete, insert, or_, select, update
from sqlalchemy.engine import Connection, Engine

from cohorts.models import LaunchSession

from .lti.state_store import RedisError

log = logging.getLogger("communitas")

TABLE = LaunchSession.__table__
#: Renew the idle clock at most this often, so a busy page costs no write per request.
RENEW_EVERY = timedelta(seconds=60)
#: Parameters of UPDATE statements must not be named like columns (those become SET values).
_BY_KEY = TABLE.c.key == bindparam("stored_key")
_INSERT = insert(TABLE).values(
    {name: bindparam(name) for name in ("key", "enrolment_id", "data", "created_at", "seen_at")}
)
_LOAD = select(TABLE.c.data, TABLE.c.created_at, TABLE.c.seen_at).where(_BY_KEY)
_RENEW = update(TABLE).where(_BY_KEY).values(seen_at=bindparam("seen"))
_SAVE = update(TABLE).where(_BY_KEY).values(data=bindparam("new_data"))
_REVOKE = delete(TABLE).where(_BY_KEY)


@dataclass(frozen=True, slots=True)
class Lifetime:
    """How long a session lasts without use, and at most."""

    idle: timedelta
    maximum: timedelta

    def ended(self, created: datetime, seen: datetime, now: datetime) -> bool:
        return now - seen > self.idle or now - created > self.maximum


def digest(token: str) -> str:
    """Return the stored name of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


class SessionStore(Protocol):
    """Create, read (renewing the idle clock), update and revoke launch sessions."""

    def create(self, data: dict[str, Any], enrolment_id: int, now: datetime) -> str: ...

    def load(self, token: str, now: datetime) -> dict[str, Any] | None: ...

    def save(self, token: str, data: dict[str, Any]) -> None: ...

    def revoke(self, token: str) -> None: ...


class DatabaseSessionStore:
    """Keep sessions in ``launch_session``, on connections of their own.

    The request's ORM session may hold half-done work, so later changes to session rows never
    ride on it. Each is one statement, so each runs on its own in autocommit: no BEGIN and
    COMMIT round trips around it. Two steps use ``request_connection`` instead, the connection
    the request's own queries go on with: reading a session, the first thing a request does,
    and creating one, which the launch then commits with its records (a launch that fails
    leaves no session behind, and needs no second connection).
    """

    def __init__(
        self,
        engine: Engine,
        lifetime: Lifetime,
        request_connection: Callable[[], Connection] | None = None,
    ) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lifetime = lifetime
        self._request = request_connection

    def create(self, data: dict[str, Any], enrolment_id: int, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        with self._request_or_own() as conn:
            if random.random() < 0.02:  # sweep ended sessions now and then, not on every launch
                conn.execute(
                    delete(TABLE).where(
                        or_(
                            TABLE.c.seen_at < now - self._lifetime.idle,
                            TABLE.c.created_at < now - self._lifetime.maximum,
                        )
                    )
                )
            conn.execute(
                _INSERT,
                {
                    "key": digest(token),
                    "enrolment_id": enrolment_id,
                    "data": json.dumps(data),
                    "created_at": now,
                    "seen_at": now,
                },
            )
        return token

    @contextmanager
    def _request_or_own(self) -> Iterator[Connection]:
        """The request's connection (its caller commits), else one of our own in autocommit."""
        if self._request is not None:
            yield self._request()
        else:
            with self._engine.connect() as conn:
                yield conn

    def load(self, token: str, now: datetime) -> dict[str, Any] | None:
        key = digest(token)
        with self._request_or_own() as conn:
            row = conn.execute(_LOAD, {"stored_key": key}).first()
        if row is None:
            return None
        if self._lifetime.ended(row.created_at, row.seen_at, now):
            self.revoke(token)
            return None
        if now - row.seen_at > RENEW_EVERY:
            with self._engine.connect() as conn:
                conn.execute(_RENEW, {"stored_key": key, "seen": now})
        return json.loads(row.data)  # type: ignore[no-any-return]

    def save(self, token: str, data: dict[str, Any]) -> None:
        with self._engine.connect() as conn:
            conn.execute(_SAVE, {"stored_key": digest(token), "new_data": json.dumps(data)})

    def revoke(self, token: str) -> None:
        with self._engine.connect() as conn:
            conn.execute(_REVOKE, {"stored_key": digest(token)})


class RedisSessionStore:
    """Keep sessions in Redis; the key's expiry is the idle timeout, renewed on each use."""

    def __init__(self, client: Any, lifetime: Lifetime) -> None:
        self._redis, self._lifetime = client, lifetime

    def _key(self, token: str) -> str:
        return f"communitas:launch:{digest(token)}"

    def _put(self, token: str, created: float, data: dict[str, Any]) -> None:
        value = json.dumps({"created": created, "data": data})
        self._redis.set(self._key(token), value, ex=self._lifetime.idle)

    def create(self, data: dict[str, Any], enrolment_id: int, now: datetime) -> str:
        token = secrets.token_urlsafe(32)
        self._put(token, now.timestamp(), data)
        return token

    def load(self, token: str, now: datetime) -> dict[str, Any] | None:
        raw = self._redis.get(self._key(token))
        if raw is None:
            return None
        stored = json.loads(raw)
        if now.timestamp() - stored["created"] > self._lifetime.maximum.total_seconds():
            self.revoke(token)
            return None
        self._redis.expire(self._key(token), self._lifetime.idle)
        return stored["data"]  # type: ignore[no-any-return]

    def save(self, token: str, data: dict[str, Any]) -> None:
        raw = self._redis.get(self._key(token))
        if raw is not None:
            self._put(token, json.loads(raw)["created"], data)

    def revoke(self, token: str) -> None:
        self._redis.delete(self._key(token))


class FallbackSessionStore:
    """Redis first; while Redis is down, the database, so launches go on during the outage.

    Lookups try both, so a session started in either place during a switch-over keeps working.
    """

    def __init__(self, primary: RedisSessionStore, fallback: DatabaseSessionStore) -> None:
        self._primary, self._fallback = primary, fallback

    def create(self, data: dict[str, Any], enrolment_id: int, now: datetime) -> str:
        try:
            return self._primary.create(data, enrolment_id, now)
        except RedisError:
            log.warning("Redis is unavailable: keeping this launch session in the database")
            return self._fallback.create(data, enrolment_id, now)

    def load(self, token: str, now: datetime) -> dict[str, Any] | None:
        try:
            found = self._primary.load(token, now)
        except RedisError:
            found = None
        return found if found is not None else self._fallback.load(token, now)

    def save(self, token: str, data: dict[str, Any]) -> None:
        for store in (self._primary, self._fallback):
            try:
                store.save(token, data)  # a no-op where the session is not
            except RedisError:
                continue

    def revoke(self, token: str) -> None:
        for store in (self._primary, self._fallback):
            try:
                store.revoke(token)
            except RedisError:
                continue
