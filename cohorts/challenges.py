"""Challenges of a course: staff write them, learners propose and pick them."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from cohorts.activity.events import record_activity
from cohorts.courses import lock_enrolment
from cohorts.db import core_rows
from cohorts.errors import DomainError, NotFound
from cohorts.limits import TITLE
from cohorts.models import CHALLENGE_KINDS, Challenge, Choice

MAX_CHOICES = 3
#: Built once: the learner's home asks it on every visit.
_CHOICES_OF = (
    select(Choice.challenge_id)
    .where(Choice.course_id == bindparam("course_id"), Choice.person_id == bindparam("person_id"))
    .order_by(Choice.rank)
)
MAX_OPEN_PROPOSALS = 3


@dataclass(frozen=True, slots=True)
class ChallengeRow:
    """A challenge with how many learners picked it (any rank) and as first choice."""

    challenge: Challenge
    picks: int
    first_picks: int


def list_challenges(
    session: Session, course_id: int, statuses: Sequence[str] = ("active",)
) -> list[ChallengeRow]:
    """Return the course's challenges in these statuses, with pick counts from SQL.

    Each count is a subquery on the (challenge, rank) index, which PostgreSQL answers from the
    index alone; joining every pick of the course and grouping cost three times as much.
    """
    picks = select(func.count()).where(Choice.challenge_id == Challenge.id).scalar_subquery()
    firsts = (
        select(func.count())
        .where(Choice.challenge_id == Challenge.id, Choice.rank == 1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Challenge, picks, firsts)
        .where(Challenge.course_id == course_id, Challenge.status.in_(statuses))
        .order_by(Challenge.title, Challenge.id)
    ).all()
    return [ChallengeRow(challenge, picks, firsts) for challenge, picks, firsts in rows]


def get_challenge(
    session: Session, course_id: int, challenge_id: int, statuses: Sequence[str] | None = None
) -> Challenge:
    """Return one challenge of this course, or raise NotFound."""
    query = select(Challenge).where(Challenge.id == challenge_id, Challenge.course_id == course_id)
    if statuses is not None:
        query = query.where(Challenge.status.in_(statuses))
    challenge = session.scalars(query).one_or_none()
    if challenge is None:
        raise NotFound("That challenge does not exist in this course.")
    return challenge


def _check(title: str, kind: str) -> str:
    title = " ".join(title.split())
    if len(title) not in TITLE:
        raise DomainError(f"Give the challenge a title of {TITLE.low} to {TITLE.high} characters.")
    if kind not in CHALLENGE_KINDS:
        raise DomainError("A challenge is either a challenge or an opportunity.")
    return title


def create_challenge(
    session: Session, course_id: int, *, title: str, description: str, kind: str, now: datetime
) -> Challenge:
    """Add an active challenge written by staff."""
    challenge = Challenge(
        course_id=course_id,
        title=_check(title, kind),
        description=description.strip(),
        kind=kind,
        status="active",
        created_at=now,
    )
    session.add(challenge)
    session.flush()
    return challenge


def update_challenge(
    session: Session,
    course_id: int,
    challenge_id: int,
    *,
    title: str,
    description: str,
    kind: str,
) -> Challenge:
    """Correct a challenge's wording; picks stay with it."""
    challenge = get_challenge(session, course_id, challenge_id)
    challenge.title = _check(title, kind)
    challenge.description = description.strip()
    challenge.kind = kind
    session.flush()
    return challenge


def archive_challenge(session: Session, course_id: int, challenge_id: int) -> Challenge:
    """Stop offering a challenge; existing cohorts around it keep running."""
    challenge = get_challenge(session, course_id, challenge_id)
    challenge.status = "archived"
    session.flush()
    return challenge


def propose_challenge(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    title: str,
    description: str,
    kind: str,
    now: datetime,
) -> Challenge:
    """Record a learner's suggestion, to be approved or merged by staff."""
    lock_enrolment(session, course_id, person_id)
    open_count = session.scalar(
        select(func.count()).where(
            Challenge.course_id == course_id,
            Challenge.proposed_by_id == person_id,
            Challenge.status == "proposed",
        )
    )
    if open_count and open_count >= MAX_OPEN_PROPOSALS:
        raise DomainError(
            f"You already have {MAX_OPEN_PROPOSALS} suggestions waiting for your instructor; "
            "please wait until they look at them."
        )
    challenge = Challenge(
        course_id=course_id,
        title=_check(title, kind),
        description=description.strip(),
        kind=kind,
        status="proposed",
        proposed_by_id=person_id,
        created_at=now,
    )
    session.add(challenge)
    session.flush()
    return challenge


def approve_challenge(session: Session, course_id: int, challenge_id: int) -> Challenge:
    """Make a proposed challenge pickable by everyone."""
    challenge = get_challenge(session, course_id, challenge_id, ("proposed",))
    challenge.status = "active"
    session.flush()
    return challenge


def merge_challenge(session: Session, course_id: int, source_id: int, target_id: int) -> Challenge:
    """Fold one challenge into another: picks move over, the source is archived."""
    if source_id == target_id:
        raise DomainError("Choose a different challenge to merge into.")
    source = get_challenge(session, course_id, source_id, ("active", "proposed"))
    target = get_challenge(session, course_id, target_id, ("active",))
    both = select(Choice.person_id).where(Choice.challenge_id == target.id)
    session.execute(
        delete(Choice).where(Choice.challenge_id == source.id, Choice.person_id.in_(both))
    )
    session.execute(
        update(Choice).where(Choice.challenge_id == source.id).values(challenge_id=target.id)
    )
    source.status = "archived"
    session.flush()
    return target


def choices_of(session: Session, course_id: int, person_id: int) -> list[int]:
    """Return the learner's picked challenge ids, first choice first."""
    params = {"course_id": course_id, "person_id": person_id}
    return list(core_rows(session, _CHOICES_OF, params).scalars())


def pick_challenges(
    session: Session,
    course_id: int,
    person_id: int,
    challenge_ids: Sequence[int | None],
    now: datetime,
) -> list[int]:
    """Replace the learner's picks with up to three active challenges, in rank order."""
    picked = [c for c in challenge_ids if c]
    if not picked:
        raise DomainError("Pick at least one challenge.")
    if len(picked) > MAX_CHOICES:
        raise DomainError(f"Pick at most {MAX_CHOICES} challenges.")
    if len(set(picked)) != len(picked):
        raise DomainError("Pick each challenge only once.")
    active = set(
        session.scalars(
            select(Challenge.id).where(
                Challenge.course_id == course_id,
                Challenge.status == "active",
                Challenge.id.in_(picked),
            )
        )
    )
    if active != set(picked):
        raise NotFound("One of those challenges is no longer open; please pick again.")
    lock_enrolment(session, course_id, person_id)  # a double submit replaces, never collides
    session.execute(
        delete(Choice).where(Choice.course_id == course_id, Choice.person_id == person_id)
    )
    session.add_all(
        Choice(
            course_id=course_id, person_id=person_id, challenge_id=cid, rank=rank, created_at=now
        )
        for rank, cid in enumerate(picked, start=1)
    )
    session.flush()
    record_activity(session, course_id, person_id, "pick", now)
    return picked
