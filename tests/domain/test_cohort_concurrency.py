"""Publishing and late placement never put a learner in two cohorts, even when racing."""

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohorts.errors import DomainError
from cohorts.formation import drafts, upkeep
from cohorts.models import Cohort, Membership

from .cohort_factories import NOW, make_challenges, make_course, make_people, pick


def published_course(session, late_count=1):
    """A course with published cohorts and late learners who picked but are in none."""
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    for person in make_people(session, course, 6):
        pick(session, course, person, topic)
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    late = make_people(session, course, late_count, prefix="late")
    for person in late:
        pick(session, course, person, topic)
    session.commit()
    return course.id, late[0].id


def race(engine, work, count=2):
    """Run ``work(session)`` in threads, each on its own Session, starting together."""
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def run():
        with Session(engine) as own:
            barrier.wait()
            try:
                outcomes.append(work(own))
                own.commit()
            except DomainError as error:
                own.rollback()
                outcomes.append(error)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def memberships(session, person_id):
    return session.scalar(select(func.count()).where(Membership.person_id == person_id))


def test_placing_the_same_late_joiner_twice_keeps_one_membership(session):
    course_id, person_id = published_course(session)
    if session.get_bind().dialect.name == "postgresql":
        outcomes = race(
            session.get_bind(), lambda own: upkeep.place_late_joiner(own, course_id, person_id, NOW)
        )
        assert len(outcomes) == 2
    else:
        first = upkeep.place_late_joiner(session, course_id, person_id, NOW)
        again = upkeep.place_late_joiner(session, course_id, person_id, NOW)
        assert first is not None and again is not None and first.id == again.id
        session.commit()
    session.expire_all()
    assert memberships(session, person_id) == 1


def test_publishing_twice_publishes_once_and_refuses_the_other(session):
    course_id, person_id = published_course(session, late_count=3)
    drafts.form_draft(session, course_id, NOW)
    session.commit()
    draft_count = session.scalar(select(func.count()).where(Cohort.status == "draft"))
    assert draft_count >= 1
    if session.get_bind().dialect.name == "postgresql":
        outcomes = race(session.get_bind(), lambda own: drafts.publish_drafts(own, course_id, NOW))
        assert sum(isinstance(o, DomainError) for o in outcomes) == 1
        assert [o for o in outcomes if isinstance(o, int)] == [draft_count]
    else:
        assert drafts.publish_drafts(session, course_id, NOW) == draft_count
        session.commit()
        with pytest.raises(DomainError):
            drafts.publish_drafts(session, course_id, NOW)
        session.rollback()
    session.expire_all()
    assert session.scalar(select(func.count()).where(Cohort.status == "draft")) == 0
    assert memberships(session, person_id) == 1


def test_a_draft_member_cannot_also_be_placed_as_late_joiner(session):
    course_id, person_id = published_course(session, late_count=3)
    drafts.form_draft(session, course_id, NOW)
    session.commit()
    assert upkeep.place_late_joiner(session, course_id, person_id, NOW) is None
    assert memberships(session, person_id) == 1
