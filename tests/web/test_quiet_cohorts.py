"""Staff see cohorts gone quiet on the Cohorts page and merge one into its suggested partner."""

from sqlalchemy import select

from cohorts.models import Challenge, Cohort, Course, Enrolment, Membership, Person
from lti_app.extensions import db

from .cohort_client import Browser
from .exchange_world import person


def quiet_member(course: Course, sub: str) -> Person:
    """Someone enrolled who has not opened Communitas lately."""
    row = Person(issuer=course.issuer, client_id=course.client_id, sub=sub, name=sub.title())
    db.session.add(row)
    db.session.flush()
    db.session.add(Enrolment(course_id=course.id, person_id=row.id, role="learner"))
    return row


def published(course: Course, challenge: Challenge, name: str, people: list[Person]) -> Cohort:
    cohort = Cohort(course_id=course.id, challenge_id=challenge.id, name=name, status="published")
    db.session.add(cohort)
    db.session.flush()
    db.session.add_all(
        Membership(cohort_id=cohort.id, course_id=course.id, person_id=p.id) for p in people
    )
    return cohort


def test_a_quiet_cohort_is_listed_with_an_active_partner_and_merges_into_it(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    for sub in ("learner-1", "learner-2", "learner-3"):
        Browser(app, test_platform, sub)  # their launches are today's activity
    course = db.session.scalars(select(Course)).one()
    charts = Challenge(course_id=course.id, title="Charts", status="active")
    db.session.add(charts)
    db.session.flush()
    quiet = published(course, charts, "Sleepy owls", [quiet_member(course, s) for s in "xyz"])
    lively = published(course, charts, "Lively larks", [person(f"learner-{i}") for i in (1, 2, 3)])
    db.session.commit()

    page = staff.get("/instructor/cohorts").get_data(as_text=True)
    assert "Cohorts gone quiet" in page
    assert "Sleepy owls</strong>: 0 of 3 members active in the last 7 days" in page
    assert "merge into <strong>Lively larks</strong> (3 of 3 active)" in page

    merged = staff.post(
        f"/instructor/cohorts/{quiet.id}/merge", {"target_id": lively.id}, "/instructor/cohorts"
    )
    assert merged.status_code == 302
    db.session.expire_all()
    assert db.session.get(Cohort, quiet.id).status == "archived"
    members = db.session.scalars(select(Membership).where(Membership.cohort_id == lively.id))
    assert len(members.all()) == 6
    assert "Cohorts gone quiet" not in staff.get("/instructor/cohorts").get_data(as_text=True)


def test_staff_can_keep_a_quiet_cohort_as_it_is(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    course = db.session.scalars(select(Course)).one()
    charts = Challenge(course_id=course.id, title="Charts", status="active")
    db.session.add(charts)
    db.session.flush()
    quiet = published(course, charts, "Sleepy owls", [quiet_member(course, s) for s in "xyz"])
    db.session.commit()
    page = staff.get("/instructor/cohorts").get_data(as_text=True)
    assert "No active cohort of the same challenge has room" in page
    kept = staff.post(f"/instructor/cohorts/{quiet.id}/dismiss", {}, "/instructor/cohorts")
    assert kept.status_code == 302
    assert "Cohorts gone quiet" not in staff.get("/instructor/cohorts").get_data(as_text=True)
