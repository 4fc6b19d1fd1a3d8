"""Forming, editing and publishing cohorts, and keeping them whole as the course runs."""

from collections.abc import Iterable
from contextlib import AbstractContextManager
from datetime import datetime

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from cohorts.db import unique_or
from cohorts.errors import DomainError, NotFound
from cohorts.formation.exact import form_best
from cohorts.formation.learners import load_learners, members_by_cohort, states_of
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.stored import refresh_report
from cohorts.formation.values import Cohort as FormedCohort
from cohorts.formation.words import stored_findings
from cohorts.membership import get_cohort
from cohorts.models import (
    Challenge,
    Cohort,
    Enrolment,
    Membership,
)

COHORTS_CHANGED = "Someone else changed these cohorts at the same time; reload and try again."


class CohortsChanged(DomainError):
    """A concurrent change won the race; nothing of this request was kept."""

    status = 409


def guarded(session: Session) -> AbstractContextManager[None]:
    """Run writes in a savepoint; a broken unique rule means someone else got there first."""
    return unique_or(session, CohortsChanged(COHORTS_CHANGED))


def _cohorts(session: Session, course_id: int, *statuses: str) -> list[Cohort]:
    return list(
        session.scalars(
            select(Cohort)
            .where(Cohort.course_id == course_id, Cohort.status.in_(statuses))
            .order_by(Cohort.id)
        )
    )


def _free_name(title: str, taken: set[str]) -> str:
    """Number cohorts per challenge without reusing a name: LMS group exports match by name."""
    number = 1
    while f"{title} {number}" in taken:
        number += 1
    return f"{title} {number}"


def insert_cohorts(
    session: Session,
    course_id: int,
    groups: Iterable[FormedCohort],
    status: str,
    now: datetime,
) -> list[Cohort]:
    """Insert formed cohorts and their memberships in bulk (a few statements, any size)."""
    groups = list(groups)
    ids = {int(g.challenge_id) for g in groups}
    if not groups:
        return []
    titles = dict(
        session.execute(select(Challenge.id, Challenge.title).where(Challenge.id.in_(ids))).all()
    )
    taken = set(
        session.scalars(
            select(Cohort.name).where(Cohort.course_id == course_id, Cohort.status != "archived")
        )
    )
    values = []
    for group in groups:
        challenge_id = int(group.challenge_id)
        name = _free_name(titles[challenge_id][:70], taken)
        taken.add(name)
        values.append(
            {
                "course_id": course_id,
                "challenge_id": challenge_id,
                "status": status,
                "name": name,
                "locked": False,
                "merge_dismissed": False,
                "created_at": now,
                "published_at": now if status == "published" else None,
            }
        )
    with guarded(session):
        new_ids = session.scalars(
            insert(Cohort).returning(Cohort.id, sort_by_parameter_order=True), values
        ).all()
        members = [
            {
                "cohort_id": cohort_id,
                "course_id": course_id,
                "person_id": int(pid),
                "joined_at": now,
            }
            for cohort_id, group in zip(new_ids, groups, strict=True)
            for pid in group.members
        ]
        if members:
            session.execute(insert(Membership), members)
    by_id = {c.id: c for c in session.scalars(select(Cohort).where(Cohort.id.in_(new_ids)))}
    return [by_id[i] for i in new_ids]


#: Seconds the exact solver may take in a page request; past it the best found so far.
#: Courses that need longer form in a background job (`cohorts.formation.runs`).
FORM_SECONDS = 1.0


def form_draft(
    session: Session, course_id: int, now: datetime, seconds: float = FORM_SECONDS
) -> list[Cohort]:
    """Form draft cohorts for everyone not in a locked or published cohort.

    Unlocked drafts are dissolved and formed again; locked drafts and published cohorts
    go to the formation code as locked, so their members never move.
    """
    row = get_settings(session, course_id)
    # One formation at a time per course: a second one waits here, then replaces the first.
    session.refresh(row, with_for_update=True)
    settings = settings_of(row)
    with guarded(session):
        loose = [c.id for c in _cohorts(session, course_id, "draft") if not c.locked]
        if loose:
            session.execute(delete(Membership).where(Membership.cohort_id.in_(loose)))
            session.execute(delete(Cohort).where(Cohort.id.in_(loose)))
    learners = load_learners(session, course_id)
    kept = [c for c in _cohorts(session, course_id, "draft", "published")]
    existing = states_of(session, kept, learners, lock_all=True)
    result = form_best(list(learners.values()), settings, existing, seconds)
    kept_ids = {state.cohort_id for state in existing}
    fresh = [c for c in result.cohorts if c.cohort_id not in kept_ids]
    if not fresh and not kept:
        raise DomainError("No cohort could be formed: learners need to pick challenges first.")
    rows = insert_cohorts(session, course_id, fresh, "draft", now)
    row.left_out, row.quality = stored_findings(result)
    refresh_report(session, course_id, now)
    return rows


