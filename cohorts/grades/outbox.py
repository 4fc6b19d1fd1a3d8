"""The outbox of scores: queue what changed, claim what is due, record what the platform said.

Each score is a row before it is sent, so nothing is lost when a worker stops or a platform is
down, the same score is never sent twice, and a newer score replaces one still waiting.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cohorts.grades import delivery
from cohorts.grades.delivery import Outcome
from cohorts.grades.rules import LearnerScore
from cohorts.models import Course, GradeLineItem, ScorePost

P = ScorePost
#: Scores sent or on their way: an equal score is not queued again.
LIVE = ("sent", "sending")


@dataclass(frozen=True, slots=True)
class Queued:
    """How many scores a publication queued, and how many were already there."""

    queued: int
    unchanged: int


def _same(a: float, b: float) -> bool:
    return abs(a - b) < 0.005


def queue_scores(
    session: Session, course_id: int, line_item_id: int, scores: list[LearnerScore], now: datetime
) -> Queued:
    """Queue each learner's score unless it is already sent or waiting; replace older waiting."""
    mine = P.line_item_id == line_item_id
    last_stamp = dict(
        session.execute(
            select(P.person_id, func.max(P.timestamp)).where(mine).group_by(P.person_id)
        ).all()
    )
    newest_live = (
        select(func.max(P.id)).where(mine, P.status.in_(LIVE)).group_by(P.person_id).subquery()
    )
    live = {
        person: (given, maximum)
        for person, given, maximum in session.execute(
            select(P.person_id, P.score_given, P.score_maximum).where(P.id.in_(select(newest_live)))
        )
    }
    waiting = {
        row.person_id: row
        for row in session.execute(
            select(P.id, P.person_id, P.score_given, P.score_maximum).where(
                mine, P.status == "pending"
            )
        )
    }
    inserts, updates = [], []
    for s in scores:
        stamp = delivery.next_timestamp(now, last_stamp.get(s.person_id))
        row = waiting.get(s.person_id)
        before = (row.score_given, row.score_maximum) if row is not None else live.get(s.person_id)
        if before is not None and _same(before[0], s.score) and _same(before[1], s.maximum):
            continue
        values = {"score_given": s.score, "score_maximum": s.maximum, "timestamp": stamp}
        values |= {"attempts": 0, "next_attempt_at": now, "reason": None}
        if row is not None:
            updates.append({"id": row.id, **values})
        else:
            inserts.append(
                {
                    "course_id": course_id,
                    "person_id": s.person_id,
                    "line_item_id": line_item_id,
                    "user_id": s.user_id,
                    "status": "pending",
                    "created_at": now,
                    **values,
                }
            )
    if inserts:
        session.execute(insert(P), inserts)
    if updates:
        session.execute(update(P), updates)
    session.flush()
    return Queued(len(inserts) + len(updates), len(scores) - len(inserts) - len(updates))


@dataclass(frozen=True, slots=True)
class Delivery:
    """One claimed score, with everything needed to post it (plain values)."""

    id: int
    course_id: int
    issuer: str
    client_id: str
    lineitem_url: str
    user_id: str
    score_given: float
    score_maximum: float
    timestamp: datetime
    attempts: int


def claim_due(
    session: Session, now: datetime, limit: int = 500, course_id: int | None = None
) -> list[Delivery]:
    """Mark up to ``limit`` due scores as being sent (with a lease) and return them."""
    due = or_(P.status == "pending", P.status == "sending")
    query = select(P.id).where(due, P.next_attempt_at <= now)
    if course_id is not None:
        query = query.where(P.course_id == course_id)
    query = query.order_by(P.next_attempt_at, P.id).limit(limit).with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if not ids:
        return []
    lease = now + timedelta(seconds=delivery.LEASE_SECONDS)
    session.execute(
        update(P).where(P.id.in_(ids)).values(status="sending", next_attempt_at=lease),
        execution_options={"synchronize_session": False},
    )
    rows = session.execute(
        select(
            P.id,
            P.course_id,
            Course.issuer,
            Course.client_id,
            GradeLineItem.url,
            P.user_id,
            P.score_given,
            P.score_maximum,
            P.timestamp,
            P.attempts,
        )  # fmt: skip
        .join(GradeLineItem, GradeLineItem.id == P.line_item_id)
        .join(Course, Course.id == P.course_id)
        .where(P.id.in_(ids))
        .order_by(P.id)
    ).all()
    found = [Delivery(*row) for row in rows]
    # A retried score gets a fresh timestamp: its first attempt may have landed unanswered,
    # and a platform refuses the same timestamp twice. It is the newest of its learner.
    restamp = [
        {"id": d.id, "timestamp": delivery.next_timestamp(now, d.timestamp)}
        for d in found
        if d.attempts
    ]
    if restamp:
        session.execute(update(P), restamp)
    session.flush()
    stamps = {r["id"]: r["timestamp"] for r in restamp}
    return [replace(d, timestamp=stamps.get(d.id, d.timestamp)) for d in found]


