"""Each learner's one-row summary, rebuilt from their weekly rows in one statement.

Rebuilding (rather than adding to) the summary keeps it right whatever order events arrive in;
it reads only that learner's few weekly rows through the rollup's unique index.
"""

from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, func, select, true
from sqlalchemy.orm import Session

from cohorts.db import conflict_insert
from cohorts.models import ActivityLearner, ActivityWeek

W = ActivityWeek
COLUMNS = (
    "course_id",
    "person_id",
    "first_week",
    "last_week",
    "last_day",
    "active_weeks",
    "run_weeks",
    "gifts",
    "cohort_actions",
    "early_events",
)


def summary_select(where: Any) -> Any:
    """Summarise the weekly rows ``where`` selects, one row per (course, learner)."""
    learner = (W.course_id, W.person_id)
    weeks = select(
        W.course_id,
        W.person_id,
        W.week,
        W.last_day,
        W.events,
        (W.gifts_given + W.gifts_received).label("gifts"),
        W.cohort_actions,
        # Weeks are distinct, so week - row_number is constant within a run of weeks and
        # largest for the last run: its value is last week - number of weeks.
        (W.week - func.row_number().over(partition_by=learner, order_by=W.week)).label("run"),
        (
            func.max(W.week).over(partition_by=learner) - func.count().over(partition_by=learner)
        ).label("last_run"),
        func.min(W.week).over(partition_by=learner).label("first"),
    ).where(where)
    weeks = weeks.subquery()
    return (
        select(
            weeks.c.course_id,
            weeks.c.person_id,
            func.min(weeks.c.week),
            func.max(weeks.c.week),
            func.max(weeks.c.last_day),
            func.count(),
            func.sum(case((weeks.c.run == weeks.c.last_run, 1), else_=0)),
            func.sum(weeks.c.gifts),
            func.sum(weeks.c.cohort_actions),
            func.sum(case((weeks.c.week < weeks.c.first + 2, weeks.c.events), else_=0)),
        )
        .where(true())  # SQLite reads INSERT .. SELECT .. ON CONFLICT only with a WHERE
        .group_by(weeks.c.course_id, weeks.c.person_id)
    )


@lru_cache(maxsize=4)
def _rebuild(dialect: str) -> Any:
    where = (W.course_id == bindparam("course_id")) & (W.person_id == bindparam("person_id"))
    statement = conflict_insert(dialect)(ActivityLearner).from_select(
        COLUMNS, summary_select(where)
    )
    return statement.on_conflict_do_update(
        index_elements=["course_id", "person_id"],
        set_={c: statement.excluded[c] for c in COLUMNS[2:]},
    )


def rebuild_summary(session: Session, course_id: int, person_id: int) -> None:
    """Rewrite one learner's summary from their weekly rows (the caller's transaction)."""
    connection = session.connection()
    connection.execute(
        _rebuild(connection.dialect.name), {"course_id": course_id, "person_id": person_id}
    )
