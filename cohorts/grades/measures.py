"""What each learner did over the whole course, summed in SQL from the weekly rollup."""

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from cohorts.grades.rules import SIGNALS, LearnerCounts
from cohorts.models import ActivityWeek, Enrolment, Person

W = ActivityWeek
#: The rollup column behind each summed signal (active weeks are counted rows).
_SUMMED = [s for s in SIGNALS if s != "active_weeks"]


def learner_counts(session: Session, course_id: int) -> list[LearnerCounts]:
    """Return every enrolled learner's totals (zeros for those never active)."""
    totals = (
        select(
            W.person_id,
            func.count().label("active_weeks"),
            *[func.sum(getattr(W, s)).label(s) for s in _SUMMED],
        )
        .where(W.course_id == course_id)
        .group_by(W.person_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Enrolment.person_id,
            Person.sub,
            Enrolment.role,
            *[func.coalesce(totals.c[s], 0) for s in SIGNALS],
        )
        .join(Person, Person.id == Enrolment.person_id)
        .outerjoin(totals, and_(totals.c.person_id == Enrolment.person_id))
        .where(Enrolment.course_id == course_id, Enrolment.role == "learner")
        .order_by(Enrolment.person_id)
    ).all()
    return [
        LearnerCounts(person_id, sub, role, dict(zip(SIGNALS, values, strict=True)))
        for person_id, sub, role, *values in rows
    ]