def _overtaken(session: Session, ids: list[int]) -> set[int]:
    """Scores of which a newer one for the same learner and column exists."""
    if not ids:
        return set()
    newer = P.__table__.alias("newer")
    return set(
        session.scalars(
            select(P.id).where(
                P.id.in_(ids),
                select(newer.c.id)
                .where(
                    and_(
                        newer.c.line_item_id == P.line_item_id,
                        newer.c.person_id == P.person_id,
                        newer.c.id > P.id,
                    )
                )
                .exists(),
            )
        )
    )


def _change(d: Delivery, outcome: Outcome, now: datetime, base_delay: float) -> dict:
    """The row's new state after one attempt."""
    change = {
        "answer_status": outcome.status,
        "answer_body": outcome.body or None,
        "attempts": d.attempts + 1,
        "reason": outcome.reason or None,
        "next_attempt_at": None,
        "sent_at": None,
    }
    if outcome.kind == "sent":
        return change | {"status": "sent", "sent_at": now}
    if outcome.kind == "busy":  # no answer was asked for: not an attempt
        later = now + timedelta(seconds=1)
        return change | {"status": "pending", "attempts": d.attempts, "next_attempt_at": later}
    if outcome.kind == "retry" and d.attempts + 1 < delivery.MAX_ATTEMPTS:
        wait = delivery.retry_delay(d.attempts + 1, outcome.retry_after, base_delay)
        return change | {"status": "pending", "next_attempt_at": now + timedelta(seconds=wait)}
    if outcome.kind == "retry":
        return change | {"status": "failed", "reason": delivery.give_up_reason(outcome)}
    return change | {"status": "failed"}


def record_outcomes(
    session: Session,
    results: list[tuple[Delivery, Outcome]],
    now: datetime,
    base_delay: float = delivery.BASE_DELAY_SECONDS,
) -> None:
    """Store what each attempt came to; a score overtaken by a newer one is not retried."""
    overtaken = _overtaken(session, [d.id for d, o in results if o.kind != "sent"])
    done, again = [], []
    for d, outcome in results:
        change = {"id": d.id, **_change(d, outcome, now, base_delay)}
        if d.id in overtaken:
            change |= {"status": "superseded", "next_attempt_at": None}
        (again if change["status"] == "pending" else done).append(change)
    if done:
        session.execute(update(P), done)
    for change in again:  # a publication may have queued a newer score meanwhile
        try:
            with session.begin_nested():
                session.execute(update(P), [change])
        except IntegrityError:
            session.execute(
                update(P), [{**change, "status": "superseded", "next_attempt_at": None}]
            )
    session.flush()


def requeue_failed(session: Session, now: datetime, course_id: int | None = None) -> int:
    """Try failed scores again (after staff fixed the cause), unless a newer one is queued."""
    newest = select(func.max(P.id)).group_by(P.line_item_id, P.person_id)
    query = update(P).where(P.status == "failed", P.id.in_(newest))
    if course_id is not None:
        query = query.where(P.course_id == course_id)
    values = {"status": "pending", "attempts": 0, "next_attempt_at": now}
    result = session.execute(
        query.values(**values), execution_options={"synchronize_session": False}
    )
    session.flush()
    return int(result.rowcount or 0)


def next_due(session: Session, course_id: int | None = None) -> datetime | None:
    """When the earliest waiting score may be tried, or None when nothing waits."""
    query = select(func.min(P.next_attempt_at)).where(P.status.in_(("pending", "sending")))
    if course_id is not None:
        query = query.where(P.course_id == course_id)
    return session.scalar(query)
