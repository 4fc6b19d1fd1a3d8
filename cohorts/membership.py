"""Who is in which cohort: every feature asks here, never the formation engine."""

from collections.abc import Sequence

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cohorts.errors import NotFound
from cohorts.models import Cohort, Membership

#: Built once: most learner pages ask it.
_PUBLISHED_COHORT_OF = (
    select(Cohort)
    .join(Membership, Membership.cohort_id == Cohort.id)
    .where(
        Membership.course_id == bindparam("course_id"),
        Membership.person_id == bindparam("person_id"),
        Cohort.status == "published",
    )
)


def get_cohort(
    session: Session, course_id: int, cohort_id: int, statuses: Sequence[str] | None = None
) -> Cohort:
    """Return one cohort of this course, or raise NotFound."""
    query = select(Cohort).where(Cohort.id == cohort_id, Cohort.course_id == course_id)
    if statuses is not None:
        query = query.where(Cohort.status.in_(statuses))
    cohort = session.scalars(query).one_or_none()
    if cohort is None:
        raise NotFound("That cohort does not exist in this course.")
    return cohort


def published_cohort_of(session: Session, course_id: int, person_id: int) -> Cohort | None:
    """Return the published cohort the learner belongs to, if any."""
    params = {"course_id": course_id, "person_id": person_id}
    return session.scalars(_PUBLISHED_COHORT_OF, params).one_or_none()


def my_cohort(session: Session, course_id: int, person_id: int) -> Cohort:
    """Return the learner's published cohort or raise NotFound."""
    cohort = published_cohort_of(session, course_id, person_id)
    if cohort is None:
        raise NotFound("You are not in a cohort yet.")
    return cohort
