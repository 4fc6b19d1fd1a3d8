"""Commands for the participation column: ``grades publish`` and ``grades retry``.

Run ``flask --app lti_app grades retry`` from cron (daily, or hourly) so scores the
platform could not take right away are sent once their back-off has passed.
"""

import click
from flask.cli import AppGroup
from sqlalchemy import func, select

from cohorts.grades import outbox
from cohorts.models import GradeSettings, ScorePost, utcnow

from .cli import database_command
from .extensions import db
from .grades import publish, sender

grades_cli = AppGroup("grades", help="Send participation scores to LMS gradebooks.")


@grades_cli.command("publish")
@click.option("--course", "course_id", type=int, help="Only this course (its id in Communitas).")
@database_command
def grades_publish(course_id: int | None) -> None:
    """Queue and send the scores of every course with the column on (or of one course)."""
    query = select(GradeSettings.course_id).where(GradeSettings.enabled.is_(True))
    if course_id is not None:
        query = query.where(GradeSettings.course_id == course_id)
    courses = list(db.session.scalars(query.order_by(GradeSettings.course_id)))
    if not courses:
        raise click.ClickException("No course has the participation column on.")
    for course in courses:
        if publish.start_publication(course):
            sender.drain(course)  # a command may wait for the retries coming due soon
        _, problem = publish.last_publication(db.session, course)
        if problem:
            click.echo(f"Course {course}: {problem}", err=True)
    counts = _counts(course_id)
    click.echo(f"Scores: {counts}.")


@grades_cli.command("retry")
@click.option("--course", "course_id", type=int, help="Only this course (its id in Communitas).")
@click.option("--failed", is_flag=True, help="Also try again the scores the platform refused.")
@database_command
def grades_retry(course_id: int | None, failed: bool) -> None:
    """Send the scores waiting for another attempt whose time has come."""
    if failed:
        count = outbox.requeue_failed(db.session, utcnow(), course_id)
        db.session.commit()
        click.echo(f"{count} refused {'score' if count == 1 else 'scores'} queued again.")
    totals = sender.drain(course_id, wait=False)
    click.echo(f"This run: {sender.summary(totals)}. Scores: {_counts(course_id)}.")


def _counts(course_id: int | None) -> str:
    query = select(ScorePost.status, func.count()).group_by(ScorePost.status)
    if course_id is not None:
        query = query.where(ScorePost.course_id == course_id)
    found = dict(db.session.execute(query).all())
    return ", ".join(f"{found.get(s, 0)} {s}" for s in ("sent", "pending", "failed")) or "none"
