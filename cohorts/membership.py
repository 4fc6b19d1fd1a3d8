"""Who is in which cohort: every feature asks here, never the formation engine."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from cohorts.errors import NotFound
from cohorts.models import Cohort, Membership, MembershipEnd

#: Ids per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
CHUNK = 500

#: Built once: most learner pages ask it.
_PUBLISHED_COHORT_OF = (
    select(Cohort)
    .join(Membership, Membership.cohort_id == Cohort.id)
    .where(
        Membership.course_id == bindparam("course_id"),
        Membership.person_id == bindparam("person_id"),
        Cohort.status == "published",
    )
)


def get_cohort(
    session: Session, course_id: int, cohort_id: int, statuses: Sequence[str] | None = None
) -> Cohort:
    """Return one cohort of this course, or raise NotFound."""
    query = select(Cohort).where(Cohort.id == cohort_id, Cohort.course_id == course_id)
    if statuses is not None:
        query = query.where(Cohort.status.in_(statuses))
    cohort = session.scalars(query).one_or_none()
    if cohort is None:
        raise NotFound("That cohort does not exist in this course.")
    return cohort


def published_cohort_of(session: Session, course_id: int, person_id: int) -> Cohort | None:
    """Return the published cohort the learner belongs to, if any."""
    params = {"course_id": course_id, "person_id": person_id}
    return session.scalars(_PUBLISHED_COHORT_OF, params).one_or_none()


def my_cohort(session: Session, course_id: int, person_id: int) -> Cohort:
    """Return the learner's published cohort or raise NotFound."""
    cohort = published_cohort_of(session, course_id, person_id)
    if cohort is None:
        raise NotFound("You are not in a cohort yet.")
    return cohort


def mark_moved(session: Session, course_id: int, person_id: int, now: datetime) -> None:
    """Date a membership from a manual move, so the page can say what re-forming would undo."""
    session.execute(
        update(Membership)
        .where(Membership.course_id == course_id, Membership.person_id == person_id)
        .values(joined_at=now)
    )


def manual_moves(session: Session, course_id: int) -> int:
    """Count members placed in unlocked drafts by hand since those drafts were formed."""
    return (
        session.scalar(
            select(func.count(Membership.id))
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Cohort.course_id == course_id, Cohort.status == "draft")
            .where(Cohort.locked.is_(False), Membership.joined_at > Cohort.created_at)
        )
        or 0
    )


def end_memberships(
    session: Session, course_id: int, person_ids: Sequence[int], now: datetime, reason: str
) -> int:
    """End these people's cohort places: each moves to ``membership_end``, nothing is lost.

    Their posts, gifts and activity stay; the cohort simply no longer counts them. Returns
    how many places ended.
    """
    if not person_ids:
        return 0
    ended = 0
    for start in range(0, len(person_ids), CHUNK):
        chunk = list(person_ids[start : start + CHUNK])
        rows = session.execute(
            select(Membership.cohort_id, Membership.person_id, Membership.joined_at).where(
                Membership.course_id == course_id, Membership.person_id.in_(chunk)
            )
        ).all()
        if not rows:
            continue
        session.execute(
            insert(MembershipEnd),
            [
                {
                    "cohort_id": cohort_id,
                    "course_id": course_id,
                    "person_id": person_id,
                    "joined_at": joined_at,
                    "ended_at": now,
                    "reason": reason,
                }
                for cohort_id, person_id, joined_at in rows
            ],
        )
        session.execute(
            delete(Membership).where(
                Membership.course_id == course_id, Membership.person_id.in_(chunk)
            )
        )
        ended += len(rows)
    return ended
