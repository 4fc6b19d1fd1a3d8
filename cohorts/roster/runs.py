"""The record of each roster sync: started, finished with its counts, or failed in words."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from cohorts.errors import DomainError
from cohorts.models import Course, Enrolment, RosterSync

from .sync import RosterResult

#: A run still "running" after this long died with its worker; a new one may start.
STALE_AFTER = timedelta(minutes=20)
#: The daily sync skips courses synced more recently than this.
DAILY_GAP = timedelta(hours=20)


class SyncAlreadyRunning(DomainError):
    """A roster sync of this course is already under way."""

    status = 409


def start_run(session: Session, course_id: int, trigger: str, now: datetime) -> RosterSync:
    """Record a new sync of the course, unless one is already running; flush."""
    running = session.scalars(
        select(RosterSync).where(
            RosterSync.course_id == course_id,
            RosterSync.status == "running",
            RosterSync.started_at > now - STALE_AFTER,
        )
    ).first()
    if running is not None:
        raise SyncAlreadyRunning(
            f"A roster sync is already running (started {running.started_at:%H:%M} UTC)."
        )
    run = RosterSync(course_id=course_id, trigger=trigger, status="running", started_at=now)
    session.add(run)
    session.flush()
    return run


def finish_run(
    session: Session, run_id: int, result: RosterResult, differences: bool, now: datetime
) -> None:
    """Record a sync's counts; flush."""
    session.execute(
        update(RosterSync)
        .where(RosterSync.id == run_id)
        .values(
            status="done",
            finished_at=now,
            listed=result.listed,
            added=result.added,
            updated=result.updated,
            inactive=result.inactive,
            differences=differences,
            error=None,
        )
    )


def fail_run(session: Session, run_id: int, error: str, now: datetime) -> None:
    """Record why a sync failed, in words staff can act on; flush."""
    session.execute(
        update(RosterSync)
        .where(RosterSync.id == run_id)
        .values(status="failed", finished_at=now, error=error[:1000])
    )


def latest_run(session: Session, course_id: int) -> RosterSync | None:
    """The course's most recent sync, whatever its outcome."""
    return session.scalars(
        select(RosterSync)
        .where(RosterSync.course_id == course_id)
        .order_by(RosterSync.started_at.desc(), RosterSync.id.desc())
        .limit(1)
    ).first()


def courses_due(session: Session, now: datetime) -> list[int]:
    """Courses with a roster service and no sync started within the daily gap."""
    recent = select(RosterSync.course_id).where(RosterSync.started_at > now - DAILY_GAP)
    return list(
        session.scalars(
            select(Course.id)
            .where(Course.nrps_url.is_not(None), Course.id.not_in(recent))
            .order_by(Course.id)
        )
    )


@dataclass(frozen=True, slots=True)
class Opened:
    """How many of the course's active learners have opened Communitas."""

    opened: int
    learners: int


def learners_opened(session: Session, course_id: int) -> Opened:
    """Count active learners, and those among them who ever launched."""
    row = session.execute(
        select(func.count(), func.count(Enrolment.last_launch_at)).where(
            Enrolment.course_id == course_id,
            Enrolment.role == "learner",
            Enrolment.active.is_(True),
        )
    ).one()
    return Opened(opened=row[1], learners=row[0])
