"""Record what a learner did: one event row and their week's counters, in the same transaction."""

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from cohorts.activity.rules import SIGNAL_OF_KIND, SIGNALS, day_of, week_of
from cohorts.activity.summary import rebuild_summary
from cohorts.activity.write_pg import WRITE_EVENT
from cohorts.db import upsert_id
from cohorts.models import ACTIVITY_KINDS, ActivityEvent, ActivityWeek, Cohort, Membership


def _cohort_of(course_id: int, person_id: int) -> object:
    """The person's published cohort, as a subquery so the event stays one INSERT."""
    return (
        select(Membership.cohort_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(
            Membership.course_id == course_id,
            Membership.person_id == person_id,
            Cohort.status == "published",
        )
        .scalar_subquery()
    )


def record_activity(
    session: Session,
    course_id: int,
    person_id: int,
    kind: str,
    now: datetime,
    cohort_id: int | None = None,
) -> None:
    """Append one event, add it to the person's week and rebuild their summary; the caller
    commits, so all three change together."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    day = day_of(now)
    signal = SIGNAL_OF_KIND.get(kind)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(
            WRITE_EVENT,
            {
                "course_id": course_id,
                "person_id": person_id,
                "cohort_id": cohort_id,
                "kind": kind,
                "occurred_at": now.astimezone(UTC),
                "day": day,
                "week": week_of(day),
                **{s: int(s == signal) for s in SIGNALS},
            },
        )
        return
    session.execute(
        insert(ActivityEvent).values(
            course_id=course_id,
            person_id=person_id,
            cohort_id=cohort_id if cohort_id is not None else _cohort_of(course_id, person_id),
            kind=kind,
            occurred_at=now,
            day=day,
        )
    )
    upsert_id(
        session,
        ActivityWeek,
        {"course_id": course_id, "person_id": person_id, "week": week_of(day)},
        {},
        add={"events": 1, **{s: int(s == signal) for s in SIGNALS}},
        widest={"last_day": day},
    )
    rebuild_summary(session, course_id, person_id)
