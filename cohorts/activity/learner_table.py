"""The staff learner table filtered, sorted and paged in SQL: only the rows shown are built."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cohorts.activity import alert_sql, measures, rules
from cohorts.activity.rules import Alert, LearnerFacts, SignalStats
from cohorts.activity.settings import Rules, course_rules

#: Learner table filters staff can choose, in words.
FILTERS = {
    "all": "All learners",
    "at_risk": "With an alert",
    "active": "Active this week",
    "no_cohort": "Not in a cohort",
}
#: The columns staff can sort by; ties go by name, then by who enrolled first.
SORTS = ("name", "cohort", "last_active", "active_weeks", "streak", "score")
#: Rows fetched from the database at a time when the whole table streams out.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class Measured:
    """One course's learners as a SQL selectable, with what turns a row into facts."""

    rows: Any
    offset: float
    today: int
    rules: Rules
    stats: dict[str, SignalStats]

    @property
    def current(self) -> int:
        return rules.week_of(self.today)


@dataclass(frozen=True, slots=True)
class Choice:
    """What staff asked of the table (unknown choices already replaced by the defaults)."""

    show: str = "all"
    query: str = ""
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Learner:
    """One row of the table: the learner's facts and the alerts open for them."""

    facts: LearnerFacts
    alerts: tuple[Alert, ...]


def measure(session: Session, course_id: int, now: datetime) -> Measured:
    """Read the course's rules and last week's spread: what every learner row depends on."""
    course = course_rules(session, course_id)
    today = rules.day_of(now)
    stats = measures.score_stats(session, course_id, rules.week_of(today) - 1)
    rows, offset = alert_sql.learner_rows(course_id, now, course, stats)
    return Measured(rows, offset, today, course, stats)


def _active(m: Measured) -> Any:
    return m.rows.c.this_week.is_(True)


def _where(m: Measured, choice: Choice) -> list[Any]:
    c = m.rows.c
    kept = {
        "at_risk": [c.flagged == 1],
        "active": [_active(m)],
        "no_cohort": [c.cohort_id.is_(None)],
    }.get(choice.show, [])
    needle = choice.query.strip().lower()
    if needle:
        kept.append(alert_sql.fold(c.display_name).contains(needle, autoescape=True))
    return kept


def _order(m: Measured, choice: Choice) -> list[Any]:
    c = m.rows.c
    name = alert_sql.fold(c.display_name)
    key = {
        "cohort": alert_sql.fold(func.coalesce(c.cohort_name, "~")),
        "last_active": func.coalesce(c.last_day, -1),
        "active_weeks": func.coalesce(c.active_weeks, 0),
        "streak": func.coalesce(c.streak, 0),
        "score": func.coalesce(c.score, 0.0),
    }.get(choice.sort, name)
    first = key.desc() if choice.descending else key.asc()
    if key is name:
        return [first, c.person_id]
    return [first, name, c.person_id]


def learner_of(m: Measured, row: Any) -> Learner:
    """Build one row's facts, and its alerts in words (those the SQL found open)."""
    facts = measures.facts_of(row, m.current, m.offset)
    kinds = alert_sql.open_kinds(row)
    said = rules.learner_alerts(facts, m.today, m.rules.inactive_days)
    return Learner(facts, tuple(a for a in said if a.kind in kinds))


def matching(session: Session, m: Measured, choice: Choice) -> int:
    """Count the learners the filter keeps."""
    query = select(func.count()).select_from(m.rows).where(*_where(m, choice))
    return session.scalar(query) or 0


def page(session: Session, m: Measured, choice: Choice, number: int, size: int) -> list[Learner]:
    """Return one page (from 1) of the filtered, sorted table."""
    query = (
        select(m.rows)
        .where(*_where(m, choice))
        .order_by(*_order(m, choice))
        .limit(size)
        .offset((number - 1) * size)
    )
    return [learner_of(m, row) for row in session.execute(query)]


def every(session: Session, m: Measured, choice: Choice) -> Iterator[Learner]:
    """Yield the whole filtered, sorted table, fetched from the database in chunks."""
    query = select(m.rows).where(*_where(m, choice)).order_by(*_order(m, choice))
    result = session.execute(query, execution_options={"yield_per": CHUNK})
    for row in result:
        yield learner_of(m, row)


def flagged_learners(session: Session, m: Measured, limit: int) -> list[Learner]:
    """Return the first learners with an open alert, by name."""
    return page(session, m, Choice(show="at_risk"), 1, limit)


@dataclass(frozen=True, slots=True)
class Counts:
    """The figures at the top of the Persistence page."""

    learners: int
    active: int
    in_cohort: int
    flagged: int


def counts(session: Session, m: Measured) -> Counts:
    """Count learners, those active this week, those in a cohort and those with an alert."""
    c = m.rows.c
    row = session.execute(
        select(
            func.count(),
            func.sum(case((_active(m), 1), else_=0)),
            func.count(c.cohort_id),
            func.coalesce(func.sum(c.flagged), 0),
        ).select_from(m.rows)
    ).one()
    return Counts(*(int(n or 0) for n in row))
