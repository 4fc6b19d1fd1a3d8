"""Persistence measures in SQL over the weekly rollup: never a loop over events in Python."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import Session

from cohorts.activity import rules
from cohorts.activity.rules import SIGNALS, CurvePoint, LearnerFacts, SignalStats, Weights
from cohorts.models import ActivityLearner, ActivityWeek, Cohort, Enrolment, Membership, Person
from cohorts.models.people import display_name_of

W = ActivityWeek


def _learners(course_id: int, person_id: int | None = None, names: bool = True) -> Any:
    """Enrolled learners with their published cohort (if any), as a selectable to join on
    (without their names, one join fewer, when ``names`` is false)."""
    query = select(
        Enrolment.person_id,
        *(
            (Person.name, Person.given_name, Person.family_name, Person.chosen_name)
            if names
            else ()
        ),
        Cohort.id.label("cohort_id"),
        Cohort.name.label("cohort_name"),
        case((Cohort.id.is_not(None), Membership.joined_at)).label("joined_at"),
    )
    if names:
        query = query.join(Person, Person.id == Enrolment.person_id)
    query = (
        query.outerjoin(
            Membership,
            and_(Membership.course_id == course_id, Membership.person_id == Enrolment.person_id),
        )
        .outerjoin(Cohort, and_(Cohort.id == Membership.cohort_id, Cohort.status == "published"))
        .where(
            Enrolment.course_id == course_id,
            Enrolment.role == "learner",
            Enrolment.active.is_(True),  # people the roster dropped are kept, not counted
        )
    )
    if person_id is not None:
        query = query.where(Enrolment.person_id == person_id)
    return query.subquery()


def _not_learners(course_id: int) -> Any:
    """The course's staff and guests, to leave out of weekly rows.

    Everyone with activity is enrolled, so this keeps the learners' rows; it reads a handful
    of enrolments, where joining every learner's enrolment hashes the whole course.
    """
    return select(Enrolment.person_id).where(
        Enrolment.course_id == course_id, Enrolment.role != "learner"
    )


def score_stats(session: Session, course_id: int, week: int) -> dict[str, SignalStats]:
    """Mean and spread of each signal over all learners in one week (inactive ones as zeros)."""
    learners = (
        select(func.count())
        .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
        .scalar_subquery()
    )
    columns = [func.coalesce(func.sum(getattr(W, s)), 0) for s in SIGNALS]
    columns += [func.coalesce(func.sum(getattr(W, s) * getattr(W, s)), 0) for s in SIGNALS]
    row = session.execute(
        select(*columns, learners).where(
            W.course_id == course_id, W.week == week, W.person_id.not_in(_not_learners(course_id))
        )
    ).one()
    n, count = len(SIGNALS), row[-1] or 0
    return {s: rules.signal_stats(row[i], row[i + n], count) for i, s in enumerate(SIGNALS)}


def _score_column(stats: dict[str, SignalStats], weights: Weights, week: int) -> Any:
    coefficients, offset = rules.linear_score(stats, weights)
    weekly = sum((getattr(W, s) * literal(coefficients[s]) for s in SIGNALS), literal(0.0))
    return func.sum(case((W.week == week, weekly), else_=0.0)), offset


def facts_select(
    course_id: int,
    now: datetime,
    weights: Weights,
    stats: dict[str, SignalStats],
    person_id: int | None = None,
) -> tuple[Any, float]:
    """Return the select of every learner's measures (or one learner's) and the score offset.

    Reads the one-row summaries and only the last two full weeks of the rollup; its ``score``
    column plus the offset is the engagement score (the offset does not change the order).
    """
    current = rules.week_of(rules.day_of(now))
    score, offset = _score_column(stats, weights, current - 1)
    recent = (
        select(
            W.person_id,
            func.sum(W.events).label("recent"),
            score.label("score"),
        )
        .where(W.course_id == course_id, W.week >= current - 2, W.week < current)
        .group_by(W.person_id)
    )
    if person_id is not None:
        recent = recent.where(W.person_id == person_id)
    recent = recent.subquery()
    people = _learners(course_id, person_id)
    S = ActivityLearner
    query = (
        select(
            people,
            S.first_week,
            S.last_day,
            S.active_weeks,
            (S.last_week == current).label("this_week"),
            S.gifts,
            S.cohort_actions,
            S.early_events.label("early"),
            recent.c.recent,
            recent.c.score,
            case((S.last_week >= current - 1, S.run_weeks), else_=0).label("streak"),
        )
        .outerjoin(S, and_(S.course_id == course_id, S.person_id == people.c.person_id))
        .outerjoin(recent, recent.c.person_id == people.c.person_id)
    )
    return query, offset


def learner_facts(
    session: Session,
    course_id: int,
    now: datetime,
    weights: Weights,
    person_id: int | None = None,
    stats: dict[str, SignalStats] | None = None,
) -> list[LearnerFacts]:
    """Return each learner's measures (or one learner's): activity, streak, score, alert inputs."""
    current = rules.week_of(rules.day_of(now))
    if stats is None:
        stats = score_stats(session, course_id, current - 1)
    query, offset = facts_select(course_id, now, weights, stats, person_id)
    return [facts_of(row, current, offset) for row in session.execute(query)]


def facts_of(row: Any, current: int, offset: float) -> LearnerFacts:
    """Build one learner's facts from a row of :func:`facts_select` (extra columns ignored)."""
    m = row._mapping
    first = m["first_week"]
    early_rate, recent_rate = rates_of(first, m["early"], m["recent"], current)
    return LearnerFacts(
        person_id=m["person_id"],
        name=display_name_of(
            m["person_id"], m["name"], m["given_name"], m["family_name"], m["chosen_name"]
        ),
        cohort_id=m["cohort_id"],
        cohort_name=m["cohort_name"],
        first_week=first,
        last_day=m["last_day"],
        active_weeks=m["active_weeks"] or 0,
        streak=m["streak"] or 0,
        active_this_week=bool(m["this_week"]),
        joined_day=rules.day_of(m["joined_at"]) if m["joined_at"] else None,
        gifts=m["gifts"] or 0,
        cohort_actions=m["cohort_actions"] or 0,
        early_rate=early_rate,
        recent_rate=recent_rate,
        score=round((m["score"] or 0.0) + offset, 2),
    )


