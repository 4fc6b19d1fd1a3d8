"""When the database or Redis is down: a 503 page that needs neither, with the usual headers.

The error pages are rendered without the context processors (which look the viewer up in the
database), so an outage cannot turn the error page itself into a second, bare failure.
"""

import logging
from typing import Any

from flask import current_app, g
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .extensions import db

log = logging.getLogger("communitas")
RETRY_AFTER_SECONDS = 30


def _redis_errors() -> tuple[type[BaseException], ...]:
    try:
        from redis.exceptions import ConnectionError as RedisDown
        from redis.exceptions import TimeoutError as RedisSlow
    except ImportError:  # Redis is optional
        return ()
    return (RedisDown, RedisSlow)


#: Failures of a service the tool depends on, as opposed to bugs in the tool.
OUTAGES: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    PoolTimeout,
    *_redis_errors(),
)


def _forget_transaction() -> None:
    """Drop whatever the request wrote: nothing half-done is committed later."""
    try:
        db.session.rollback()
    except SQLAlchemyError:
        db.session.invalidate()


def render_without_database(template: str) -> str:
    """Render a page with only what is already known about the viewer."""
    page = current_app.jinja_env.get_template(template)
    return page.render(viewer=g.get("viewer"), launch_token=g.get("launch_token"))


def briefly_unavailable(exc: BaseException) -> Any:
    """Answer 503 with a plain page and a hint to retry, and log the cause once."""
    first_line = (str(exc).splitlines() or [""])[0]
    log.error("service unavailable: %s: %s", type(exc).__name__, first_line)
    _forget_transaction()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    return render_without_database("errors/503.html"), 503, headers