def _draft_for_editing(session: Session, course_id: int, cohort_id: int) -> Cohort:
    cohort = get_cohort(session, course_id, cohort_id, ("draft",))
    if cohort.locked:
        raise DomainError(f"“{cohort.name}” is locked; unlock it before changing its members.")
    return cohort


def move_member(
    session: Session, course_id: int, person_id: int, cohort_id: int, now: datetime
) -> Cohort:
    """Move a learner (placed in an unlocked draft, or left out) into another draft cohort."""
    target = _draft_for_editing(session, course_id, cohort_id)
    membership = session.scalars(
        select(Membership).where(
            Membership.course_id == course_id, Membership.person_id == person_id
        )
    ).one_or_none()
    learner = session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == course_id,
            Enrolment.person_id == person_id,
            Enrolment.role == "learner",
        )
    )
    if learner is None:
        raise NotFound("That learner is not in this course.")
    maximum = get_settings(session, course_id).maximum
    size = session.scalar(select(func.count()).where(Membership.cohort_id == target.id)) or 0
    if size >= maximum:
        raise DomainError(
            f"“{target.name}” already has {size} members (the maximum is "
            f"{maximum}). Raise the maximum or move someone out first."
        )
    changed = [target.id]
    with guarded(session):
        if membership is None:
            session.add(
                Membership(
                    cohort_id=target.id, course_id=course_id, person_id=person_id, joined_at=now
                )
            )
        elif membership.cohort_id != target.id:
            _draft_for_editing(session, course_id, membership.cohort_id)
            changed.append(membership.cohort_id)
            membership.cohort_id = target.id
    refresh_report(session, course_id, now, changed)
    return target


def set_locked(
    session: Session, course_id: int, cohort_id: int, locked: bool, now: datetime
) -> Cohort:
    """Lock a cohort so re-forming and late joiners leave it as it is, or unlock it."""
    cohort = get_cohort(session, course_id, cohort_id, ("draft", "published"))
    cohort.locked = locked
    session.flush()
    refresh_report(session, course_id, now, changed=())
    return cohort


def rename_cohort(session: Session, course_id: int, cohort_id: int, name: str) -> Cohort:
    """Give a cohort a name its members will recognise."""
    name = " ".join(name.split())
    if not 2 <= len(name) <= 80:
        raise DomainError("A cohort name has 2 to 80 characters.")
    cohort = get_cohort(session, course_id, cohort_id, ("draft", "published"))
    cohort.name = name
    session.flush()
    return cohort


def publish_drafts(session: Session, course_id: int, now: datetime) -> int:
    """Publish every draft cohort at once; empty drafts are dropped first."""
    drafts = [c.id for c in _cohorts(session, course_id, "draft")]
    sizes = members_by_cohort(session, drafts)
    empty = [cid for cid in drafts if not sizes[cid]]
    ready = [cid for cid in drafts if sizes[cid]]
    if not ready:
        raise DomainError("There is no draft to publish. Form cohorts first.")
    with guarded(session):
        if empty:
            session.execute(delete(Cohort).where(Cohort.id.in_(empty)))
        done = session.execute(
            update(Cohort)
            .where(Cohort.id.in_(ready), Cohort.status == "draft")
            .values(status="published", published_at=now)
            .execution_options(synchronize_session="fetch")
        )
    if done.rowcount != len(ready):  # type: ignore[attr-defined]
        raise CohortsChanged(COHORTS_CHANGED)
    session.expire_all()
    refresh_report(session, course_id, now, changed=())
    return len(ready)
