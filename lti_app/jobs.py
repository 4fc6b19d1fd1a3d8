"""Background work, never inside the page request: RQ on Redis, or a thread in the process.

``submit(func, *args)`` names a module-level function and plain JSON arguments. The job is
handed over only when the request's transaction commits (a rollback drops it), so a job
always sees the rows the request wrote. Three modes (``JOBS_MODE``):

- ``rq``: the default with ``REDIS_URL``; ``flask --app lti_app worker`` serves the queue and
  its scheduler runs the daily jobs;
- ``thread``: the default without Redis (``make run``): one daemon thread per process with a
  bounded queue, which also runs the daily jobs;
- ``inline``: tests; the job runs synchronously right after the commit.

A job opens its own database session (``job_session``) and commits its own work. A job that
must wait (a score to retry in a minute) never sleeps: it schedules a later job with
``submit_at`` and returns, so the worker serves other jobs meanwhile.
"""

import hashlib
import importlib
import json
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger("communitas.jobs")
QUEUE_NAME = "communitas"
#: Jobs waiting in the in-process queue; past this a job is refused (and logged).
THREAD_QUEUE_SIZE = 200
#: Jobs run once a day, at this UTC time: module:function with no arguments.
DAILY_AT = time(3, 0)
DAILY: tuple[str, ...] = (
    "lti_app.roster_jobs:sync_all_rosters",
    "lti_app.grades.publish:drain_course",
)
#: Jobs a new in-process runner starts with: catch-up work whose truth is in the database
#: (retries scheduled by a process that has since stopped).
AT_START: tuple[str, ...] = ("lti_app.grades.publish:drain_course",)
#: An RQ job may run this long before the worker stops it.
JOB_TIMEOUT_SECONDS = 15 * 60
_PENDING = "communitas_jobs"
_LATER = "communitas_jobs_later"


class JobRefused(RuntimeError):
    """The job cannot be queued: not a module-level function, arguments not JSON, queue full."""


Call = tuple[str, list[Any], dict[str, Any]]


def reference(func: Callable[..., Any]) -> str:
    """Name a module-level function as ``module:name``, which any process can import."""
    name = f"{func.__module__}:{func.__qualname__}"
    if "<" in func.__qualname__ or "." in func.__qualname__ or resolve(name) is not func:
        raise JobRefused(f"{func!r} is not a module-level function")
    return name


def resolve(name: str) -> Callable[..., Any]:
    """Import the function a reference names."""
    module, _, attribute = name.partition(":")
    return getattr(importlib.import_module(module), attribute)  # type: ignore[no-any-return]


def mode(app: Flask) -> str:
    """The configured mode, or the default: RQ with Redis, a thread without."""
    return app.config.get("JOBS_MODE") or ("rq" if app.config.get("REDIS_URL") else "thread")


