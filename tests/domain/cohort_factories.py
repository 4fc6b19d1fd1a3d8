"""Small builders for cohort tests: a course, its learners, challenges and picks."""

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from cohorts import challenges
from cohorts.models import Challenge, Course, Enrolment, Person

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def make_course(session: Session, context_id: str = "course-a", **overrides: str) -> Course:
    """Add a course with sensible defaults."""
    values = {
        "issuer": "https://lms.example",
        "client_id": "client-1",
        "deployment_id": "d1",
        "context_id": context_id,
        "title": f"Course {context_id}",
        "label": context_id.upper(),
    } | overrides
    course = Course(**values)
    session.add(course)
    session.flush()
    return course


def make_people(
    session: Session, course: Course, count: int, role: str = "learner", prefix: str = "p"
) -> list[Person]:
    """Add ``count`` people enrolled in ``course`` with ``role``."""
    people = [
        Person(
            issuer=course.issuer,
            client_id=course.client_id,
            sub=f"{course.context_id}-{prefix}{i}",
            name=f"{prefix.upper()} Person {i}",
            email=f"{prefix}{i}@{course.context_id}.example",
        )
        for i in range(count)
    ]
    session.add_all(people)
    session.flush()
    session.add_all(Enrolment(course_id=course.id, person_id=p.id, role=role) for p in people)
    session.flush()
    return people


def make_challenges(session: Session, course: Course, *titles: str) -> list[Challenge]:
    """Add active challenges with these titles."""
    return [
        challenges.create_challenge(
            session, course.id, title=t, description="", kind="challenge", now=NOW
        )
        for t in titles
    ]


def pick(session: Session, course: Course, person: Person, *picked: Challenge) -> None:
    """Save a learner's ranked picks."""
    challenges.pick_challenges(session, course.id, person.id, [c.id for c in picked], NOW)
