"""The quality report staff see is stored with the cohorts and follows every change to them."""

from sqlalchemy import select

from cohorts import profiles
from cohorts.formation import drafts, reports, upkeep
from cohorts.formation.stored import course_report, stored_report
from cohorts.models import Cohort, Membership

from .cohort_factories import NOW, make_challenges, make_course, make_people, pick


def seven_and_five(session):
    """7 learners put "Stats" first, 5 put "Writing" first."""
    course = make_course(session)
    stats, writing = make_challenges(session, course, "Stats", "Writing")
    people = make_people(session, course, 12)
    for person in people[:7]:
        pick(session, course, person, stats, writing)
    for person in people[7:]:
        pick(session, course, person, writing)
    return course, people, stats, writing


def page_report(session, course):
    return reports.formation_picture(session, course.id).report


def test_forming_stores_the_report_the_page_shows(session):
    course, people, *_ = seven_and_five(session)
    assert stored_report(session, course.id) == ({}, None)
    drafts.form_draft(session, course.id, NOW)
    stored, computed_at = stored_report(session, course.id)
    assert computed_at == NOW
    assert stored["placed"] == 12 and stored["first_choice_share"] == 1.0
    assert page_report(session, course) == stored


def test_the_page_keeps_the_stored_report_until_the_cohorts_change(session):
    course, people, stats, writing = seven_and_five(session)
    made = drafts.form_draft(session, course.id, NOW)
    before = page_report(session, course)
    # Profile edits alone do not change the cohorts, so the page keeps the stored report
    # (a fresh count would now find shared hours in the "Stats" cohort).
    for person in people[:2]:
        profiles.save_profile(
            session,
            course.id,
            person.id,
            time_zone="Europe/Paris",
            day_parts=["mon-evening"],
            offers="",
            needs="",
            now=NOW,
        )
    assert page_report(session, course) == before
    assert (
        before["median_overlap_hours"] < course_report(session, course.id)["median_overlap_hours"]
    )
    into = next(c for c in made if c.challenge_id == writing.id)
    drafts.move_member(session, course.id, people[0].id, into.id, NOW)
    after = page_report(session, course)
    assert after["first_choice_share"] < before["first_choice_share"]
    assert after["total_rank"] == before["total_rank"] + 1


def test_publishing_late_joiners_and_merges_update_the_stored_report(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    people = make_people(session, course, 10)
    for person in people:
        pick(session, course, person, topic)
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    assert stored_report(session, course.id)[0]["cohorts"] == 2
    late = make_people(session, course, 1, prefix="late")[0]
    assert upkeep.pick_and_place(session, course.id, late.id, [topic.id], NOW) is not None
    assert stored_report(session, course.id)[0]["placed"] == 11
    small, big = session.scalars(
        select(Cohort).where(Cohort.course_id == course.id).order_by(Cohort.id)
    ).all()
    for pid in session.scalars(
        select(Membership.person_id).where(Membership.cohort_id == small.id).limit(3)
    ).all():
        upkeep.remove_member(session, course.id, small.id, pid, NOW)
    assert stored_report(session, course.id)[0]["placed"] == 8
    upkeep.merge_cohorts(session, course.id, small.id, big.id, NOW)
    stored = stored_report(session, course.id)[0]
    assert (stored["cohorts"], stored["placed"], stored["size_max"]) == (1, 8, 8)