def _call(func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Call:
    try:
        return json.loads(json.dumps([reference(func), list(args), kwargs]))  # type: ignore[no-any-return]
    except (TypeError, ValueError) as exc:
        raise JobRefused(f"job arguments must be plain JSON values: {exc}") from exc


def submit(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run ``func(*args, **kwargs)`` in the background once the current transaction commits."""
    call = _call(func, args, kwargs)
    session = db.session()
    pending: list[Call] = session.info.setdefault(_PENDING, [])
    if not session.info.get(_PENDING + "_hooked"):
        event.listen(session, "after_commit", _dispatch)
        event.listen(session, "after_rollback", lambda s: s.info.get(_PENDING, []).clear())
        session.info[_PENDING + "_hooked"] = True
    pending.append(call)
    if not session.in_transaction():  # nothing to wait for
        _dispatch(session)


def _dispatch(session: Session) -> None:
    calls = list(session.info.get(_PENDING, []))
    session.info.get(_PENDING, []).clear()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    for call in calls:
        hand_over(app, call)


def hand_over(app: Flask, call: Call) -> None:
    """Give one job to the configured runner."""
    chosen = mode(app)
    if chosen == "inline":
        run(*call, app=app)
    elif chosen == "rq":
        from redis.exceptions import RedisError

        try:
            rq_queue(app).enqueue(
                run, *call, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=3600, failure_ttl=86400
            )
        except RedisError as exc:  # Redis down: the job still runs, here
            log.warning("Redis unavailable (%s): job %s runs in this process", exc, call[0])
            thread_runner(app).put(call)
    else:
        thread_runner(app).put(call)


def submit_at(when: datetime, func: Callable[..., Any], *args: Any) -> None:
    """Run ``func(*args)`` in the background once ``when`` has come (at once if it has).

    Meant for catch-up jobs whose truth is in the database, such as sending the scores due:
    one scheduled twice may run twice or once, at the earlier time, and either is harmless.
    Call it after committing (from a job): it does not wait for a transaction.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    call = _call(func, args, {})
    chosen = mode(app)
    if chosen == "inline":  # tests run it with run_due, on their own clock
        _schedule(app).add(when, call)
        return
    if chosen == "rq":
        from redis.exceptions import RedisError

        try:
            rq_queue(app).enqueue_at(
                when, run, *call, job_id=_later_id(when, call), job_timeout=JOB_TIMEOUT_SECONDS
            )
            return
        except RedisError as exc:
            log.warning("Redis unavailable (%s): job %s waits in this process", exc, call[0])
    thread_runner(app).later(when, call)


def _later_id(when: datetime, call: Call) -> str:
    """One RQ id per job and second, so workers scheduling the same retry make one job."""
    digest = hashlib.sha1(json.dumps(call, sort_keys=True).encode()).hexdigest()[:16]
    return f"communitas-later-{digest}-{when.astimezone(UTC):%Y%m%d%H%M%S}"


def run_due(app: Flask, now: datetime) -> int:
    """Inline mode: run the jobs scheduled for ``now`` or before; return how many ran."""
    calls = _schedule(app).pop_due(now)
    for call in calls:
        run(*call, app=app)
    return len(calls)


def scheduled(app: Flask) -> list[tuple[datetime, Call]]:
    """Inline mode: the jobs waiting for their time, earliest first."""
    return _schedule(app).entries()  # type: ignore[no-any-return]


def run(name: str, args: list[Any], kwargs: dict[str, Any], app: Flask | None = None) -> None:
    """Run one job inside an app context; its failure is logged, never raised to a request."""
    app = app or worker_app()
    with app.app_context():
        try:
            resolve(name)(*args, **kwargs)
        except Exception:
            log.exception("job %s failed", name)
            if mode(app) == "rq":
                raise  # RQ keeps the failed job for inspection
        finally:
            db.session.remove()


@contextmanager
def job_session() -> Iterator[Session]:
    """A session of the job's own, apart from any request's; the job commits it."""
    with Session(db.engine, expire_on_commit=False) as session:
        yield session


# -- RQ --------------------------------------------------------------------------------------
_worker_app: Flask | None = None


def worker_app() -> Flask:
    """The app jobs run in: the one `flask worker` started with, or a new one (`rq worker`)."""
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def rq_queue(app: Flask) -> Any:
    """The RQ queue on the app's Redis, with JSON arguments only."""
    from redis import Redis
    from rq import Queue
    from rq.serializers import JSONSerializer

    connection = Redis.from_url(app.config["REDIS_URL"])
    return Queue(QUEUE_NAME, connection=connection, serializer=JSONSerializer)


def next_daily(now: datetime) -> datetime:
    """The next daily run after ``now``."""
    today = datetime.combine(now.date(), DAILY_AT, tzinfo=UTC)
    return today if today > now else today + timedelta(days=1)


def daily() -> None:
    """Run the daily jobs; under RQ, also schedule tomorrow's run."""
    for name in DAILY:
        resolve(name)()
    if mode(current_app) == "rq":
        schedule_daily(current_app)


def schedule_daily(app: Flask, now: datetime | None = None) -> None:
    """Schedule the next daily run; its id names the day, so workers never double it."""
    when = next_daily(now or datetime.now(UTC))
    rq_queue(app).enqueue_at(
        when,
        run,
        "lti_app.jobs:daily",
        [],
        {},
        job_id=f"communitas-daily-{when:%Y-%m-%d}",
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=86400,
    )


def work(app: Flask, burst: bool = False) -> None:
    """Serve the RQ queue (and its scheduler) in this process until stopped."""
    global _worker_app
    from rq import SimpleWorker
    from rq.serializers import JSONSerializer

    _worker_app = app
    q = rq_queue(app)
    if not burst:
        schedule_daily(app)
    # SimpleWorker runs jobs in this process: no fork, so no database connection is shared.
    worker = SimpleWorker([q], connection=q.connection, serializer=JSONSerializer)
    worker.work(burst=burst, with_scheduler=not burst)


def thread_runner(app: Flask) -> Any:
    """The app's in-process runner thread, started on first use."""
    from .job_thread import runner_of

    return runner_of(app)


def _schedule(app: Flask) -> Any:
    from .job_thread import Schedule

    return app.extensions.setdefault(_LATER, Schedule())
