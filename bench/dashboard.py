"""Cohort formation and the staff dashboards on a large course, on PostgreSQL.

Seeds one course with N learners (ranked picks over 30 challenges, profiles for most), then
times what an instructor does: form a draft, open the cohorts page, publish, open the
overview and the export, and what a learner does: open "My cohort".

    python bench/dashboard.py                   # 1,000 and 5,000 learners
    python bench/dashboard.py --sizes 20000

With ``--persistence`` it seeds 10,000 learners, 2,000 published cohorts and 1,000,000
activity events in the database at ``--url`` (its schema is rebuilt), then times the staff
Persistence page, a learner's My rhythm page and single event writes (median and p95).

    python bench/dashboard.py --persistence --url postgresql+psycopg://postgres@host/db
"""

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask_migrate import upgrade
from launch import scratch_database
from persistence_seed import build_rollup, seed_cohorts, seed_events
from sqlalchemy import create_engine, insert, select, text

from cohorts.activity.events import record_activity
from cohorts.formation import drafts
from cohorts.models import Challenge, Choice, Course, Enrolment, Person, Profile
from lti_app import create_app
from lti_app.extensions import db

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY_PARTS = ["mon-evening", "tue-evening", "wed-evening", "thu-morning", "sat-afternoon"]
TAGS = ["statistics", "python", "writing", "reading", "spreadsheets", "charts", "sql", "ethics"]


ZONES = ("America/Bogota", "UTC", "Europe/Lisbon", "Asia/Kolkata")


def seed(n: int, rng: random.Random) -> tuple[int, int, int]:
    """Bulk-insert a course with ``n`` learners and one instructor; return their ids."""
    conn = db.session.connection()
    course_id = conn.execute(
        insert(Course)
        .values(
            issuer="https://lms.example",
            client_id="bench",
            deployment_id="d",
            context_id=f"big-{n}",
            title=f"Big course ({n:,} learners)",
        )
        .returning(Course.id)
    ).scalar_one()
    people = [
        {
            "issuer": "https://lms.example",
            "client_id": "bench",
            "sub": f"{n}-{i}",
            "name": f"Learner {i}",
        }
        for i in range(n + 1)
    ]
    person_ids = list(
        conn.execute(
            insert(Person).returning(Person.id, sort_by_parameter_order=True), people
        ).scalars()
    )
    conn.execute(
        insert(Enrolment),
        [
            {
                "course_id": course_id,
                "person_id": pid,
                "role": "staff" if i == 0 else "learner",
                "last_launch_at": NOW,
            }
            for i, pid in enumerate(person_ids)
        ],
    )
    challenge_ids = list(
        conn.execute(
            insert(Challenge).returning(Challenge.id, sort_by_parameter_order=True),
            [
                {
                    "course_id": course_id,
                    "title": f"Challenge {c}",
                    "description": "",
                    "kind": "challenge",
                    "status": "active",
                }
                for c in range(30)
            ],
        ).scalars()
    )
    weights = [1 / (rank + 1) for rank in range(len(challenge_ids))]
    choices, profiles = [], []
    for pid in person_ids[1:]:
        picked: list[int] = []
        while len(picked) < rng.choice((1, 2, 3)):
            c = rng.choices(challenge_ids, weights)[0]
            if c not in picked:
                picked.append(c)
        choices += [
            {"course_id": course_id, "person_id": pid, "challenge_id": c, "rank": r + 1}
            for r, c in enumerate(picked)
        ]
        if rng.random() < 0.7:
            profiles.append(
                {
                    "course_id": course_id,
                    "person_id": pid,
                    "time_zone": rng.choice(
                        ("America/Bogota", "UTC", "Europe/Lisbon", "Asia/Kolkata")
                    ),
                    "availability": ",".join(rng.sample(DAY_PARTS, 2)),
                    "offers": ",".join(rng.sample(TAGS, 2)),
                    "needs": ",".join(rng.sample(TAGS, 1)),
                }
            )
    conn.execute(insert(Choice), choices)
    conn.execute(insert(Profile), profiles)
    db.session.commit()
    return course_id, person_ids[0], person_ids[-1]


def timed(label: str, action: Callable[[], Any], repeat: int = 1) -> Any:
    started = time.perf_counter()
    for _ in range(repeat):
        result = action()
    ms = (time.perf_counter() - started) / repeat * 1000
    print(f"  {label:<38} {ms:9.1f} ms")
    return result


