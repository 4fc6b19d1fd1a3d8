"""Builders for exchange tests: a course with published cohorts of learners."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session

from cohorts.exchange import gifts
from cohorts.models import Cohort, Course, Gift, Membership, Person

from .cohort_factories import NOW, make_challenges, make_course, make_people

LATER = NOW + timedelta(days=7)


@dataclass
class World:
    """A course, two published cohorts (A with four members, B with two) and a staff member."""

    course: Course
    cohort_a: Cohort
    cohort_b: Cohort
    a: list[Person]
    b: list[Person]
    staff: Person


def world(session: Session, context_id: str = "course-a") -> World:
    """Build a course with two published cohorts."""
    course = make_course(session, context_id)
    topic = make_challenges(session, course, "Topic")[0]
    people = make_people(session, course, 6)
    staff = make_people(session, course, 1, role="staff", prefix="s")[0]
    cohorts = []
    for name, members in (("Alpha", people[:4]), ("Beta", people[4:])):
        cohort = Cohort(
            course_id=course.id,
            challenge_id=topic.id,
            name=name,
            status="published",
            published_at=NOW,
        )
        session.add(cohort)
        session.flush()
        session.add_all(
            Membership(cohort_id=cohort.id, course_id=course.id, person_id=p.id) for p in members
        )
        cohorts.append(cohort)
    session.flush()
    return World(course, cohorts[0], cohorts[1], people[:4], people[4:], staff)


def offer(session: Session, w: World, author: Person, **overrides: object) -> Gift:
    """Offer a gift with defaults."""
    values: dict = {
        "kind": "explanation",
        "title": "Help with statistics",
        "body": "Ask me",
        "tags": "statistics",
        "capacity": 1,
        "ends_at": None,
        "course_wide": False,
        "now": NOW,
    } | overrides
    return gifts.offer_gift(session, w.course.id, author.id, **values)


def ask(session: Session, w: World, author: Person, **overrides: object) -> Gift:
    """Ask for help with defaults."""
    values: dict = {
        "kind": "explanation",
        "title": "Stuck on regression",
        "body": "Please",
        "tags": "statistics, r",
        "needed_by": None,
        "anonymous": False,
        "course_wide": False,
        "now": NOW,
    } | overrides
    return gifts.ask_for_help(session, w.course.id, author.id, **values)
