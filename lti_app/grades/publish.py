"""Publish a course's participation scores: find or create its column, queue, send.

``request_publication`` runs in the staff request and only submits a job; ``publish_course``
is the job (plain arguments, so RQ can run it on another host).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from pylti1p3.registration import Registration
from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.errors import DomainError
from cohorts.grades import line_items, outbox, rules
from cohorts.grades.measures import learner_counts
from cohorts.grades.settings import column_settings, lock_column, note_publication, publication_note
from cohorts.models import Course, GradeLineItem, ResourceLink, utcnow

from .. import jobs
from ..extensions import db
from ..lti.services import ags, token
from ..lti.services.client import ServiceCallFailed
from . import sender

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GradeService:
    """What the course's launches said about its gradebook (the AGS claim of a resource link)."""

    resource_link_id: str
    lineitems: str | None
    lineitem: str | None
    scopes: tuple[str, ...]

    @property
    def manages_columns(self) -> bool:
        return bool(self.lineitems) and ags.SCOPE_LINEITEM in self.scopes


def grade_service(session: Session, course_id: int) -> GradeService | None:
    """The newest resource link of the course whose launches carried an AGS claim."""
    row = session.scalars(
        select(ResourceLink)
        .where(ResourceLink.course_id == course_id, ResourceLink.ags_scopes.is_not(None))
        .order_by(ResourceLink.id.desc())
        .limit(1)
    ).first()
    if row is None or ags.SCOPE_SCORE not in (row.ags_scopes or "").split():
        return None
    return GradeService(
        row.link_id,
        row.ags_lineitems_url,
        row.ags_lineitem_url,
        tuple((row.ags_scopes or "").split()),
    )


def last_publication(session: Session, course_id: int) -> tuple[datetime | None, str | None]:
    """When staff last published, and why it could not start, if so."""
    return publication_note(session, course_id)


def request_publication(session: Session, course_id: int, now: datetime) -> None:
    """Check the column can be published, then hand the work to a background job."""
    if not column_settings(session, course_id).enabled:
        raise DomainError("Turn the column on before publishing scores.")
    service = grade_service(session, course_id)
    if service is None:
        raise DomainError(
            "The LMS has not given Communitas its grade service for this course; "
            "see below what to enable."
        )
    note_publication(session, course_id, now, None)
    jobs.submit(publish_course, course_id)


def request_retry(session: Session, course_id: int, now: datetime) -> int:
    """Queue refused scores again and send them in the background; return how many."""
    count = outbox.requeue_failed(session, now, course_id)
    if count:
        jobs.submit(drain_course, course_id)
    return count


def _registration(session: Session, course: Course) -> Registration:
    registration = token.registration_of(session, course.issuer, course.client_id)
    if registration is None:
        raise DomainError("The course's platform is no longer registered with Communitas.")
    return registration


def ensure_line_item(
    session: Session, course: Course, service: GradeService, maximum: float
) -> GradeLineItem:
    """Return the column for the course's link: recorded, found by tag, or created once."""
    known = line_items.known_line_item(session, course.id, service.resource_link_id)
    if known is not None:
        return known
    lock_column(session, course.id)  # one finder at a time (PostgreSQL row lock)
    known = line_items.known_line_item(session, course.id, service.resource_link_id)
    if known is not None:
        return known
    if not service.manages_columns:
        if not service.lineitem:
            raise DomainError(
                "The LMS lets Communitas post scores but not add a column, and gave none."
            )
        return line_items.record_line_item(
            session, course.id, service.resource_link_id, service.lineitem, maximum, created=False
        )
    assert service.lineitems is not None
    try:
        bearer = token.access_token(_registration(session, course), [ags.SCOPE_LINEITEM])
        found = ags.find_line_item(
            bearer, service.lineitems, tag=line_items.TAG, resource_link_id=service.resource_link_id
        )
        created = found is None
        item = found or ags.create_line_item(
            bearer,
            service.lineitems,
            label=line_items.LABEL,
            score_maximum=maximum,
            tag=line_items.TAG,
            resource_link_id=service.resource_link_id,
        )
    except (ags.AgsError, ServiceCallFailed) as exc:
        raise DomainError(str(exc)) from exc
    return line_items.record_line_item(
        session,
        course.id,
        service.resource_link_id,
        item["id"],
        float(item.get("scoreMaximum") or maximum),
        created=created,
    )


def column_of(session: Session, course_id: int) -> GradeLineItem | None:
    """Find or create the course's column when it is on and the LMS offers the service."""
    settings = column_settings(session, course_id)
    service = grade_service(session, course_id)
    course = session.get(Course, course_id)
    if not settings.enabled or service is None or course is None:
        return None
    return ensure_line_item(session, course, service, settings.rule.maximum)


def queue_course(
    session: Session, course_id: int, line_item_id: int, now: datetime
) -> outbox.Queued:
    """Queue every learner's current score under the course's rule."""
    rule = column_settings(session, course_id).rule
    scores = rules.learner_scores(learner_counts(session, course_id), rule)
    return outbox.queue_scores(session, course_id, line_item_id, scores, now)


def start_publication(course_id: int) -> bool:
    """Find the column and queue the course's scores; False when there is nothing to send."""
    try:
        column = column_of(db.session, course_id)
        db.session.commit()  # a column created at the platform is remembered at once
        if column is None:
            return False
        queued = queue_course(db.session, course_id, column.id, utcnow())
        db.session.commit()
    except Exception as exc:  # the staff page says why; the log keeps the detail
        db.session.rollback()
        log.warning("publishing course %s could not start: %s", course_id, exc, exc_info=True)
        note_publication(db.session, course_id, utcnow(), _words(exc))
        db.session.commit()
        return False
    log.info(
        "course %s: %s scores queued, %s unchanged", course_id, queued.queued, queued.unchanged
    )
    return True


def publish_course(course_id: int) -> None:
    """Job: find the column, queue the course's scores, send them."""
    if start_publication(course_id):
        drain_course(course_id)


def drain_course(course_id: int | None = None) -> None:
    """Job: send the due scores of one course (or of all), then come back for the retries.

    The job never sleeps while a retry waits (it would hold the worker): it schedules
    itself for when the next score is due. The outbox rows say what is due, so a drain
    scheduled twice, or one lost with its process, sends nothing twice and nothing is lost.
    """
    totals = sender.drain(course_id, wait=False)
    log.info("score outbox drained: %s", sender.summary(totals))
    due = outbox.next_due(db.session, course_id)
    db.session.commit()
    if due is not None:
        jobs.submit_at(due, drain_course, course_id)


def _words(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return str(exc)
    return f"The platform could not be reached or refused the request ({exc})."
