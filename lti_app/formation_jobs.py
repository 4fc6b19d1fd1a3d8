"""Forming a large course's cohorts in a background job, with its progress in the database."""

import logging

from cohorts.errors import DomainError
from cohorts.formation import runs
from cohorts.formation.drafts import form_draft
from cohorts.models import utcnow

from . import jobs

log = logging.getLogger("communitas.formation")


def form_course_cohorts(run_id: int, seconds: float = runs.JOB_SECONDS) -> None:
    """Claim the run, form the course's drafts within `seconds`, record how it ended."""
    with jobs.job_session() as session:
        course_id = runs.claim_run(session, run_id, utcnow())
        session.commit()
        if course_id is None:
            return  # another worker has it, or it was ended as stale
        try:
            rows = form_draft(session, course_id, utcnow(), seconds)
        except DomainError as error:
            session.rollback()
            runs.finish_run(session, run_id, utcnow(), error=str(error))
            session.commit()
            return
        except Exception:
            session.rollback()
            log.exception("forming the cohorts of course %s failed", course_id)
            runs.finish_run(session, run_id, utcnow(), error=runs.FAILED)
            session.commit()
            raise
        runs.finish_run(session, run_id, utcnow(), formed=len(rows))
        session.commit()
