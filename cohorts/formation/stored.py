"""The quality report kept with a course's cohorts: recomputed on change, read by pages.

Recomputing means reading every learner and cohort of the course (half a second at 5,000
learners), so it happens once per change to the cohorts, never per page view.
"""

import json
import time
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.db import get_or_create
from cohorts.formation.learners import load_learners, members_by_cohort
from cohorts.formation.scoring import assemble
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.values import Learner, Preparer, Unplaced
from cohorts.models import Cohort, FormationReport

#: Figures of the report that only make sense at formation time.
NOT_STORED = ("seconds", "method", "proven", "placed_bound", "rank_bound", "worst_overlap_bound")


def formation_learner(person_id: int) -> Learner:
    """A learner with no picks, for members whose enrolment is gone."""
    return Learner(str(person_id), ())


def course_report(session: Session, course_id: int) -> dict[str, Any]:
    """The quality report on the course's draft and published cohorts as stored now."""
    settings = settings_of(get_settings(session, course_id))
    cohorts = session.execute(
        select(Cohort.id, Cohort.challenge_id).where(
            Cohort.course_id == course_id, Cohort.status.in_(("draft", "published"))
        )
    ).all()
    members = members_by_cohort(session, [cid for cid, _ in cohorts])
    learners = load_learners(session, course_id)
    preparer = Preparer()
    groups = [
        (
            str(cid),
            str(challenge_id),
            [preparer.member(learners.get(pid) or formation_learner(pid)) for pid in members[cid]],
            None,
        )
        for cid, challenge_id in cohorts
    ]
    placed = {pid for ids in members.values() for pid in ids}
    unplaced = [Unplaced(str(pid), "") for pid in learners if pid not in placed]
    report = assemble(groups, unplaced, settings, time.perf_counter()).report.as_dict()
    return {key: value for key, value in report.items() if key not in NOT_STORED}


def refresh_report(session: Session, course_id: int, now: datetime) -> dict[str, Any]:
    """Recompute the course's stored quality report after its cohorts changed."""
    report = course_report(session, course_id)
    row = get_or_create(
        session,
        select(FormationReport).where(FormationReport.course_id == course_id),
        lambda: FormationReport(course_id=course_id, report="{}", computed_at=now),
    )
    row.report, row.computed_at = json.dumps(report), now
    session.flush()
    return report


def stored_report(session: Session, course_id: int) -> tuple[dict[str, Any], datetime | None]:
    """The stored report and when it was computed; empty before the first formation."""
    row = session.get(FormationReport, course_id)
    if row is None:
        return {}, None
    return json.loads(row.report), row.computed_at
