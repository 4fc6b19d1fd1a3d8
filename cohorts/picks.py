"""Rearranging a learner's ranked picks one step at a time, as the cards offer it."""

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cohorts.challenges import MAX_CHOICES
from cohorts.courses import lock_enrolment
from cohorts.errors import DomainError
from cohorts.models import Choice, Cohort, Membership

MOVES = ("add", "up", "down", "remove")


def rearranged(picks: list[int], challenge_id: int, move: str, rank: int = 0) -> list[int]:
    """Return the picks after one move; adding at a rank pushes later picks down, the 4th off."""
    rest = [c for c in picks if c != challenge_id]
    if move == "add":
        if not 1 <= rank <= MAX_CHOICES:
            raise DomainError(f"Choose a place from 1 to {MAX_CHOICES}.")
        rest.insert(min(rank, len(rest) + 1) - 1, challenge_id)
        return rest[:MAX_CHOICES]
    if challenge_id not in picks:
        raise DomainError("That challenge is not among your picks.")
    if move == "remove":
        return rest
    if move not in ("up", "down"):
        raise DomainError("Choose add, move up, move down or remove.")
    at = picks.index(challenge_id)
    rest.insert(max(0, at - 1) if move == "up" else min(len(picks) - 1, at + 1), challenge_id)
    return rest


def clear_picks(session: Session, course_id: int, person_id: int) -> None:
    """Withdraw every pick of a learner who is not in a published cohort yet."""
    lock_enrolment(session, course_id, person_id)
    published = session.scalar(
        select(Cohort.id)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.course_id == course_id, Membership.person_id == person_id)
        .where(Cohort.status == "published")
    )
    if published is not None:
        raise DomainError("You are already in a cohort, so your picks can no longer change.")
    session.execute(
        delete(Choice).where(Choice.course_id == course_id, Choice.person_id == person_id)
    )
    session.flush()


def ordinal(rank: int) -> str:
    """Say a rank the way the buttons do: 1st, 2nd, 3rd."""
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(rank, f"{rank}th")
