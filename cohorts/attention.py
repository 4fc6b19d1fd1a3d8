"""What needs course staff now: reports to review, asks nobody answered, learners waiting."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from cohorts.exchange.visibility import not_hidden
from cohorts.models import Challenge, Choice, Cohort, Enrolment, Gift, Membership, ModerationCase


@dataclass(frozen=True, slots=True)
class Attention:
    """Counts for the staff overview, each from one SQL aggregate."""

    reports: int
    unanswered_asks: int
    waiting_learners: int
    suggestions: int

    @property
    def any(self) -> bool:
        return bool(
            self.reports or self.unanswered_asks or self.waiting_learners or self.suggestions
        )


def pending_reports(session: Session, course_id: int) -> int:
    """Count reported items staff have not decided on yet."""
    return (
        session.scalar(
            select(func.count(ModerationCase.id)).where(
                ModerationCase.course_id == course_id,
                ModerationCase.state.in_(("open", "hidden")),
            )
        )
        or 0
    )


def staff_attention(session: Session, course_id: int, now: datetime) -> Attention:
    """Gather what the overview asks staff to look at."""
    asks = session.scalar(
        select(func.count(Gift.id)).where(
            Gift.course_id == course_id,
            Gift.direction == "ask",
            Gift.status == "open",
            Gift.taken == 0,
            or_(Gift.ends_at.is_(None), Gift.ends_at > now),
            not_hidden("gift", Gift.id),
        )
    )
    published = exists().where(Cohort.course_id == course_id, Cohort.status == "published")
    placed = select(Membership.person_id).where(Membership.course_id == course_id)
    picked = select(Choice.person_id).join(Challenge, Challenge.id == Choice.challenge_id)
    picked = picked.where(Choice.course_id == course_id, Challenge.status == "active")
    waiting = session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.course_id == course_id,
            Enrolment.role == "learner",
            Enrolment.person_id.in_(picked),
            Enrolment.person_id.not_in(placed),
            published,
        )
    )
    suggestions = session.scalar(
        select(func.count(Challenge.id)).where(
            Challenge.course_id == course_id, Challenge.status == "proposed"
        )
    )
    return Attention(pending_reports(session, course_id), asks or 0, waiting or 0, suggestions or 0)
