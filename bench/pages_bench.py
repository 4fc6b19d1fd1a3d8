"""Every staff and learner page of a big course on PostgreSQL, each next to its target.

Run through ``bench/dashboard.py --pages``. Times are server time measured in-process with
Flask's test client (no network, no browser); ``cpu`` is this process's CPU time per request
(PostgreSQL's own work is in the wall time only), so a loaded machine shows in the wall time
first.
"""

import os
import random
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import create_engine, event, or_, select, text
from world_seed import seed_world

from cohorts.activity.events import record_activity
from cohorts.models import Course, Enrolment, Exchange, Gift, Membership
from lti_app import create_app
from lti_app.extensions import db

LEARNERS, COHORTS, GIFTS = 10_000, 2_000, 100_000
STAFF_MS, LEARNER_MS, WRITE_MS = 300.0, 50.0, 1.0
STAFF_PAGES = [
    ("Overview", "/instructor/"),
    ("Challenges", "/instructor/challenges"),
    ("Cohorts", "/instructor/cohorts"),
    ("Exchange", "/instructor/exchange/"),
    ("Moderation", "/instructor/exchange/moderation"),
    ("Export", "/instructor/export"),
    ("Export: Canvas CSV", "/instructor/export/canvas.csv"),
    ("Persistence", "/instructor/persistence"),
    ("Persistence: with an alert", "/instructor/persistence?show=at_risk&sort=score&dir=desc"),
    ("Persistence: search", "/instructor/persistence?q=Learner+12"),
    ("Persistence: learners CSV", "/instructor/persistence/learners.csv"),
]
LEARNER_PAGES = [
    ("Home", "/learner/"),
    ("Challenges", "/learner/challenges"),
    ("Profile", "/learner/profile"),
    ("My cohort", "/learner/cohort"),
    ("Exchange", "/learner/exchange/"),
    ("Notices", "/learner/exchange/notices"),
    ("A gift", "/learner/exchange/gifts/{gift}"),
    ("A conversation thread", "/learner/exchange/exchanges/{exchange}"),
    ("My rhythm", "/learner/rhythm"),
    ("Privacy", "/learner/privacy"),
]


def _spread(times: list[float]) -> tuple[float, float]:
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    return statistics.median(times), p95


def _line(label: str, wall: list[float], cpu: list[float], queries: int, target: float) -> None:
    median, p95 = _spread(wall)
    verdict = "ok" if p95 < target else "OVER"
    print(
        f"  {label:<30} median {median:8.2f}  p95 {p95:8.2f}  cpu {statistics.median(cpu):7.2f}"
        f" ms  {queries:3d} SQL  target < {target:g} ms  {verdict}"
    )


def _time_page(client: Any, path: str, repeat: int, target: float, label: str) -> None:
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    assert client.get(path).status_code == 200, path  # warm caches once
    wall, cpu = [], []
    event.listen(db.engine, "before_cursor_execute", note)
    try:
        for _ in range(repeat):
            statements.clear()
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            body = response.get_data()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200 and body, (path, response.status_code)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    _line(label, wall, cpu, len(statements), target)


def _seeded_course() -> int | None:
    return db.session.scalar(select(Course.id).where(Course.context_id == f"big-{LEARNERS}"))


def run_pages(
    url: str,
    events: int,
    repeat: int,
    reuse: bool,
    seed: Callable[[int, random.Random], tuple[int, int, int]],
    as_viewer: Callable[[Any, int, int], Any],
) -> None:
    """Seed (unless ``reuse`` finds the course) and time every page against its target."""
    if not reuse:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SANDBOX": False, "SECRET_KEY": "bench"})
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        course_id = _seeded_course() if reuse else None
        if course_id is None:
            started = time.perf_counter()
            course_id, _, _ = seed(LEARNERS, random.Random(7))
            seed_world(
                course_id,
                cohorts=COHORTS,
                gifts=GIFTS,
                events=events,
                now=now,
                rng=random.Random(11),
            )
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
            print(f"  seeded in {time.perf_counter() - started:.0f} s")
        counts = db.session.execute(
            text(
                "SELECT (SELECT count(*) FROM enrolment WHERE course_id = :c AND role = 'learner'),"
                " (SELECT count(*) FROM cohort WHERE course_id = :c),"
                " (SELECT count(*) FROM gift WHERE course_id = :c),"
                " (SELECT count(*) FROM activity_event WHERE course_id = :c)"
            ),
            {"c": course_id},
        ).one()
        print(
            f"\n{counts[0]:,} learners, {counts[1]:,} cohorts, {counts[2]:,} gifts, "
            f"{counts[3]:,} activity events, PostgreSQL; {repeat} requests a page"
        )
        staff_id = db.session.scalar(
            select(Enrolment.person_id).where(
                Enrolment.course_id == course_id, Enrolment.role == "staff"
            )
        )
        learner_id, gift_id = db.session.execute(
            select(Membership.person_id, Gift.id)
            .join(Gift, Gift.author_id == Membership.person_id)
            .where(Membership.course_id == course_id)
            .order_by(Membership.person_id.desc())
            .limit(1)
        ).one()
        exchange_id = db.session.scalar(
            select(Exchange.id)
            .where(or_(Exchange.giver_id == learner_id, Exchange.receiver_id == learner_id))
            .order_by(Exchange.id.desc())
            .limit(1)
        )
        load = open("/proc/loadavg").read().split()[:3]
        print(f"  load average {load} on {os.cpu_count()} cores")
        staff = as_viewer(app, course_id, staff_id)
        print("staff pages")
        for label, path in STAFF_PAGES:
            _time_page(staff, path, repeat, STAFF_MS, label)
        learner = as_viewer(app, course_id, learner_id)
        print("learner pages")
        for label, path in LEARNER_PAGES:
            url = path.format(gift=gift_id, exchange=exchange_id)
            _time_page(learner, url, repeat * 2, LEARNER_MS, label)
        placed = select(Membership.person_id).where(Membership.course_id == course_id)
        ids = list(db.session.scalars(placed))
        rng, wall, cpu = random.Random(3), [], []
        for _ in range(1000):
            started, started_cpu = time.perf_counter(), time.process_time()
            record_activity(db.session, course_id, rng.choice(ids), "cohort_view", now)
            db.session.flush()
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        db.session.rollback()
        print("writes")
        _line("record_activity (one event)", wall, cpu, 0, WRITE_MS)
        print(f"  load average {open('/proc/loadavg').read().split()[:3]}")
        db.session.remove()
        db.engine.dispose()
