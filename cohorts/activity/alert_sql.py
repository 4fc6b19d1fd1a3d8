"""The learner alert rules of :mod:`cohorts.activity.rules` as SQL, for every learner at once.

The thresholds come from ``rules`` and the course settings, never from copies here; a test
compares this classification with ``rules.learner_alerts`` on generated learners. The words
of each alert still come from ``rules.learner_alerts`` for the rows a page shows.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Float, String, and_, case, cast, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from cohorts.activity import measures, rules
from cohorts.activity.rules import SignalStats
from cohorts.activity.settings import Rules
from cohorts.models import AlertAction

#: The learner alerts, in the order ``rules.learner_alerts`` may raise them.
LEARNER_KINDS = ("never_launched", "inactive", "lonely", "falling")


class fold(FunctionElement[str]):  # noqa: N801 - reads like the SQL function it renders
    """Case-folded text that sorts by code point, as Python's ``str.casefold`` keys do."""

    type = String()
    inherit_cache = True


@compiles(fold)
def _fold(element: fold, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(fold, "postgresql")
def _fold_pg(element: fold, compiler: Any, **kw: Any) -> str:
    # Lower-case by the database's locale, then compare bytes: UTF-8 bytes sort by code point.
    return f'(lower({compiler.process(element.clauses, **kw)}) COLLATE "C")'


def display_name(c: Any) -> Any:
    """SQL for ``display_name_of``: the LMS name, else given and family, else chosen."""
    given, family = func.nullif(c.given_name, ""), func.nullif(c.family_name, "")
    full = case(
        (and_(given.is_not(None), family.is_not(None)), given + literal(" ") + family),
        else_=func.coalesce(given, family),
    )
    return func.coalesce(
        func.nullif(c.name, ""),
        full,
        func.nullif(c.chosen_name, ""),
        literal("Participant ") + cast(c.person_id, String),
    )


def rates(c: Any, current: int) -> tuple[Any, Any]:
    """SQL for a learner's early and recent weekly rates, as ``measures.facts_of`` has them."""
    span = current - c.first_week
    early_weeks = case((span >= 2, 2), (span >= 1, span), else_=0)
    early = case((early_weeks > 0, cast(func.coalesce(c.early, 0), Float) / early_weeks), else_=0.0)
    recent = case((span >= 4, cast(func.coalesce(c.recent, 0), Float) / 2), else_=0.0)
    return early, recent


def raised(c: Any, now: datetime, inactive_days: int) -> dict[str, Any]:
    """SQL conditions, one per learner alert kind, meaning ``rules.learner_alerts`` raises it."""
    today = rules.day_of(now)
    current = rules.week_of(today)
    launched = c.last_day.is_not(None)
    # day_of(joined_at) <= today - LONELY_DAYS, as a comparison of the stored moment
    lonely_before = datetime.combine(
        rules.date_of(today - rules.LONELY_DAYS + 1), datetime.min.time(), UTC
    )
    early, recent = rates(c, current)
    return {
        "never_launched": c.last_day.is_(None),
        "inactive": and_(launched, c.last_day <= today - inactive_days),
        "lonely": and_(
            launched,
            c.joined_at.is_not(None),
            c.joined_at < lonely_before,
            func.coalesce(c.gifts, 0) == 0,
            func.coalesce(c.cohort_actions, 0) == 0,
        ),
        "falling": and_(
            launched,
            c.last_day > today - inactive_days,
            early >= rules.FALLING_MIN_EARLY,
            recent < literal(rules.FALLING_RATIO) * early,
        ),
    }


def dismissed(course_id: int, now: datetime) -> Any:
    """Per learner, which alert kinds staff dismissed lately (their latest answer, in time)."""
    A = AlertAction
    # Only answers within the hidden span can hide an alert; the latest of those decides.
    latest = (
        select(
            A.person_id,
            A.kind,
            A.action,
            func.row_number()
            .over(partition_by=(A.person_id, A.kind), order_by=(A.at.desc(), A.id.desc()))
            .label("n"),
        )
        .where(
            A.course_id == course_id,
            A.person_id.is_not(None),
            A.at > now - timedelta(days=rules.DISMISS_DAYS),
        )
        .subquery()
    )
    hides = {
        kind: func.max(case((and_(latest.c.kind == kind, latest.c.action == "dismissed"), 1)))
        for kind in LEARNER_KINDS
    }
    return (
        select(latest.c.person_id, *(hides[k].label(f"hidden_{k}") for k in LEARNER_KINDS))
        .where(latest.c.n == 1)
        .group_by(latest.c.person_id)
        .subquery()
    )


def learner_rows(
    course_id: int, now: datetime, course: Rules, stats: dict[str, SignalStats]
) -> tuple[Any, float]:
    """Every learner's measures with a display name, open alerts and ``flagged``; and the offset.

    An alert is open when its rule holds and staff did not dismiss it lately.
    """
    query, offset = measures.facts_select(course_id, now, course.weights, stats)
    facts = query.subquery()
    hidden = dismissed(course_id, now)
    rule = raised(facts.c, now, course.inactive_days)
    open_ = {
        kind: and_(rule[kind], func.coalesce(getattr(hidden.c, f"hidden_{kind}"), 0) == 0)
        for kind in LEARNER_KINDS
    }
    each = (
        select(
            facts,
            display_name(facts.c).label("display_name"),
            *(case((open_[k], 1), else_=0).label(f"open_{k}") for k in LEARNER_KINDS),
        )
        .outerjoin(hidden, hidden.c.person_id == facts.c.person_id)
        # OFFSET 0 keeps the database from folding this into the query around it, which
        # would evaluate every rule a second time for ``flagged``.
        .offset(0)
        .subquery()
    )
    kinds = [getattr(each.c, f"open_{k}") for k in LEARNER_KINDS]
    rows = (
        select(
            each,
            case((sum(kinds[1:], kinds[0]) > 0, 1), else_=0).label("flagged"),
            # The folded name the table sorts and searches by, computed once per learner.
            fold(each.c.display_name).label("name_key"),
        )
        # A named CTE: a statement that reads it several times measures the learners once.
        .cte("learners")
    )
    return rows, offset


def open_kinds(row: Any) -> set[str]:
    """Which alert kinds a row of :func:`learner_rows` has open."""
    m = row._mapping
    return {kind for kind in LEARNER_KINDS if m[f"open_{kind}"]}
