"""Alerts for staff, each with its reason, and what staff did about them."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from cohorts.activity import rules
from cohorts.activity.cohort_measures import CohortHealth, CohortLast
from cohorts.activity.learner_table import Learner
from cohorts.activity.rules import Alert
from cohorts.errors import DomainError, NotFound
from cohorts.membership import get_cohort
from cohorts.models import ALERT_ACTIONS, ALERT_KINDS, AlertAction, Enrolment, Person


@dataclass(frozen=True, slots=True)
class FollowUp:
    """The latest thing staff did about one alert."""

    action: str
    at: datetime
    by: str


@dataclass(frozen=True, slots=True)
class Flagged:
    """A learner or cohort with its open alerts and any follow-up."""

    kind: str  #: "learner" or "cohort"
    subject_id: int
    name: str
    alerts: tuple[Alert, ...]
    follow_up: dict[str, FollowUp]


def follow_ups(
    session: Session, course_id: int, people: Iterable[int]
) -> dict[tuple[str, int], FollowUp]:
    """Return the latest follow-up per (alert kind, cohort id) and per kind for these learners."""
    about = or_(AlertAction.person_id.is_(None), AlertAction.person_id.in_(list(people)))
    rows = session.execute(
        select(AlertAction, Person.name)
        .outerjoin(Person, Person.id == AlertAction.by_id)
        .where(AlertAction.course_id == course_id, about)
        .order_by(AlertAction.at, AlertAction.id)
    ).all()
    latest: dict[tuple[str, int], FollowUp] = {}
    for action, name in rows:
        subject = action.person_id if action.person_id is not None else action.cohort_id
        latest[(action.kind, subject or 0)] = FollowUp(action.action, action.at, name or "Staff")
    return latest


def hidden(follow_up: FollowUp | None, now: datetime) -> bool:
    """Whether staff's latest answer to an alert was to dismiss it, and lately."""
    return (
        follow_up is not None
        and follow_up.action == "dismissed"
        and now - follow_up.at < timedelta(days=rules.DISMISS_DAYS)
    )


def flagged(
    session: Session,
    course_id: int,
    health: Sequence[CohortHealth | CohortLast],
    learners: list[Learner],
    now: datetime,
    limit: int,
) -> tuple[list[Flagged], int]:
    """Return the first ``limit`` open alerts (quiet cohorts, then these learners, whose open
    alerts the SQL rules chose) with follow-ups, and how many cohorts are quiet."""
    today = rules.day_of(now)
    done = follow_ups(session, course_id, [learner.facts.person_id for learner in learners])
    out = []
    for cohort in health:
        alert = rules.quiet_cohort_alert(cohort.last_day, today)
        if alert and not hidden(done.get((alert.kind, cohort.cohort_id)), now):
            follow = done.get((alert.kind, cohort.cohort_id))
            out.append(
                Flagged(
                    "cohort",
                    cohort.cohort_id,
                    cohort.name,
                    (alert,),
                    {alert.kind: follow} if follow else {},
                )
            )
    quiet = len(out)
    for learner in learners[: max(0, limit - quiet)]:
        subject = learner.facts.person_id
        follow = {
            a.kind: done[(a.kind, subject)] for a in learner.alerts if (a.kind, subject) in done
        }
        out.append(Flagged("learner", subject, learner.facts.name, learner.alerts, follow))
    return out[:limit], quiet


def answer_alert(
    session: Session,
    course_id: int,
    staff_id: int,
    *,
    kind: str,
    subject_id: int,
    action: str,
    now: datetime,
) -> AlertAction:
    """Record that staff contacted a learner about an alert, or dismissed it."""
    if kind not in ALERT_KINDS or action not in ALERT_ACTIONS:
        raise DomainError("That is not an alert Communitas raises.")
    row = AlertAction(course_id=course_id, kind=kind, action=action, by_id=staff_id, at=now)
    if kind == "quiet_cohort":
        row.cohort_id = get_cohort(session, course_id, subject_id, ("published",)).id
    else:
        enrolled = session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course_id,
                Enrolment.person_id == subject_id,
                Enrolment.role == "learner",
            )
        )
        if enrolled is None:
            raise NotFound("That learner is not in this course.")
        row.person_id = subject_id
    session.add(row)
    session.flush()
    return row
