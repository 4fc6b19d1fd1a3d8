"""What staff see about the column: counts by status, recent sends, failures, retries."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohorts.models import GradeLineItem, Person, ScorePost

P = ScorePost
LISTED = 50


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One score as staff see it."""

    name: str
    score: float
    maximum: float
    status: str
    attempts: int
    at: datetime | None
    reason: str | None
    answer_status: int | None


@dataclass(frozen=True, slots=True)
class ColumnStatus:
    """The column's line item and what happened to its scores."""

    line_item: GradeLineItem | None
    counts: dict[str, int]
    last_queued: datetime | None
    sent: list[ScoreLine]
    failed: list[ScoreLine]
    retrying: list[ScoreLine]


def _lines(session: Session, course_id: int, *where, order, when) -> list[ScoreLine]:  # type: ignore[no-untyped-def]
    rows = session.execute(
        select(Person, P, when)
        .join(Person, Person.id == P.person_id)
        .where(P.course_id == course_id, *where)
        .order_by(order)
        .limit(LISTED)
    ).all()
    return [
        ScoreLine(
            person.display_name,
            post.score_given,
            post.score_maximum,
            post.status,
            post.attempts,
            at,
            post.reason,
            post.answer_status,
        )
        for person, post, at in rows
    ]


def status_counts(session: Session, course_id: int) -> dict[str, int]:
    """How many of the course's scores are in each state (one grouped query)."""
    return dict(
        session.execute(
            select(P.status, func.count()).where(P.course_id == course_id).group_by(P.status)
        ).all()
    )


def column_status(session: Session, course_id: int) -> ColumnStatus:
    """Summarise the course's outbox for the staff page (a few small queries)."""
    line_item = session.scalars(
        select(GradeLineItem)
        .where(GradeLineItem.course_id == course_id)
        .order_by(GradeLineItem.id.desc())
        .limit(1)
    ).first()
    counts = status_counts(session, course_id)
    last = session.scalar(select(func.max(P.created_at)).where(P.course_id == course_id))
    return ColumnStatus(
        line_item=line_item,
        counts=counts,
        last_queued=last,
        sent=_lines(session, course_id, P.status == "sent", order=P.sent_at.desc(), when=P.sent_at),
        failed=_lines(
            session, course_id, P.status == "failed", order=P.id.desc(), when=P.created_at
        ),
        retrying=_lines(
            session,
            course_id,
            P.status.in_(("pending", "sending")),
            P.attempts > 0,
            order=P.next_attempt_at,
            when=P.next_attempt_at,
        ),
    )
