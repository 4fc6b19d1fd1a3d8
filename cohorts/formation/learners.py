"""Formation's input read from the database: learners, their picks and profiles, cohorts."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.formation.values import CohortState, Learner
from cohorts.models import (
    Challenge,
    Choice,
    Cohort,
    Enrolment,
    Membership,
    Profile,
    utcnow,
)
from cohorts.profiles import ProfileFacts, facts_of


def learner_of(person_id: int, choices: Iterable[str], facts: ProfileFacts | None) -> Learner:
    """Build the formation code's plain learner from stored rows."""
    if facts is None:
        return Learner(str(person_id), tuple(choices))
    offset = facts.utc_offset / 60 if facts.utc_offset is not None else None
    return Learner(str(person_id), tuple(choices), offset, facts.windows, facts.offers, facts.needs)


def load_learners(
    session: Session,
    course_id: int,
    only: Sequence[int] | None = None,
    at: datetime | None = None,
) -> dict[int, Learner]:
    """Load the course's learners (or ``only`` these people) with one query per table.

    Free hours are read in UTC for the week of ``at`` (this week by default), so they follow
    each learner's daylight-saving changes.
    """
    people_query = select(Enrolment.person_id).where(
        Enrolment.course_id == course_id, Enrolment.role == "learner", Enrolment.active.is_(True)
    )
    picks_query = (
        select(Choice.person_id, Choice.challenge_id)
        .join(Challenge, Challenge.id == Choice.challenge_id)
        .where(Choice.course_id == course_id, Challenge.status == "active")
        .order_by(Choice.person_id, Choice.rank)
    )
    profiles_query = select(Profile).where(Profile.course_id == course_id)
    if only is not None:
        people_query = people_query.where(Enrolment.person_id.in_(only))
        picks_query = picks_query.where(Choice.person_id.in_(only))
        profiles_query = profiles_query.where(Profile.person_id.in_(only))
    people = session.scalars(people_query).all()
    picks: dict[int, list[str]] = {}
    for person_id, challenge_id in session.execute(picks_query):
        picks.setdefault(person_id, []).append(str(challenge_id))
    week = at or utcnow()
    facts = {p.person_id: facts_of(p, week) for p in session.scalars(profiles_query)}
    return {pid: learner_of(pid, picks.get(pid, ()), facts.get(pid)) for pid in people}


def members_by_cohort(session: Session, cohort_ids: Sequence[int]) -> dict[int, list[int]]:
    """Return person ids per cohort in one query."""
    members: dict[int, list[int]] = {cid: [] for cid in cohort_ids}
    if cohort_ids:
        for cohort_id, person_id in session.execute(
            select(Membership.cohort_id, Membership.person_id)
            .where(Membership.cohort_id.in_(cohort_ids))
            .order_by(Membership.id)
        ):
            members[cohort_id].append(person_id)
    return members


def states_of(
    session: Session,
    cohorts: Sequence[Cohort],
    learners: dict[int, Learner],
    lock_all: bool = False,
) -> list[CohortState]:
    """Describe stored cohorts to the formation code."""
    members = members_by_cohort(session, [c.id for c in cohorts])
    return [
        CohortState(
            str(c.id),
            str(c.challenge_id),
            tuple(learners.get(pid) or Learner(str(pid), ()) for pid in members[c.id]),
            locked=lock_all or c.locked,
        )
        for c in cohorts
    ]
