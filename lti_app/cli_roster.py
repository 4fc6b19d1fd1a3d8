"""``flask --app lti_app roster sync [--course ID] [--full]``: sync rosters now, here."""

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.models import Course, RosterSync, utcnow
from cohorts.roster import runs

from . import jobs
from .cli import database_command
from .roster_jobs import run_sync

roster_cli = AppGroup("roster", help="Read course rosters from their platforms (NRPS).")


@roster_cli.command("sync")
@click.option("--course", "course_id", type=int, help="The course's id (default: every course).")
@click.option("--full", is_flag=True, help="Read the whole roster, not only the differences.")
@database_command
def roster_sync(course_id: int | None, full: bool) -> None:
    """Sync one course's roster (or every course's) in this process; exit 1 if any failed."""
    with jobs.job_session() as session:
        if course_id is not None:
            course = session.get(Course, course_id)
            if course is None:
                raise click.ClickException(f"no course with id {course_id}")
            if not course.nrps_url:
                raise click.ClickException(
                    f"course {course_id} has no roster service yet: no launch has offered NRPS"
                )
            ids = [course_id]
        else:
            ids = list(session.scalars(select(Course.id).where(Course.nrps_url.is_not(None))))
            if not ids:
                click.echo("No course has a roster service yet (no launch offered NRPS).")
                return
        failed = 0
        for one in ids:
            failed += _sync_one(session, one, full)
    if failed:
        raise click.ClickException(f"{failed} of {len(ids)} roster syncs failed")


def _sync_one(session: Session, course_id: int, full: bool) -> int:
    """Sync one course and print its outcome; return 1 when it failed."""
    try:
        run = runs.start_run(session, course_id, "command", utcnow())
    except runs.SyncAlreadyRunning as exc:
        session.rollback()
        click.echo(f"course {course_id}: {exc}", err=True)
        return 1
    session.commit()
    error = run_sync(session, course_id, run.id, full)
    if error:
        click.echo(f"course {course_id}: failed: {error}", err=True)
        return 1
    done = session.get_one(RosterSync, run.id)
    session.refresh(done)
    click.echo(
        f"course {course_id}: {done.listed} listed, {done.added} added, {done.updated} updated, "
        f"{done.inactive} marked inactive" + (" (differences only)" if done.differences else "")
    )
    return 0
