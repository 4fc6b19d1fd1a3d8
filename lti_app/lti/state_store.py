"""Login state and nonce, shared by every worker: in the database, or Redis when configured.

A nonce is issued with its state at login and taken (read and deleted in one step) at
launch, so a replayed id_token finds nothing, whichever worker or host receives it.
"""

import random
from datetime import timedelta
from typing import Protocol

from sqlalchemy import delete
from sqlalchemy.orm import Session

from cohorts.models import LoginState, utcnow

STATE_TTL_SECONDS = 600


class StateStore(Protocol):
    """Where pending logins wait for their launch."""

    def put(self, state: str, nonce: str) -> None: ...

    def take(self, state: str) -> str | None: ...


class DatabaseStateStore:
    """Keep pending logins in the ``login_state`` table."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def put(self, state: str, nonce: str) -> None:
        now = utcnow()
        if random.random() < 0.02:  # sweep expired rows now and then, not on every login
            self._session.execute(delete(LoginState).where(LoginState.expires_at < now))
        expires = now + timedelta(seconds=STATE_TTL_SECONDS)
        self._session.add(LoginState(state=state, nonce=nonce, expires_at=expires))
        self._session.commit()

    def take(self, state: str) -> str | None:
        statement = (
            delete(LoginState)
            .where(LoginState.state == state, LoginState.expires_at >= utcnow())
            .returning(LoginState.nonce)
        )
        nonce = self._session.execute(statement).scalar_one_or_none()
        self._session.commit()
        return nonce


class RedisStateStore:
    """Keep pending logins in Redis with an expiry; GETDEL makes the take atomic."""

    def __init__(self, client: "object") -> None:
        self._redis = client

    def put(self, state: str, nonce: str) -> None:
        self._redis.set(f"communitas:login:{state}", nonce, ex=STATE_TTL_SECONDS)  # type: ignore[attr-defined]

    def take(self, state: str) -> str | None:
        value = self._redis.getdel(f"communitas:login:{state}")  # type: ignore[attr-defined]
        return value.decode() if isinstance(value, bytes) else value
