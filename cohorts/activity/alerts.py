"""Alerts for staff, each with its reason, and what staff did about them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.activity import rules
from cohorts.activity.cohort_measures import CohortHealth
from cohorts.activity.rules import Alert, LearnerFacts
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


def follow_ups(session: Session, course_id: int) -> dict[tuple[str, int], FollowUp]:
    """Return the latest follow-up per (alert kind, learner or cohort id)."""
    rows = session.execute(
        select(AlertAction, Person.name)
        .outerjoin(Person, Person.id == AlertAction.by_id)
        .where(AlertAction.course_id == course_id)
        .order_by(AlertAction.at, AlertAction.id)
    ).all()
    latest: dict[tuple[str, int], FollowUp] = {}
    for action, name in rows:
        subject = action.person_id if action.person_id is not None else action.cohort_id
        latest[(action.kind, subject or 0)] = FollowUp(action.action, action.at, name or "Staff")
    return latest


def _open(
    alerts: list[Alert], subject: int, done: dict[tuple[str, int], FollowUp], now: datetime
) -> tuple[tuple[Alert, ...], dict[str, FollowUp]]:
    """Drop alerts dismissed in the last two weeks; attach follow-ups to the rest."""
    hidden = timedelta(days=rules.DISMISS_DAYS)
    kept = tuple(
        a
        for a in alerts
        if not (
            (f := done.get((a.kind, subject))) and f.action == "dismissed" and now - f.at < hidden
        )
    )
    return kept, {a.kind: done[(a.kind, subject)] for a in kept if (a.kind, subject) in done}


def flagged(
    session: Session,
    course_id: int,
    facts: list[LearnerFacts],
    health: list[CohortHealth],
    inactive_days: int,
    now: datetime,
) -> list[Flagged]:
    """Return learners and cohorts that meet an alert rule and were not dismissed lately."""
    today = rules.day_of(now)
    done = follow_ups(session, course_id)
    out = []
    for cohort in health:
        alert = rules.quiet_cohort_alert(cohort.last_day, today)
        kept, follow = _open([alert] if alert else [], cohort.cohort_id, done, now)
        if kept:
            out.append(Flagged("cohort", cohort.cohort_id, cohort.name, kept, follow))
    for learner in facts:
        kept, follow = _open(
            rules.learner_alerts(learner, today, inactive_days), learner.person_id, done, now
        )
        if kept:
            out.append(Flagged("learner", learner.person_id, learner.name, kept, follow))
    return out


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
