"""Keeping published cohorts whole: late joiners, the waiting list, shrinking cohorts."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from cohorts import challenges
from cohorts.errors import DomainError, NotFound
from cohorts.formation import engine
from cohorts.formation.drafts import guarded, insert_cohorts
from cohorts.formation.learners import load_learners, members_by_cohort, states_of
from cohorts.formation.merge_targets import merge_targets
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.stored import refresh_report
from cohorts.formation.values import Learner
from cohorts.membership import get_cohort
from cohorts.models import Challenge, Choice, Cohort, Enrolment, Membership


def place_late_joiner(
    session: Session, course_id: int, person_id: int, now: datetime
) -> Cohort | None:
    """Put a learner who picked after publication into the best published cohort with room.

    Returns None when nothing fits: the learner then waits for staff.
    """
    current = session.scalars(
        select(Cohort)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.course_id == course_id, Membership.person_id == person_id)
    ).one_or_none()
    if current is not None:
        return current if current.status == "published" else None
    me = load_learners(session, course_id, only=[person_id]).get(person_id)
    if me is None or not me.choices:
        return None
    # Only cohorts of a challenge the learner picked can take them: read those, in id order
    # as the formation code expects, and only their members.
    published = list(
        session.scalars(
            select(Cohort)
            .where(
                Cohort.course_id == course_id,
                Cohort.status == "published",
                Cohort.challenge_id.in_([int(c) for c in me.choices]),
            )
            .order_by(Cohort.id)
            .with_for_update()  # late joiners take seats one at a time, so none overfills
        )
    )
    if not published:
        return None
    members = members_by_cohort(session, [c.id for c in published])
    learners = load_learners(
        session, course_id, only=sorted({pid for ids in members.values() for pid in ids})
    )
    settings = settings_of(get_settings(session, course_id))
    chosen = engine.place_late_joiner(me, states_of(session, published, learners), settings)
    if chosen is None:
        return None
    cohort = next(c for c in published if str(c.id) == chosen)
    with guarded(session):
        session.add(
            Membership(cohort_id=cohort.id, course_id=course_id, person_id=person_id, joined_at=now)
        )
    refresh_report(session, course_id, now, changed=[cohort.id])
    return cohort


@dataclass(frozen=True, slots=True)
class WaitingGroup:
    """Waiting learners who picked one challenge; formable when there are enough."""

    challenge: Challenge
    waiting: int
    formable: bool


def _unplaced_learners(course_id: int) -> Any:
    """Active learners of the course in no cohort (a subquery of person ids)."""
    placed = select(Membership.person_id).where(Membership.course_id == course_id)
    return select(Enrolment.person_id).where(
        Enrolment.course_id == course_id,
        Enrolment.role == "learner",
        Enrolment.active.is_(True),
        Enrolment.person_id.not_in(placed),
    )


def waiting_learners(session: Session, course_id: int) -> dict[int, Learner]:
    """Learners with picks but no cohort, once the course has published cohorts."""
    has_published = session.scalar(
        select(func.count()).where(Cohort.course_id == course_id, Cohort.status == "published")
    )
    if not has_published:
        return {}
    waiting = session.scalars(
        select(Choice.person_id)
        .where(Choice.course_id == course_id, Choice.person_id.in_(_unplaced_learners(course_id)))
        .distinct()
    ).all()
    if not waiting:
        return {}
    return {
        pid: learner
        for pid, learner in load_learners(session, course_id, only=waiting).items()
        if learner.choices
    }


def waiting_groups(session: Session, course_id: int) -> list[WaitingGroup]:
    """How many waiting learners picked each active challenge, counted in SQL."""
    has_published = session.scalar(
        select(Cohort.id)
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .limit(1)
    )
    if has_published is None:
        return []
    rows = session.execute(
        select(Challenge, func.count(func.distinct(Choice.person_id)))
        .join(Choice, Choice.challenge_id == Challenge.id)
        .where(
            Challenge.course_id == course_id,
            Challenge.status == "active",
            Choice.course_id == course_id,
            Choice.person_id.in_(_unplaced_learners(course_id)),
        )
        .group_by(Challenge.id)
        .order_by(Challenge.title, Challenge.id)
    ).all()
    minimum = get_settings(session, course_id).minimum
    return [WaitingGroup(c, n, n >= minimum) for c, n in rows]


def form_from_waiting(
    session: Session, course_id: int, challenge_id: int, now: datetime
) -> list[Cohort]:
    """Form new published cohorts around one challenge from the learners waiting for it."""
    challenge = session.scalars(
        select(Challenge).where(
            Challenge.id == challenge_id,
            Challenge.course_id == course_id,
            Challenge.status == "active",
        )
    ).one_or_none()
    if challenge is None:
        raise NotFound("That challenge does not exist in this course.")
    key = str(challenge.id)
    pool = [
        Learner(lr.learner_id, (key,), lr.utc_offset, lr.availability, lr.offers, lr.needs)
        for lr in waiting_learners(session, course_id).values()
        if key in lr.choices
    ]
    settings = settings_of(get_settings(session, course_id))
    if len(pool) < settings.minimum:
        raise DomainError(
            f"Only {len(pool)} waiting learners picked “{challenge.title}”; "
            f"a new cohort needs at least {settings.minimum}."
        )
    result = engine.form_cohorts(pool, settings)
    rows = insert_cohorts(session, course_id, result.cohorts, "published", now)
    refresh_report(session, course_id, now, changed=[c.id for c in rows])
    return rows


def remove_member(
    session: Session, course_id: int, cohort_id: int, person_id: int, now: datetime
) -> Cohort:
    """Take a learner out of a cohort (for example after they left the course)."""
    cohort = get_cohort(session, course_id, cohort_id, ("draft", "published"))
    gone = session.execute(
        delete(Membership).where(
            Membership.cohort_id == cohort.id,
            Membership.course_id == course_id,
            Membership.person_id == person_id,
        )
    )
    if not gone.rowcount:  # type: ignore[attr-defined]
        raise NotFound("That person is not a member of this cohort.")
    session.flush()
    refresh_report(session, course_id, now, changed=[cohort.id])
    return cohort


@dataclass(frozen=True, slots=True)
class MergeSuggestion:
    """A published cohort below the minimum and where its members could go."""

    cohort: Cohort
    size: int
    target: Cohort | None
    target_size: int


def shrink_suggestions(session: Session, course_id: int) -> list[MergeSuggestion]:
    """List published cohorts below the minimum, each with the same-challenge cohort most
    able to take its members in (sizes read as plain rows; only the named cohorts loaded)."""
    settings = get_settings(session, course_id)
    rows = session.execute(
        select(Cohort.id, Cohort.challenge_id, Cohort.locked, Cohort.merge_dismissed)
        .add_columns(func.count(Membership.id))
        .outerjoin(Membership, Membership.cohort_id == Cohort.id)
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .group_by(Cohort.id, Cohort.challenge_id, Cohort.locked, Cohort.merge_dismissed)
        .order_by(Cohort.id)
    ).all()
    found = merge_targets(rows, settings.minimum, settings.maximum)
    sizes = {cid: size for cid, _, _, _, size in rows}
    named = {cid for pair in found for cid in pair if cid is not None}
    loaded = {c.id: c for c in session.scalars(select(Cohort).where(Cohort.id.in_(named)))}
    return [
        MergeSuggestion(
            loaded[cid],
            sizes[cid],
            loaded[target] if target else None,
            sizes[target] if target else 0,
        )
        for cid, target in found
    ]


def merge_cohorts(
    session: Session, course_id: int, source_id: int, target_id: int, now: datetime
) -> Cohort:
    """Move every member of a small cohort into another and archive the small one."""
    if source_id == target_id:
        raise DomainError("A cohort cannot merge into itself.")
    source = get_cohort(session, course_id, source_id, ("published",))
    target = get_cohort(session, course_id, target_id, ("published",))
    maximum = get_settings(session, course_id).maximum
    count = select(func.count()).where(Membership.cohort_id.in_((source.id, target.id)))
    if (session.scalar(count) or 0) > maximum:
        raise DomainError(f"Together they would have more than {maximum} members.")
    with guarded(session):
        session.execute(
            update(Membership).where(Membership.cohort_id == source.id).values(cohort_id=target.id)
        )
        source.status = "archived"
    refresh_report(session, course_id, now, changed=[target.id])
    return target


def dismiss_merge(session: Session, course_id: int, cohort_id: int) -> Cohort:
    """Keep a small cohort as it is and stop suggesting a merge for it."""
    cohort = get_cohort(session, course_id, cohort_id, ("published",))
    cohort.merge_dismissed = True
    session.flush()
    return cohort


def pick_and_place(
    session: Session,
    course_id: int,
    person_id: int,
    challenge_ids: list[int | None],
    now: datetime,
) -> Cohort | None:
    """Save a learner's picks; once cohorts are published, place them at once if one fits."""
    cohort_id, current = session.execute(
        select(Cohort.id, Cohort.status)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.course_id == course_id, Membership.person_id == person_id)
    ).first() or (None, None)
    if current == "published":
        raise DomainError("You are already in a cohort, so your picks can no longer change.")
    challenges.pick_challenges(session, course_id, person_id, challenge_ids, now)
    if current == "draft":  # the draft's figures count picks: its stored row follows them
        refresh_report(session, course_id, now, changed=[cohort_id])
        return None
    return place_late_joiner(session, course_id, person_id, now)
