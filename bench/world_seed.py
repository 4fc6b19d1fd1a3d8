"""Seed a whole big course in bulk with COPY: cohorts, gifts, exchanges, posts, reports, events.

bench/dashboard.py --pages calls ``seed_world`` after ``seed`` made the people and their picks.
Everything is written with PostgreSQL's COPY (a million events in seconds), then the weekly
rollup is filled the way ``record_activity`` keeps it.
"""

import random
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from persistence_seed import build_rollup
from sqlalchemy import select, text

from cohorts.activity.rules import day_of
from cohorts.exchange import tally
from cohorts.models import ACTIVITY_KINDS, Challenge, Enrolment
from lti_app.extensions import db

KINDS = ("feedback", "explanation", "resource", "encouragement", "practice", "other")
TAGS = ("statistics", "python", "writing", "reading", "spreadsheets", "charts", "sql", "ethics")
EXCHANGE_STATES = ("claimed", "given", "received", "thanked", "thanked", "withdrawn")
WEEKS = 12


def copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    """Write rows with COPY on the session's own connection (same transaction)."""
    raw = db.session.connection().connection.driver_connection
    with (
        raw.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out,
    ):
        for row in rows:
            out.write_row(row)


def _ids(sql: str, **params: object) -> list[int]:
    return list(db.session.scalars(text(sql), params))


