"""How alive each cohort is, and which members have gone quiet, measured in SQL."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Float, and_, bindparam, case, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session, aliased

from cohorts.activity import rules
from cohorts.activity.merging import CohortPulse
from cohorts.db import core_rows
from cohorts.models import (
    ActivityLearner,
    ActivityWeek,
    Cohort,
    Exchange,
    ExchangeTally,
    Gift,
    Membership,
)

W = ActivityWeek
DONE = ("given", "received", "thanked")


@dataclass(frozen=True, slots=True)
class CohortHealth:
    """How alive one published cohort is."""

    cohort_id: int
    name: str
    members: int
    active_7: int
    gifts_14: int
    reciprocal: int
    last_day: int | None

    @property
    def share_active(self) -> float:
        return self.active_7 / self.members if self.members else 0.0

    @property
    def reciprocity(self) -> float:
        return self.reciprocal / self.members if self.members else 0.0


@dataclass(frozen=True, slots=True)
class CohortLast:
    """When a published cohort last had an active member: what a quiet-cohort alert needs."""

    cohort_id: int
    name: str
    last_day: int | None


@dataclass(frozen=True, slots=True)
class CourseHealth:
    """The least active cohorts, fully measured, and every quiet one (for the alerts)."""

    total: int
    least_active: list[CohortHealth]
    #: Published cohorts nobody was active in for a week (or ever), by name.
    quiet: list[CohortLast]


def _health_rows(session: Session, course_id: int, now: datetime, limit: int | None) -> list[Any]:
    """Per published cohort, least active first (share of members active, then name):
    members, active in 7 days and last active day, in one pass over the members; only the
    ``limit`` least active (all when None) and the quiet ones come back, each with ``rank``
    and ``total`` (published cohorts)."""
    today = rules.day_of(now)
    S = ActivityLearner
    per = (
        select(
            Cohort.id.label("cohort_id"),
            Cohort.name.label("name"),
            func.count(Membership.id).label("members"),
            func.coalesce(func.sum(case((S.last_day > today - 7, 1), else_=0)), 0).label(
                "active_7"
            ),
            func.max(S.last_day).label("last_day"),
        )
        .outerjoin(Membership, Membership.cohort_id == Cohort.id)
        .outerjoin(S, and_(S.course_id == course_id, S.person_id == Membership.person_id))
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .group_by(Cohort.id, Cohort.name)
        .subquery()
    )
    share = case(
        (per.c.members > 0, cast(per.c.active_7, Float) / cast(per.c.members, Float)),
        else_=literal(0.0),
    )
    # Names sort by code point, as Python sorts them (PostgreSQL would use its locale).
    pg = session.get_bind().dialect.name == "postgresql"
    name = per.c.name.collate("C") if pg else per.c.name
    ranked = select(
        per,
        func.row_number().over(order_by=(share, name, per.c.cohort_id)).label("rank"),
        func.count().over().label("total"),
    ).subquery()
    shown = true() if limit is None else ranked.c.rank <= limit
    quiet = or_(ranked.c.last_day.is_(None), ranked.c.last_day <= today - rules.QUIET_COHORT_DAYS)
    return session.execute(select(ranked).where(or_(shown, quiet)).order_by(ranked.c.rank)).all()


def _details(
    session: Session, course_id: int, now: datetime, cohort_ids: list[int]
) -> dict[int, tuple[int, int]]:
    """Per cohort: finished exchanges of its gifts in 14 days, and members who gave and got
    (from their stored tallies).

    Index probes for these cohorts alone (a separate statement, so the planner sees how few
    they are), never a pass over the whole course's gifts and exchanges.
    """
    if not cohort_ids:
        return {}
    done = (Exchange.course_id == course_id, Exchange.status.in_(DONE))
    gifts = (
        select(func.count(Exchange.id))
        .join(Gift, Gift.id == Exchange.gift_id)
        .where(
            Gift.cohort_id == Cohort.id,
            Gift.course_id == course_id,
            *done,
            Exchange.given_at >= now - timedelta(days=14),
        )
        .scalar_subquery()
    )
    M, T = aliased(Membership), ExchangeTally
    both = (
        select(func.count(M.id))
        .join(T, and_(T.course_id == course_id, T.person_id == M.person_id))
        .where(M.cohort_id == Cohort.id, T.gave > 0, T.received > 0)
        .scalar_subquery()
    )
    rows = session.execute(select(Cohort.id, gifts, both).where(Cohort.id.in_(cohort_ids)))
    return {cohort_id: (int(g or 0), int(b or 0)) for cohort_id, g, b in rows}


def _health(row: Any, details: dict[int, tuple[int, int]]) -> CohortHealth:
    gifts, both = details.get(row.cohort_id, (0, 0))
    return CohortHealth(
        row.cohort_id, row.name, row.members, int(row.active_7 or 0), gifts, both, row.last_day
    )


def cohort_health(session: Session, course_id: int, now: datetime) -> list[CohortHealth]:
    """Per published cohort, by name: members active in 7 days, gifts in 14, members who
    gave and got."""
    rows = _health_rows(session, course_id, now, None)
    details = _details(session, course_id, now, [r.cohort_id for r in rows])
    return sorted((_health(r, details) for r in rows), key=lambda c: (c.name, c.cohort_id))


def course_health(session: Session, course_id: int, now: datetime, limit: int) -> CourseHealth:
    """The ``limit`` least active published cohorts measured in full, every quiet cohort and
    how many are published, measuring gifts and reciprocity only for the cohorts listed."""
    rows = _health_rows(session, course_id, now, limit)
    shown = [r for r in rows if r.rank <= limit]
    details = _details(session, course_id, now, [r.cohort_id for r in shown])
    today = rules.day_of(now)
    quiet = [
        CohortLast(r.cohort_id, r.name, r.last_day)
        for r in rows
        if rules.quiet_cohort_alert(r.last_day, today) is not None
    ]
    return CourseHealth(
        total=rows[0].total if rows else 0,
        least_active=[_health(r, details) for r in shown],
        quiet=sorted(quiet, key=lambda c: (c.name, c.cohort_id)),
    )


#: Built once: a member's cohort page asks for it on every visit.
_QUIET = (
    select(Membership.person_id)
    .outerjoin(
        ActivityLearner,
        and_(
            ActivityLearner.course_id == bindparam("course_id"),
            ActivityLearner.person_id == Membership.person_id,
        ),
    )
    .where(
        Membership.cohort_id == bindparam("cohort_id"),
        or_(ActivityLearner.last_day.is_(None), ActivityLearner.last_day <= bindparam("since")),
    )
)


def quiet_members(session: Session, course_id: int, cohort_id: int, now: datetime) -> set[int]:
    """Return the members of one cohort with no activity for a while (or none at all)."""
    since = rules.day_of(now) - rules.QUIET_MEMBER_DAYS
    params = {"course_id": course_id, "cohort_id": cohort_id, "since": since}
    return set(core_rows(session, _QUIET, params).scalars())


def cohort_pulses(session: Session, course_id: int, now: datetime) -> list[CohortPulse]:
    """Per published cohort: its challenge, members and members active in the last 7 days."""
    today = rules.day_of(now)
    active = case((ActivityLearner.last_day > today - 7, 1), else_=0)
    rows = session.execute(
        select(
            Cohort.id,
            Cohort.name,
            Cohort.challenge_id,
            func.count(Membership.id),
            func.coalesce(func.sum(active), 0),
            Cohort.locked,
            Cohort.merge_dismissed,
        )
        .outerjoin(Membership, Membership.cohort_id == Cohort.id)
        .outerjoin(
            ActivityLearner,
            and_(
                ActivityLearner.course_id == course_id,
                ActivityLearner.person_id == Membership.person_id,
            ),
        )
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .group_by(Cohort.id)
    ).all()
    return [CohortPulse(*row) for row in rows]
