"""Replace database connections that were dropped, without a round trip on every checkout.

SQLAlchemy's ``pool_pre_ping`` pings on every checkout, and one request checks connections
out two or three times. Most of those pings can be answered without asking the server: a
healthy idle connection has nothing to read, while one whose server restarted or closed it has
(the server's goodbye, or the end of the stream). So a checkout pings only a connection whose
socket has something to read, or that sat idle longer than ``IDLE_SECONDS`` (a proxy or
firewall may drop it silently), and the pool replaces it when the ping fails.
"""

import select
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Engine

#: A connection idle for longer than this is pinged whatever its socket says.
IDLE_SECONDS = 10.0
RETURNED_AT = "communitas_returned_at"


def _socket_of(dbapi: Any) -> int | None:
    """The connection's socket (psycopg), or None where there is none to look at (SQLite)."""
    pgconn = getattr(dbapi, "pgconn", None)
    try:
        return int(pgconn.socket) if pgconn is not None else None
    except Exception:  # closed: the ping fails and the pool replaces it
        return -1


def _has_input(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def needs_ping(dbapi: Any, returned_at: float, now: float) -> bool:
    """Tell whether a pooled connection must prove it is alive before it is handed out."""
    if now - returned_at >= IDLE_SECONDS:
        return True
    fd = _socket_of(dbapi)
    return fd is not None and (fd < 0 or _has_input(fd))


def ping_when_needed(engine: Engine) -> None:
    """Install the checkout check on ``engine``'s pool."""
    dialect = engine.dialect

    @event.listens_for(engine, "connect")
    def fresh(_dbapi: Any, record: Any) -> None:
        record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def returned(_dbapi: Any, record: Any) -> None:
        if record is not None:
            record.info[RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checkout(dbapi: Any, record: Any, _proxy: Any) -> None:
        if not needs_ping(dbapi, record.info.get(RETURNED_AT, 0.0), time.monotonic()):
            return
        try:
            dialect.do_ping(dbapi)
        except Exception as error:
            # The pool discards this connection and checks out another (or a new) one.
            raise exc.DisconnectionError() from error