def seed_world(
    course_id: int,
    *,
    cohorts: int,
    gifts: int,
    events: int,
    now: datetime,
    rng: random.Random,
) -> dict[int, int]:
    """Seed published cohorts, members, gifts, exchanges, posts, reports, notices and events.

    Returns person id -> cohort id for the placed learners (nine in ten).
    """
    learners = list(
        db.session.scalars(
            select(Enrolment.person_id)
            .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
            .order_by(Enrolment.person_id)
        )
    )
    challenges = list(
        db.session.scalars(
            select(Challenge.id).where(Challenge.course_id == course_id).order_by(Challenge.id)
        )
    )
    weights = [1 / (rank + 1) for rank in range(len(challenges))]
    start = now - timedelta(weeks=WEEKS)
    copy(
        "cohort",
        (
            "course_id",
            "challenge_id",
            "name",
            "status",
            "locked",
            "merge_dismissed",
            "created_at",
            "published_at",
        ),
        (
            (
                course_id,
                rng.choices(challenges, weights)[0],
                f"Cohort {c:04d}",
                "published",
                False,
                False,
                start,
                start,
            )
            for c in range(cohorts)
        ),
    )
    cohort_ids = _ids("SELECT id FROM cohort WHERE course_id = :c ORDER BY id", c=course_id)
    placed = learners[: len(learners) * 9 // 10]
    cohort_of = {pid: cohort_ids[i % cohorts] for i, pid in enumerate(placed)}
    # One cohort in forty keeps only two members: it shrank in members.
    shrunk = set(cohort_ids[::40])
    seen: dict[int, int] = {}
    for pid in placed:
        cid = cohort_of[pid]
        seen[cid] = seen.get(cid, 0) + 1
        if cid in shrunk and seen[cid] > 2:
            del cohort_of[pid]
    copy(
        "membership",
        ("cohort_id", "course_id", "person_id", "joined_at"),
        ((cid, course_id, pid, start + timedelta(days=3)) for pid, cid in cohort_of.items()),
    )
    members: dict[int, list[int]] = {}
    for pid, cid in cohort_of.items():
        members.setdefault(cid, []).append(pid)
    db.session.execute(
        text(
            "INSERT INTO exchange_settings (course_id, course_wide, weekly_cap, "
            "report_threshold, post_limit, post_window_minutes) VALUES (:c, true, 10, 2, 20, 10)"
        ),
        {"c": course_id},
    )
    _seed_gifts(course_id, cohort_of, members, gifts, start, now, rng)
    _seed_posts(course_id, cohort_of, members, gifts // 2, start, now, rng)
    _seed_reports(course_id, now, rng)
    _seed_events(course_id, learners, cohort_of, events, start, now, rng)
    build_rollup(course_id)
    return cohort_of


def _moment(start: datetime, now: datetime, rng: random.Random) -> datetime:
    return min(start + timedelta(seconds=rng.randint(0, WEEKS * 7 * 86400)), now)


def _seed_gifts(
    course_id: int,
    cohort_of: dict[int, int],
    members: dict[int, list[int]],
    total: int,
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    authors = list(cohort_of)
    gifts, plans = [], []
    for g in range(total):
        author = rng.choice(authors)
        cid = cohort_of[author]
        offer = rng.random() < 0.7
        at = _moment(start, now, rng)
        mates = [p for p in members[cid] if p != author]
        helper = rng.choice(mates) if mates and rng.random() < 0.5 else None
        state = rng.choice(EXCHANGE_STATES) if helper else None
        taken = 1 if state and state != "withdrawn" else 0
        gifts.append(
            (
                course_id,
                cid,
                author,
                "offer" if offer else "ask",
                rng.choice(KINDS),
                f"Gift {g}",
                "",
                ",".join(rng.sample(TAGS, 2)),
                rng.randint(1, 3) if offer else 1,
                taken,
                None,
                not offer and rng.random() < 0.2,
                "course" if rng.random() < 0.1 else "cohort",
                "withdrawn" if rng.random() < 0.05 else "open",
                f"{at.isocalendar().year}-W{at.isocalendar().week:02d}",
                at,
                at,
            )
        )
        plans.append((author, offer, helper, state, at))
    copy(
        "gift",
        (
            "course_id",
            "cohort_id",
            "author_id",
            "direction",
            "kind",
            "title",
            "body",
            "tags",
            "capacity",
            "taken",
            "ends_at",
            "anonymous",
            "scope",
            "status",
            "iso_week",
            "created_at",
            "updated_at",
        ),
        gifts,
    )
    gift_ids = _ids("SELECT id FROM gift WHERE course_id = :c ORDER BY id", c=course_id)
    exchanges, notices = [], []
    for gift_id, (author, offer, helper, state, at) in zip(gift_ids, plans, strict=True):
        if helper is None:
            continue
        giver, receiver = (author, helper) if offer else (helper, author)
        claimed = at + timedelta(hours=rng.randint(1, 72))
        done = claimed + timedelta(days=1) if state in ("given", "received", "thanked") else None
        exchanges.append(
            (
                gift_id,
                course_id,
                1,
                giver,
                receiver,
                helper,
                state,
                claimed,
                done,
                done if state in ("received", "thanked") else None,
                "Thank you!" if state == "thanked" else None,
                rng.randint(3, 5) if state == "thanked" else None,
            )
        )
        notices.append(
            (
                course_id,
                author,
                "claimed",
                gift_id,
                "Someone took up your gift.",
                claimed,
                claimed if rng.random() < 0.7 else None,
            )
        )
    copy(
        "exchange",
        (
            "gift_id",
            "course_id",
            "seat",
            "giver_id",
            "receiver_id",
            "claimed_by_id",
            "status",
            "claimed_at",
            "given_at",
            "received_at",
            "thanks_note",
            "helpfulness",
        ),
        exchanges,
    )
    copy(
        "notification",
        ("course_id", "person_id", "kind", "gift_id", "text", "created_at", "read_at"),
        notices,
    )
    tally.rebuild(db.session, course_id)


def _seed_posts(
    course_id: int,
    cohort_of: dict[int, int],
    members: dict[int, list[int]],
    total: int,
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    authors = list(cohort_of)
    copy(
        "post",
        ("cohort_id", "author_id", "parent_id", "body", "created_at"),
        (
            (cohort_of[a], a, None, "Hello! Shall we meet on Thursday?", _moment(start, now, rng))
            for a in (rng.choice(authors) for _ in range(total))
        ),
    )


def _seed_reports(course_id: int, now: datetime, rng: random.Random) -> None:
    """Two hundred reported gifts: most still waiting for staff, some decided."""
    rows = db.session.execute(
        text(
            "SELECT g.id, g.author_id, e.receiver_id FROM gift g JOIN exchange e "
            "ON e.gift_id = g.id WHERE g.course_id = :c AND e.receiver_id <> g.author_id "
            "ORDER BY g.id LIMIT 200"
        ),
        {"c": course_id},
    ).all()
    copy(
        "report",
        (
            "course_id",
            "target_type",
            "target_id",
            "reporter_id",
            "author_id",
            "category",
            "reason",
            "counted_day",
            "created_at",
        ),
        ((course_id, "gift", g, r, a, "other", "Not helpful", None, now) for g, a, r in rows),
    )
    states = ("open", "hidden", "hidden", "restored", "removed")
    copy(
        "moderation_case",
        ("course_id", "target_type", "target_id", "state", "author_id", "updated_at"),
        ((course_id, "gift", g, rng.choice(states), a, now) for g, a, _ in rows),
    )


def _seed_events(
    course_id: int,
    learners: list[int],
    cohort_of: dict[int, int],
    total: int,
    start: datetime,
    now: datetime,
    rng: random.Random,
) -> None:
    """Events over twelve weeks, learners fading at different weeks, a few never coming."""
    kinds = list(ACTIVITY_KINDS)
    weights = [8 if k in ("launch", "cohort_view") else 1 for k in kinds]
    stops = {pid: rng.choice((2, 4, 8, 13, 13, 13)) for pid in learners}
    starts = {pid: rng.randint(0, 3) for pid in learners}
    active = learners[: len(learners) * 49 // 50]  # one in fifty never launched

    def rows() -> Iterable[tuple[object, ...]]:
        for _ in range(total):
            pid = rng.choice(active)
            week = rng.randint(starts[pid], max(starts[pid], min(stops[pid], WEEKS) - 1))
            moment = min(start + timedelta(weeks=week, seconds=rng.randint(0, 604_799)), now)
            kind = rng.choices(kinds, weights)[0]
            yield (course_id, pid, cohort_of.get(pid), kind, moment, day_of(moment))

    copy(
        "activity_event",
        ("course_id", "person_id", "cohort_id", "kind", "occurred_at", "day"),
        rows(),
    )
