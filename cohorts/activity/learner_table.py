"""The staff learner table filtered, sorted and paged in SQL: only the rows shown are built."""

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select, true, union_all
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
        kept.append(c.name_key.contains(needle, autoescape=True))
    return kept


def _keys(m: Measured, choice: Choice) -> list[tuple[Any, bool]]:
    """The table's sort keys, each with whether it sorts descending."""
    c = m.rows.c
    name = c.name_key
    key = {
        "cohort": alert_sql.fold(func.coalesce(c.cohort_name, "~")),
        "last_active": func.coalesce(c.last_day, -1),
        "active_weeks": func.coalesce(c.active_weeks, 0),
        "streak": func.coalesce(c.streak, 0),
        "score": func.coalesce(c.score, 0.0),
    }.get(choice.sort, name)
    if key is name:
        return [(key, choice.descending), (c.person_id, False)]
    return [(key, choice.descending), (name, False), (c.person_id, False)]


def _sorted(keys: list[tuple[Any, bool]]) -> list[Any]:
    return [key.desc() if descending else key.asc() for key, descending in keys]


def _order(m: Measured, choice: Choice) -> list[Any]:
    return _sorted(_keys(m, choice))


def learner_of(m: Measured, row: Any) -> Learner:
    """Build one row's facts, and its alerts in words (those the SQL found open)."""
    facts = measures.facts_of(row, m.current, m.offset)
    kinds = alert_sql.open_kinds(row)
    if not kinds:  # most learners: no words to build
        return Learner(facts, ())
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


#: What a CSV row is made of: fetching no other column keeps 10,000 rows cheap.
_CSV_COLUMNS = (
    *("display_name", "cohort_name", "last_day", "active_weeks", "streak", "score", "flagged"),
    *(f"open_{kind}" for kind in alert_sql.LEARNER_KINDS),
    *("joined_at", "first_week", "early", "recent"),
)
#: Rows fetched at a time when the CSV streams out: few round trips, bounded memory.
CSV_CHUNK = 2000


def _reasons(m: Measured, row: Any) -> str:
    """The open alerts' words of one flagged row, as ``rules.learner_alerts`` says them,
    from the SQL columns (no facts built; the words are cached, a course shares most)."""
    found = []
    if row.open_never_launched:
        found.append(rules.NEVER_LAUNCHED)
    if row.open_inactive:
        found.append(rules.inactive_reason(m.today - row.last_day, m.rules.inactive_days))
    if row.open_lonely:
        found.append(rules.lonely_reason(m.today - rules.day_of(row.joined_at)))
    if row.open_falling:
        early, recent = measures.rates_of(row.first_week, row.early, row.recent, m.current)
        found.append(rules.falling_reason(recent, early))
    return "; ".join(found)


def csv_rows(session: Session, m: Measured, choice: Choice) -> Iterator[tuple[Any, ...]]:
    """Yield the whole filtered, sorted table as the CSV has it: name, cohort, last active
    day, active weeks, streak, score and the open alerts' reasons.

    Every row is read straight from the SQL columns, unpacked by position (10,000 rows make
    per-row lookups by name count); only flagged rows get their alerts' words.
    """
    query = (
        select(*(m.rows.c[name] for name in _CSV_COLUMNS))
        .where(*_where(m, choice))
        .order_by(*_order(m, choice))
    )
    offset, day_text = m.offset, rules.day_text
    result = session.connection().execute(query, execution_options={"yield_per": CSV_CHUNK})
    for row in itertools.chain.from_iterable(result.partitions()):
        name, cohort, last, weeks, streak, score, flagged = row[:7]
        yield (
            name,
            cohort or "",
            "" if last is None else day_text(last),
            weeks or 0,
            streak or 0,
            round((score or 0.0) + offset, 2),
            _reasons(m, row) if flagged else "",
        )


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


@dataclass(frozen=True, slots=True)
class Sheet:
    """What one Persistence page shows of its learners, measured by one SQL statement."""

    counts: Counts
    #: How many learners the table's filter keeps.
    matching: int
    #: The first learners with an open alert, by name.
    flagged: list[Learner]
    #: The page of the filtered, sorted table asked for.
    page: list[Learner]


def _picked(m: Measured, part: int, choice: Choice, number: int, size: int) -> Any:
    """One page of the table as rows tagged ``part``, numbered in the table's order.

    The rows are numbered after the limit, over the page alone: a window over the whole
    table would make the database sort every learner rather than keep the first few."""
    keys = _keys(m, choice)
    page = (
        select(m.rows, *(key.label(f"sort_{i}") for i, (key, _) in enumerate(keys)))
        .where(*_where(m, choice))
        .order_by(*_sorted(keys))
        .limit(size)
        .offset((number - 1) * size)
        .subquery()
    )
    again = [(page.c[f"sort_{i}"], descending) for i, (_, descending) in enumerate(keys)]
    return select(
        literal(part).label("part"),
        func.row_number().over(order_by=_sorted(again)).label("position"),
        *(page.c[name] for name in m.rows.c.keys()),
    ).subquery()


def sheet(
    session: Session, m: Measured, choice: Choice, number: int, size: int, flagged: int
) -> Sheet:
    """Count the learners, and list the first ``flagged`` with an alert and one page of the
    table, in one statement: the learner rows (every join and the weekly scores) are
    measured once, where separate counts and pages would measure them three or four times."""
    c = m.rows.c
    kept = _where(m, choice)
    totals = select(
        func.count().label("n_learners"),
        func.coalesce(func.sum(case((_active(m), 1), else_=0)), 0).label("n_active"),
        func.count(c.cohort_id).label("n_in_cohort"),
        func.coalesce(func.sum(c.flagged), 0).label("n_flagged"),
        func.coalesce(func.sum(case((and_(true(), *kept), 1), else_=0)), 0).label("n_matching"),
    ).subquery()
    parts = [_picked(m, 0, Choice(show="at_risk"), 1, flagged), _picked(m, 1, choice, number, size)]
    picked = union_all(*(select(p) for p in parts)).subquery()
    rows = session.execute(
        select(totals, picked)
        .select_from(totals.outerjoin(picked, true()))
        .order_by(picked.c.part, picked.c.position)
    ).all()
    first = rows[0]
    out: tuple[list[Learner], list[Learner]] = ([], [])
    for row in rows:
        if row.part is not None:
            out[row.part].append(learner_of(m, row))
    figures = Counts(
        int(first.n_learners), int(first.n_active), int(first.n_in_cohort), int(first.n_flagged)
    )
    return Sheet(figures, int(first.n_matching), *out)
