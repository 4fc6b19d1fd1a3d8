"""Seed persistence history in bulk for bench/dashboard.py: cohorts, members and events."""

import random
from datetime import datetime, timedelta

from sqlalchemy import case, func, insert, select

from cohorts.activity.rules import SIGNAL_OF_KIND, SIGNALS, day_of
from cohorts.activity.summary import COLUMNS as SUMMARY_COLUMNS
from cohorts.activity.summary import summary_select
from cohorts.models import (
    ACTIVITY_KINDS,
    ActivityEvent,
    ActivityLearner,
    ActivityWeek,
    Challenge,
    Cohort,
    Membership,
)
from lti_app.extensions import db

BATCH = 50_000


def seed_cohorts(course_id: int, learner_ids: list[int], cohorts: int, now: datetime) -> None:
    """Publish ``cohorts`` cohorts and place learners round-robin, leaving a tenth outside."""
    conn = db.session.connection()
    challenge = conn.execute(
        select(Challenge.id).where(Challenge.course_id == course_id).limit(1)
    ).scalar_one()
    rows = [
        {
            "course_id": course_id,
            "challenge_id": challenge,
            "name": f"Cohort {c}",
            "status": "published",
            "published_at": now,
        }
        for c in range(cohorts)
    ]
    ids = list(
        conn.execute(
            insert(Cohort).returning(Cohort.id, sort_by_parameter_order=True), rows
        ).scalars()
    )
    members = [
        {
            "cohort_id": ids[i % cohorts],
            "course_id": course_id,
            "person_id": pid,
            "joined_at": now - timedelta(weeks=11),
        }
        for i, pid in enumerate(learner_ids[: len(learner_ids) * 9 // 10])
    ]
    conn.execute(insert(Membership), members)


def seed_events(
    course_id: int, learner_ids: list[int], total: int, now: datetime, rng: random.Random
) -> None:
    """Insert ``total`` events over twelve weeks, learners fading at different weeks."""
    conn = db.session.connection()
    kinds = list(ACTIVITY_KINDS)
    weights = [8 if k in ("launch", "cohort_view") else 1 for k in kinds]
    start = now - timedelta(weeks=12)
    stops = {pid: rng.choice((2, 4, 8, 13, 13, 13)) for pid in learner_ids}
    starts = {pid: rng.randint(0, 3) for pid in learner_ids}
    batch = []
    for _ in range(total):
        pid = rng.choice(learner_ids)
        week = rng.randint(starts[pid], max(starts[pid], min(stops[pid], 12) - 1))
        moment = min(start + timedelta(weeks=week, seconds=rng.randint(0, 604_799)), now)
        batch.append(
            {
                "course_id": course_id,
                "person_id": pid,
                "cohort_id": None,
                "kind": rng.choices(kinds, weights)[0],
                "occurred_at": moment,
                "day": day_of(moment),
            }
        )
        if len(batch) == BATCH:
            conn.execute(insert(ActivityEvent), batch)
            batch = []
    if batch:
        conn.execute(insert(ActivityEvent), batch)


def build_rollup(course_id: int) -> None:
    """Fill the weekly rollup from the events, as record_activity keeps it on every write."""
    e = ActivityEvent
    week = ((e.day + 3) // 7).label("week")
    counts = {
        signal: func.sum(
            case((e.kind.in_([k for k, s in SIGNAL_OF_KIND.items() if s == signal]), 1), else_=0)
        )
        for signal in SIGNALS
    }
    query = (
        select(
            e.course_id,
            e.person_id,
            week,
            func.count(),
            *counts.values(),
            func.max(e.day),
        )
        .where(e.course_id == course_id)
        .group_by(e.course_id, e.person_id, week)
    )
    columns = ["course_id", "person_id", "week", "events", *SIGNALS, "last_day"]
    db.session.execute(insert(ActivityWeek).from_select(columns, query))
    # and each learner's one-row summary, which the staff pages read
    summaries = summary_select(ActivityWeek.course_id == course_id)
    db.session.execute(insert(ActivityLearner).from_select(SUMMARY_COLUMNS, summaries))
