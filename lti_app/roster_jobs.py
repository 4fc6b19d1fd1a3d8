"""Roster sync jobs: read a course's roster from its platform and apply it.

Each job opens its own session and records its run (counts, or the error in words), so the
staff page shows how it went whichever process ran it.
"""

import logging

from sqlalchemy.orm import Session

from cohorts.models import Course, utcnow
from cohorts.roster import runs
from cohorts.roster.sync import RosterResult, apply_roster

from . import jobs
from .lti.services import nrps
from .lti.services.client import ServiceCallFailed
from .lti.services.token import registration_of

log = logging.getLogger("communitas.roster")
NO_SERVICE = (
    "No launch from this course has offered the roster service (Names and Role "
    "Provisioning) yet: ask the LMS administrator to enable it for Communitas, then open "
    "Communitas from the course once."
)
NO_REGISTRATION = "The course's platform registration is no longer active in Communitas."


def read_and_apply(
    session: Session, course: Course, full: bool = False
) -> tuple[RosterResult, bool]:
    """Fetch the roster (differences when the platform offered them) and apply it; flush."""
    if not course.nrps_url:
        raise ServiceCallFailed(NO_SERVICE)
    registration = registration_of(session, course.issuer, course.client_id)
    if registration is None:
        raise ServiceCallFailed(NO_REGISTRATION)
    since = None if full else course.roster_differences_url
    try:
        roster = nrps.fetch_roster(registration, course.nrps_url, since)
    except ServiceCallFailed as exc:
        if since is None or exc.status not in (400, 404, 410):
            raise
        roster = nrps.fetch_roster(registration, course.nrps_url)  # the link expired
    result = apply_roster(
        session,
        course.id,
        course.issuer,
        course.client_id,
        roster.members,
        roster.complete,
        utcnow(),
    )
    course.roster_differences_url = roster.differences_url
    return result, not roster.complete


def run_sync(session: Session, course_id: int, run_id: int, full: bool = False) -> str | None:
    """Sync one course under an existing run record; commit; return the error, if any."""
    course = session.get(Course, course_id)
    if course is None:
        return "That course no longer exists."
    try:
        result, differences = read_and_apply(session, course, full)
    except ServiceCallFailed as exc:
        session.rollback()
        runs.fail_run(session, run_id, str(exc), utcnow())
        session.commit()
        return str(exc)
    except Exception:
        session.rollback()
        log.exception("roster sync of course %s failed", course_id)
        runs.fail_run(
            session, run_id, "An unexpected error stopped the sync (see the server log).", utcnow()
        )
        session.commit()
        raise
    runs.finish_run(session, run_id, result, differences, utcnow())
    session.commit()
    return None


def sync_course_roster(course_id: int, run_id: int, full: bool = False) -> None:
    """Job: sync one course's roster under the run the request recorded."""
    with jobs.job_session() as session:
        run_sync(session, course_id, run_id, full)


def sync_all_rosters() -> None:
    """Job (daily): sync every course with a roster service not synced in the last 20 hours."""
    with jobs.job_session() as session:
        for course_id in runs.courses_due(session, utcnow()):
            try:
                run = runs.start_run(session, course_id, "daily", utcnow())
            except runs.SyncAlreadyRunning:
                session.rollback()
                continue
            session.commit()
            try:
                run_sync(session, course_id, run.id)
            except Exception:  # recorded and logged; the other courses still sync
                continue