def page(client: Any, path: str) -> Callable[[], None]:
    def get() -> None:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return get


def as_viewer(app: Any, course_id: int, person_id: int) -> Any:
    """A browser bound to a launch, as /lti/launch leaves it (the launch itself is in launch.py)."""
    enrolment = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == course_id, Enrolment.person_id == person_id
        )
    )
    client = app.test_client()
    role = db.session.scalar(select(Enrolment.role).where(Enrolment.id == enrolment))
    with client.session_transaction() as session:
        session["launch"] = {"enrolment_id": enrolment, "role": role, "issued_at": int(time.time())}
    return client


def spread(label: str, action: Callable[[], Any], repeat: int) -> None:
    """Print the median and 95th percentile of ``repeat`` timed runs."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 20 else max(times)
    print(f"  {label:<38} median {statistics.median(times):8.2f} ms   p95 {p95:8.2f} ms")


def run(database_url: str, sizes: list[int]) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SANDBOX": False,
            "SECRET_KEY": "bench",
            "REDIS_URL": None,
        }
    )
    with app.app_context():
        upgrade()
        for n in sizes:
            print(f"\n{n:,} learners, 30 challenges, PostgreSQL")
            course_id, staff_id, learner_id = timed(
                "seed (bulk insert)", lambda n=n: seed(n, random.Random(n))
            )
            staff = as_viewer(app, course_id, staff_id)

            def form(course_id: int = course_id) -> None:
                drafts.form_draft(db.session, course_id, NOW)
                db.session.commit()

            timed("form draft cohorts (load, form, insert)", form)
            timed("GET /instructor/cohorts (draft)", page(staff, "/instructor/cohorts"), 3)
            timed(
                "publish",
                lambda c=course_id: (
                    drafts.publish_drafts(db.session, c, NOW),
                    db.session.commit(),
                ),
            )
            timed("GET /instructor/ (overview)", page(staff, "/instructor/"), 3)
            timed("GET /instructor/cohorts (published)", page(staff, "/instructor/cohorts"), 3)
            timed("GET /instructor/export/canvas.csv", page(staff, "/instructor/export/canvas.csv"))
            learner = as_viewer(app, course_id, learner_id)
            timed("GET /learner/cohort", page(learner, "/learner/cohort"), 5)
        db.session.remove()
        db.engine.dispose()


def run_persistence(database_url: str, learners: int, cohorts: int, events: int) -> None:
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": database_url, "SANDBOX": False, "SECRET_KEY": "bench"}
    )
    now = datetime.now(UTC)
    with app.app_context():
        upgrade()
        print(f"\n{learners:,} learners, {cohorts:,} cohorts, {events:,} events, PostgreSQL")
        course_id, staff_id, learner_id = timed(
            "seed people and picks", lambda: seed(learners, random.Random(7))
        )
        ids = list(
            db.session.scalars(
                select(Enrolment.person_id).where(
                    Enrolment.course_id == course_id, Enrolment.role == "learner"
                )
            )
        )
        timed("seed cohorts and members", lambda: seed_cohorts(course_id, ids, cohorts, now))
        rng = random.Random(11)
        timed("seed events", lambda: seed_events(course_id, ids, events, now, rng))
        timed("build weekly rollup", lambda: build_rollup(course_id))
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
        print(f"  load average before timing: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        staff = as_viewer(app, course_id, staff_id)
        learner = as_viewer(app, course_id, learner_id)
        page(staff, "/instructor/persistence")()  # warm caches once
        spread("GET /instructor/persistence", page(staff, "/instructor/persistence"), 20)
        spread("GET /learner/rhythm", page(learner, "/learner/rhythm"), 50)

        def write() -> None:
            record_activity(db.session, course_id, rng.choice(ids), "cohort_view", now)
            db.session.flush()

        spread("record_activity (event + rollup)", write, 1000)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--database", default="communitas_dashboard")
    parser.add_argument("--persistence", action="store_true")
    parser.add_argument("--url", help="an existing PostgreSQL database for --persistence")
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.persistence:
        if not args.url:
            parser.error("--persistence needs --url (its schema is dropped and rebuilt)")
        run_persistence(args.url, 10_000, 2_000, args.events)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with scratch_database(args.database) as url:
        run(url, sizes)


if __name__ == "__main__":
    sys.exit(main())
