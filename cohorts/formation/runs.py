"""Forming a course's cohorts in the background: one run at a time, its state in the database.

A run is recorded before the job is handed over, claimed by whichever worker picks it up,
and finished (or failed, in words) in the database, so every web worker shows the same
progress. A partial unique index allows one queued or running run per course; two staff
pressing "Form" at once get one formation and one clear refusal.
"""

from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cohorts.db import unique_or
from cohorts.errors import DomainError
from cohorts.models import Choice, Cohort, FormationRun, Membership

#: From this many learners to place, forming may take more than a second: it goes to a job.
BACKGROUND_FROM = 40
#: The exact solver's budget in a background job (the command line allows more).
JOB_SECONDS = 10.0
#: A run still queued or running after this long died with its worker; a new one may start.
STALE_AFTER = timedelta(minutes=10)
ACTIVE = ("queued", "running")
FAILED = "Forming stopped unexpectedly (see the server log); press the button to try again."


class FormingAlready(DomainError):
    """Cohorts of this course are being formed already."""

    status = 409


def learners_to_place(session: Session, course_id: int) -> int:
    """Learners with picks outside published and locked cohorts: the work a formation has."""
    settled = (
        select(Membership.person_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(
            Membership.course_id == course_id,
            (Cohort.status == "published") | Cohort.locked,
        )
    )
    return (
        session.scalar(
            select(func.count(func.distinct(Choice.person_id))).where(
                Choice.course_id == course_id, Choice.person_id.not_in(settled)
            )
        )
        or 0
    )


def in_background(session: Session, course_id: int) -> bool:
    """Whether forming this course's cohorts belongs in a background job."""
    return learners_to_place(session, course_id) >= BACKGROUND_FROM


def active_run(session: Session, course_id: int) -> FormationRun | None:
    """The course's queued or running formation, if any."""
    return session.scalars(
        select(FormationRun).where(
            FormationRun.course_id == course_id, FormationRun.status.in_(ACTIVE)
        )
    ).first()


def latest_run(session: Session, course_id: int) -> FormationRun | None:
    """The course's most recent background formation, if any."""
    return session.scalars(
        select(FormationRun)
        .where(FormationRun.course_id == course_id)
        .order_by(FormationRun.requested_at.desc(), FormationRun.id.desc())
    ).first()


def refuse_if_forming(session: Session, course_id: int, now: datetime) -> None:
    """Refuse a change while a formation runs; end runs whose worker died first."""
    session.execute(
        update(FormationRun)
        .where(
            FormationRun.course_id == course_id,
            FormationRun.status.in_(ACTIVE),
            FormationRun.requested_at < now - STALE_AFTER,
        )
        .values(status="failed", finished_at=now, message=FAILED)
    )
    run = active_run(session, course_id)
    if run is not None:
        raise FormingAlready(
            f"Cohorts are already being formed (asked for at {run.requested_at:%H:%M} UTC); "
            "this page shows the result when it is ready."
        )


def start_run(
    session: Session, course_id: int, person_id: int | None, now: datetime
) -> FormationRun:
    """Record a formation to run in the background, unless one is queued or running; flush."""
    refuse_if_forming(session, course_id, now)
    run = FormationRun(
        course_id=course_id,
        status="queued",
        requested_by_id=person_id,
        requested_at=now,
        formed=0,
        message="",
    )
    with unique_or(session, FormingAlready("Cohorts are already being formed.")):
        session.add(run)
        session.flush()
    return run


def claim_run(session: Session, run_id: int, now: datetime) -> int | None:
    """Mark a queued run as running; the course id, or None when another worker has it."""
    return session.execute(
        update(FormationRun)
        .where(FormationRun.id == run_id, FormationRun.status == "queued")
        .values(status="running", started_at=now)
        .returning(FormationRun.course_id)
    ).scalar_one_or_none()


def finish_run(
    session: Session, run_id: int, now: datetime, formed: int = 0, error: str | None = None
) -> None:
    """Record how a run ended: the drafts it formed, or why it failed in words; flush."""
    session.execute(
        update(FormationRun)
        .where(FormationRun.id == run_id)
        .values(
            status="failed" if error is not None else "done",
            finished_at=now,
            formed=formed,
            message=(error or "")[:1000],
        )
    )
