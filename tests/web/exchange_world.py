"""A published cohort of launched learners, ready for exchange page tests."""

from typing import Any

from sqlalchemy import select

from cohorts.models import Challenge, Cohort, Course, Membership, Person
from lti_app.extensions import db

from .cohort_client import Browser


def person(sub: str) -> Person:
    return db.session.scalars(select(Person).where(Person.sub == sub)).one()


def publish_cohort(name: str, subs: list[str]) -> Cohort:
    """Put already launched learners into one published cohort of the demo course."""
    course = db.session.scalars(select(Course)).first()
    assert course is not None
    topic = Challenge(course_id=course.id, title=f"Topic of {name}", status="active")
    db.session.add(topic)
    db.session.flush()
    cohort = Cohort(course_id=course.id, challenge_id=topic.id, name=name, status="published")
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all(
        Membership(cohort_id=cohort.id, course_id=course.id, person_id=person(s).id) for s in subs
    )
    db.session.commit()
    return cohort


def browsers(app: Any, platform: Any, *users: str) -> dict[str, Browser]:
    """Launch one browser per user."""
    return {user: Browser(app, platform, user) for user in users}