def rates_of(
    first: int | None, early: int | None, recent: int | None, current: int
) -> tuple[float, float]:
    """A learner's weekly rates in their first two weeks and in the last two full weeks."""
    early_weeks = min(2, current - first) if first is not None else 0
    return (
        (early or 0) / early_weeks if early_weeks > 0 else 0.0,
        (recent or 0) / 2 if first is not None and current - first >= 4 else 0.0,
    )


def weekly_active(session: Session, course_id: int, now: datetime, weeks: int) -> list[tuple]:
    """Return (Monday, learners active that week) for the last ``weeks`` weeks, oldest first."""
    current = rules.week_of(rules.day_of(now))
    others = _not_learners(course_id)
    counts = dict(
        session.execute(
            select(W.week, func.count())
            .where(W.course_id == course_id, W.week > current - weeks, W.person_id.not_in(others))
            .group_by(W.week)
        ).all()
    )
    return [
        (rules.week_start(w), counts.get(w, 0)) for w in range(current - weeks + 1, current + 1)
    ]


def persistence_curves(
    session: Session, course_id: int, now: datetime, weeks: int
) -> dict[str, list[CurvePoint]]:
    """Kaplan-Meier share still active by week since first launch, in a cohort and not."""
    current = rules.week_of(rules.day_of(now))
    people = _learners(course_id, names=False)
    spans = (
        select(
            ActivityLearner.person_id,
            ActivityLearner.first_week.label("first"),
            ActivityLearner.last_week.label("last"),
        )
        .where(ActivityLearner.course_id == course_id)
        .subquery()
    )
    stopped = spans.c.last < current - 1
    length = case((stopped, spans.c.last), else_=current) - spans.c.first + 1
    in_cohort = people.c.cohort_id.is_not(None)
    rows = session.execute(
        select(in_cohort, length, stopped, func.count())
        .join(spans, spans.c.person_id == people.c.person_id)
        .group_by(in_cohort, length, stopped)
    ).all()
    return {
        label: rules.persistence_curve(
            ((n, bool(s), c) for flag, n, s, c in rows if bool(flag) == wanted), weeks
        )
        for label, wanted in (("In a cohort", True), ("Not in a cohort", False))
    }


@dataclass(frozen=True, slots=True)
class Totals:
    """One learner's weekly events over recent weeks and their gifts over the whole course."""

    weeks: list[tuple[Any, int]]
    given: int
    received: int
    last_week: dict[str, int]


def learner_totals(
    session: Session, course_id: int, person_id: int, now: datetime, weeks: int
) -> Totals:
    """Return one learner's recent weeks, gifts given and received, and last week's signals."""
    current = rules.week_of(rules.day_of(now))
    mine = and_(W.course_id == course_id, W.person_id == person_id)
    given, received = session.execute(
        select(
            func.coalesce(func.sum(W.gifts_given), 0), func.coalesce(func.sum(W.gifts_received), 0)
        ).where(mine)
    ).one()
    recent = session.scalars(select(W).where(mine, W.week > current - weeks)).all()
    by_week = {row.week: row for row in recent}
    previous = by_week.get(current - 1)
    return Totals(
        weeks=[
            (rules.week_start(w), by_week[w].events if w in by_week else 0)
            for w in range(current - weeks + 1, current + 1)
        ],
        given=given,
        received=received,
        last_week={s: getattr(previous, s) if previous else 0 for s in SIGNALS},
    )
