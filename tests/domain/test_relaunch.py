"""A return visit keeps course, person, enrolment and link as up to date as a first launch."""

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from cohorts.courses import LaunchFacts, record_launch
from cohorts.models import ActivityEvent, Course, Enrolment, Person, ResourceLink
from tests.domain.cohort_factories import NOW

FIRST = LaunchFacts(
    "https://lms.example",
    "client-1",
    "d1",
    "c1",
    "sub-1",
    "learner",
    lti_roles=("Learner",),
    context_title="Statistics 101",
    name="Ada Lovelace",
    email="ada@example.edu",
    resource_link_id="link-1",
    resource_link_title="Communitas",
)
LATER = NOW + timedelta(days=2)


def launch_twice(session, later):
    first = record_launch(session, FIRST, NOW)
    again = record_launch(session, later, LATER)
    session.commit()
    return first, again


def test_a_plain_return_visit_refreshes_the_enrolment_and_counts_the_visit(session):
    first, again = launch_twice(session, FIRST)
    enrolment = session.get(Enrolment, again.enrolment_id)
    assert again == first and enrolment.last_launch_at == LATER
    assert session.scalar(select(func.count(ActivityEvent.id))) == 2
    for model in (Course, Person, Enrolment, ResourceLink):
        assert session.scalar(select(func.count()).select_from(model)) == 1


def test_a_new_name_or_course_title_is_taken_on_the_next_visit(session):
    launch_twice(session, replace(FIRST, name="Ada King", context_title="Statistics 102"))
    assert session.scalar(select(Person.name)) == "Ada King"
    assert session.scalar(select(Course.title)) == "Statistics 102"


def test_names_withheld_on_a_later_visit_are_kept(session):
    launch_twice(session, replace(FIRST, name=None, email=None, context_title=None))
    assert session.scalar(select(Person.name)) == "Ada Lovelace"
    assert session.scalar(select(Person.email)) == "ada@example.edu"
    assert session.scalar(select(Course.title)) == "Statistics 101"


def test_a_changed_role_is_taken_on_the_next_visit(session):
    first, again = launch_twice(session, replace(FIRST, role="staff", lti_roles=("Instructor",)))
    enrolment = session.get(Enrolment, again.enrolment_id)
    assert again == first and (enrolment.role, enrolment.lti_roles) == ("staff", "Instructor")
    assert session.scalar(select(func.count(ActivityEvent.id))) == 1  # staff visits not counted


def test_a_visit_from_another_placement_records_that_link(session):
    launch_twice(session, replace(FIRST, resource_link_id="link-2", resource_link_title="Week 2"))
    links = session.scalars(select(ResourceLink.link_id).order_by(ResourceLink.link_id)).all()
    assert links == ["link-1", "link-2"]


def test_another_person_in_the_same_course_gets_an_enrolment_of_their_own(session):
    first, again = launch_twice(session, replace(FIRST, sub="sub-2", name="Bo"))
    assert first != again
    assert session.scalar(select(func.count()).select_from(Course)) == 1
