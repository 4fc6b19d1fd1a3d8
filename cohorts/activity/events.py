"""Record what a learner did: one event row and their week's counters, in the same transaction."""

from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Dialect, bindparam, insert, select
from sqlalchemy.orm import Session

from cohorts.activity.rules import SIGNAL_OF_KIND, SIGNALS, day_of, week_of
from cohorts.activity.summary import rebuild_summary
from cohorts.activity.write_pg import WRITE_EVENT
from cohorts.db import upsert_id
from cohorts.models import ACTIVITY_KINDS, ActivityEvent, ActivityWeek, Cohort, Membership


def _event(cohort: object) -> Any:
    """One event row; built once per shape, since building costs more than running it."""
    return insert(ActivityEvent).values(
        course_id=bindparam("course_id"),
        person_id=bindparam("person_id"),
        cohort_id=cohort,
        kind=bindparam("kind"),
        occurred_at=bindparam("occurred_at"),
        day=bindparam("day"),
    )


#: The person's published cohort, as a subquery so the event stays one INSERT.
_IN_COHORT = _event(
    select(Membership.cohort_id)
    .join(Cohort, Cohort.id == Membership.cohort_id)
    .where(
        Membership.course_id == bindparam("course_id"),
        Membership.person_id == bindparam("person_id"),
        Cohort.status == "published",
    )
    .scalar_subquery()
)
_IN_GIVEN_COHORT = _event(bindparam("cohort_id"))


@lru_cache(maxsize=4)
def _driver_sql(dialect: Dialect) -> str:
    """The event statement in the driver's own form, compiled once per dialect: an event is
    written on most page views, and SQLAlchemy's per-call handling of the text cost about a
    third of the write."""
    return str(WRITE_EVENT.compile(dialect=dialect))


def record_activity(
    session: Session,
    course_id: int,
    person_id: int,
    kind: str,
    now: datetime,
    cohort_id: int | None = None,
) -> None:
    """Append one event, add it to the person's week and bring their summary up to date; the
    caller commits, so all three change together."""
    if kind not in ACTIVITY_KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    day = day_of(now)
    signal = SIGNAL_OF_KIND.get(kind)
    params = {"course_id": course_id, "person_id": person_id, "kind": kind}
    params.update(occurred_at=now, day=day)
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        params.update(cohort_id=cohort_id, occurred_at=now.astimezone(UTC), week=week_of(day))
        params.update({s: int(s == signal) for s in SIGNALS})
        moved = connection.exec_driver_sql(_driver_sql(connection.dialect), params).first()
        if moved is None:  # a first event, or one arriving before the learner's last week
            rebuild_summary(session, course_id, person_id)
        return
    if cohort_id is None:
        session.execute(_IN_COHORT, params)
    else:
        session.execute(_IN_GIVEN_COHORT, {**params, "cohort_id": cohort_id})
    upsert_id(
        session,
        ActivityWeek,
        {"course_id": course_id, "person_id": person_id, "week": week_of(day)},
        {},
        add={"events": 1, **{s: int(s == signal) for s in SIGNALS}},
        widest={"last_day": day},
    )
    rebuild_summary(session, course_id, person_id)
