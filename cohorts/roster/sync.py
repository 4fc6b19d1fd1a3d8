"""Apply a roster the platform sent to a course: enrol the new, update, retire the gone.

Writes go in batches (one statement per few hundred rows), so a roster of ten thousand
members costs a few dozen statements, not tens of thousands. Nothing is deleted: people who
left are marked inactive and their cohort places move to ``membership_end``.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from cohorts.db import conflict_insert
from cohorts.formation.stored import refresh_report
from cohorts.membership import CHUNK, end_memberships
from cohorts.models import Cohort, Enrolment, Membership, Person

from .rules import PERSONAL, Known, Member, RosterChanges, roster_changes

LEFT_COURSE = "left_course"


@dataclass(frozen=True, slots=True)
class RosterResult:
    """What one sync did, for the run record and the staff page."""

    listed: int
    added: int
    updated: int
    inactive: int
    never_launched: int


def known_enrolments(session: Session, course_id: int) -> list[Known]:
    """Every enrolment of the course with its person's sub and personal fields."""
    rows = session.execute(
        select(
            Enrolment.person_id,
            Person.sub,
            Enrolment.role,
            Enrolment.lti_roles,
            Enrolment.active,
            Enrolment.last_launch_at.is_not(None),
            *(getattr(Person, f) for f in PERSONAL),
        )
        .join(Person, Person.id == Enrolment.person_id)
        .where(Enrolment.course_id == course_id)
    ).all()
    return [Known(*row) for row in rows]


def _insert(session: Session) -> Any:
    return conflict_insert(session.connection().dialect.name)


def _people(
    session: Session, issuer: str, client_id: str, members: Sequence[Member]
) -> dict[str, int]:
    """Upsert the new members' people (names only where sent); return their ids by sub."""
    if not members:
        return {}
    rows = [
        {"issuer": issuer, "client_id": client_id, "sub": m.sub}
        | {f: getattr(m, f) for f in PERSONAL}
        for m in members
    ]
    statement = _insert(session)(Person)
    statement = statement.on_conflict_do_update(
        index_elements=["issuer", "client_id", "sub"],
        set_={f: func.coalesce(statement.excluded[f], getattr(Person, f)) for f in PERSONAL},
    )
    # With RETURNING, SQLAlchemy sends many rows per statement ("insertmanyvalues").
    found = session.connection().execute(statement.returning(Person.sub, Person.id), rows)
    return dict(found.all())  # type: ignore[arg-type]


def _enrol(session: Session, course_id: int, members: Sequence[Member], ids: dict[str, int]) -> int:
    """Enrol new members as never launched; one a concurrent launch enrolled is left alone."""
    if not members:
        return 0  # an empty parameter list would run the statement once, with no values
    rows = [
        {
            "course_id": course_id,
            "person_id": ids[m.sub],
            "role": m.role,
            "lti_roles": " ".join(m.lti_roles),
            "last_launch_at": None,
            "active": True,
        }
        for m in members
    ]
    statement = _insert(session)(Enrolment).on_conflict_do_nothing(
        index_elements=["course_id", "person_id"]
    )
    # Core (the ORM would fill None with the column default); RETURNING batches the rows.
    session.connection().execute(statement.returning(Enrolment.id), rows)
    return len(rows)


def _update(session: Session, course_id: int, changed: Sequence[tuple[int, Member]]) -> None:
    """Bring changed enrolments and their people up to date (names only where sent)."""
    if not changed:
        return
    enrolments = (
        update(Enrolment)
        .where(Enrolment.course_id == course_id, Enrolment.person_id == bindparam("pid"))
        .values(role=bindparam("r"), lti_roles=bindparam("lr"), active=True, left_at=None)
    )
    people = (
        update(Person)
        .where(Person.id == bindparam("pid"))
        .values({f: func.coalesce(bindparam("v_" + f), getattr(Person, f)) for f in PERSONAL})
    )
    connection = session.connection()
    connection.execute(
        enrolments,
        [{"pid": pid, "r": m.role, "lr": " ".join(m.lti_roles)} for pid, m in changed],
    )
    connection.execute(
        people,
        [{"pid": pid} | {"v_" + f: getattr(m, f) for f in PERSONAL} for pid, m in changed],
    )


def _retire(session: Session, course_id: int, gone: Sequence[int], now: datetime) -> None:
    """Mark people the roster no longer lists inactive and end their cohort places."""
    for start in range(0, len(gone), CHUNK):
        chunk = list(gone[start : start + CHUNK])
        session.execute(
            update(Enrolment)
            .where(Enrolment.course_id == course_id, Enrolment.person_id.in_(chunk))
            .values(active=False, left_at=now)
        )
    left = _cohorts_of(session, course_id, gone)
    end_memberships(session, course_id, gone, now, LEFT_COURSE)
    if left or (gone and _has_cohorts(session, course_id)):
        # The cohorts they left, and the course's learner count, are in the stored report.
        refresh_report(session, course_id, now, changed=left)


def _cohorts_of(session: Session, course_id: int, people: Sequence[int]) -> list[int]:
    """The cohorts these people are members of, read in chunks."""
    found: set[int] = set()
    for start in range(0, len(people), CHUNK):
        chunk = list(people[start : start + CHUNK])
        found.update(
            session.scalars(
                select(Membership.cohort_id).where(
                    Membership.course_id == course_id, Membership.person_id.in_(chunk)
                )
            )
        )
    return sorted(found)


def _has_cohorts(session: Session, course_id: int) -> bool:
    return (
        session.scalar(select(Cohort.id).where(Cohort.course_id == course_id).limit(1)) is not None
    )


def apply_roster(
    session: Session,
    course_id: int,
    issuer: str,
    client_id: str,
    members: Sequence[Member],
    complete: bool,
    now: datetime,
) -> RosterResult:
    """Apply one roster (full, or the platform's differences) to the course; flush."""
    changes: RosterChanges = roster_changes(members, known_enrolments(session, course_id), complete)
    ids = _people(session, issuer, client_id, changes.new)
    added = _enrol(session, course_id, changes.new, ids)
    _update(session, course_id, changes.changed)
    _retire(session, course_id, changes.gone, now)
    session.flush()
    return RosterResult(
        listed=changes.listed,
        added=added,
        updated=len(changes.changed),
        inactive=len(changes.gone),
        never_launched=changes.never_launched,
    )
