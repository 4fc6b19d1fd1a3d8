"""Forming cohorts twice at once yields one formation, in the page request or in the background."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cohorts.errors import DomainError
from cohorts.formation import drafts, runs
from cohorts.models import Cohort, FormationRun, Membership

from .cohort_factories import NOW, make_challenges, make_course, make_people, pick
from .test_cohort_concurrency import race


def twelve_learners(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    for person in make_people(session, course, 12):
        pick(session, course, person, topic)
    session.commit()
    return course.id


def count(session, *where):
    session.expire_all()
    return session.scalar(select(func.count()).select_from(where[0]).where(*where[1:]))


def test_two_staff_forming_at_once_leave_one_formation(session):
    course_id = twelve_learners(session)
    if session.get_bind().dialect.name == "postgresql":
        outcomes = race(session.get_bind(), lambda own: drafts.form_draft(own, course_id, NOW))
        assert len(outcomes) == 2
    else:
        drafts.form_draft(session, course_id, NOW)
        drafts.form_draft(session, course_id, NOW)
        session.commit()
    # One formation's worth of drafts (12 learners, target 5: two cohorts), each learner once.
    assert count(session, Cohort, Cohort.course_id == course_id) == 2
    assert count(session, Membership, Membership.course_id == course_id) == 12


def test_two_background_runs_of_one_course_cannot_be_queued_at_once(session):
    course_id = twelve_learners(session)
    if session.get_bind().dialect.name == "postgresql":
        outcomes = race(
            session.get_bind(), lambda own: runs.start_run(own, course_id, None, NOW).id
        )
        assert sum(isinstance(o, runs.FormingAlready) for o in outcomes) == 1
    else:
        runs.start_run(session, course_id, None, NOW)
        session.commit()
        with pytest.raises(runs.FormingAlready, match="already being formed"):
            runs.start_run(session, course_id, None, NOW)
        session.rollback()
    assert count(session, FormationRun, FormationRun.course_id == course_id) == 1


def test_a_run_whose_worker_died_no_longer_blocks_forming(session):
    course_id = twelve_learners(session)
    old = runs.start_run(session, course_id, None, NOW - timedelta(hours=1))
    assert runs.claim_run(session, old.id, NOW - timedelta(hours=1)) == course_id
    session.commit()
    fresh = runs.start_run(session, course_id, None, NOW)
    session.commit()
    session.expire_all()
    assert (old.status, fresh.status) == ("failed", "queued")
    assert "stopped unexpectedly" in old.message
    assert runs.claim_run(session, fresh.id, NOW) == course_id
    assert runs.claim_run(session, fresh.id, NOW) is None  # a second worker gets nothing


def test_changes_wait_while_cohorts_are_being_formed(session):
    course_id = twelve_learners(session)
    runs.start_run(session, course_id, None, NOW)
    with pytest.raises(DomainError, match="already being formed"):
        runs.refuse_if_forming(session, course_id, NOW + timedelta(seconds=5))


def test_large_courses_form_in_the_background(session, monkeypatch):
    course_id = twelve_learners(session)
    assert not runs.in_background(session, course_id)
    monkeypatch.setattr(runs, "BACKGROUND_FROM", 12)
    assert runs.in_background(session, course_id)
