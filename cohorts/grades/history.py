"""A learner's own participation scores: what was sent to the gradebook, when, and the answer."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.models import ScorePost

P = ScorePost
#: Each state of a score, in the learner's words.
STATUS_WORDS = {
    "pending": "Waiting to be sent",
    "sending": "Being sent",
    "sent": "Sent",
    "failed": "Refused by the platform",
    "superseded": "Replaced by a newer score",
}


@dataclass(frozen=True, slots=True)
class SentScore:
    """One score about the learner, as the learner may read it."""

    score: float
    maximum: float
    status: str
    queued_at: datetime
    sent_at: datetime | None
    answer: str


def answer_words(status: str, answer_status: int | None, reason: str | None) -> str:
    """What the platform answered, in words (its own refusal words are kept in ``reason``)."""
    if status == "sent":
        return f"Accepted by the platform ({answer_status})." if answer_status else "Accepted."
    if reason:
        return reason
    if status == "superseded":
        return "Not sent: a newer score took its place."
    return "No answer yet."


def scores_of(session: Session, course_id: int, person_id: int) -> list[SentScore]:
    """The scores queued for one learner in one course, oldest first (one query)."""
    rows = session.execute(
        select(
            P.score_given,
            P.score_maximum,
            P.status,
            P.created_at,
            P.sent_at,
            P.answer_status,
            P.reason,
        )
        .where(P.course_id == course_id, P.person_id == person_id)
        .order_by(P.id)
    ).all()
    return [
        SentScore(
            given,
            maximum,
            STATUS_WORDS.get(status, status),
            queued,
            sent,
            answer_words(status, answer, reason),
        )
        for given, maximum, status, queued, sent, answer, reason in rows
    ]
