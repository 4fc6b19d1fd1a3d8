"""How alive each cohort is, and which members have gone quiet, measured in SQL."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, bindparam, case, func, or_, select
from sqlalchemy.orm import Session

from cohorts.activity import rules
from cohorts.activity.merging import CohortPulse
from cohorts.db import core_rows
from cohorts.models import ActivityLearner, ActivityWeek, Cohort, Exchange, Gift, Membership

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


def cohort_health(session: Session, course_id: int, now: datetime) -> list[CohortHealth]:
    """Per published cohort: members active in 7 days, gifts in 14, members who gave and got."""
    today = rules.day_of(now)
    last = (
        select(ActivityLearner.person_id, ActivityLearner.last_day)
        .where(ActivityLearner.course_id == course_id)
        .subquery()
    )
    done = select(Exchange).where(Exchange.course_id == course_id, Exchange.status.in_(DONE))
    givers = done.with_only_columns(Exchange.giver_id)
    receivers = done.with_only_columns(Exchange.receiver_id)
    both = and_(Membership.person_id.in_(givers), Membership.person_id.in_(receivers))
    gifts = (
        select(Gift.cohort_id, func.count(Exchange.id).label("n"))
        .join(Exchange, Exchange.gift_id == Gift.id)
        .where(
            Gift.course_id == course_id,
            Exchange.status.in_(DONE),
            Exchange.given_at >= now - timedelta(days=14),
        )
        .group_by(Gift.cohort_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Cohort.id,
            Cohort.name,
            func.count(Membership.id),
            func.sum(case((last.c.last_day > today - 7, 1), else_=0)),
            func.coalesce(func.max(gifts.c.n), 0),
            func.sum(case((both, 1), else_=0)),
            func.max(last.c.last_day),
        )
        .outerjoin(Membership, Membership.cohort_id == Cohort.id)
        .outerjoin(last, last.c.person_id == Membership.person_id)
        .outerjoin(gifts, gifts.c.cohort_id == Cohort.id)
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .group_by(Cohort.id, Cohort.name)
        .order_by(Cohort.name)
    ).all()
    return [CohortHealth(r[0], r[1], r[2], r[3] or 0, r[4], r[5] or 0, r[6]) for r in rows]


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
