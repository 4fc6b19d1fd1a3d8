"""Long staff lists show one page or the first rows, and say how many there are in all."""

import csv
import io

from sqlalchemy import select

from cohorts.models import Challenge, Cohort, Course, Enrolment, Membership, Person
from lti_app.extensions import db

from .cohort_client import Browser


def many_cohorts(count: int, logins: int = 0) -> list[Cohort]:
    """``count`` published cohorts of one member each; the first ``logins`` members have one."""
    course = db.session.scalars(select(Course)).one()
    topic = Challenge(course_id=course.id, title="Charts", status="active")
    db.session.add(topic)
    db.session.flush()
    cohorts = []
    for i in range(count):
        member = Person(
            issuer=course.issuer,
            client_id=course.client_id,
            sub=f"many-{i}",
            name=f"Member {i:03d}",
            username=f"member{i}" if i < logins else None,
        )
        cohort = Cohort(
            course_id=course.id, challenge_id=topic.id, name=f"Cohort {i:03d}", status="published"
        )
        db.session.add_all([member, cohort])
        db.session.flush()
        db.session.add(Enrolment(course_id=course.id, person_id=member.id, role="learner"))
        db.session.add(Membership(cohort_id=cohort.id, course_id=course.id, person_id=member.id))
        cohorts.append(cohort)
    db.session.commit()
    return cohorts


def test_the_exchange_page_shows_thirty_cohorts_a_page(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    many_cohorts(31)
    first = staff.get("/instructor/exchange/").get_data(as_text=True)
    assert "31 published cohorts by name · page 1 of 2" in first
    assert "Cohort 029:" in first and "Cohort 030:" not in first
    assert "Next cohorts" in first
    second = staff.get("/instructor/exchange/?page=2").get_data(as_text=True)
    assert "Cohort 030:" in second and "Cohort 000:" not in second
    assert "Previous cohorts" in second
    assert staff.get("/instructor/exchange/?page=x").status_code == 200


def test_the_export_page_previews_a_hundred_members_and_the_files_hold_everyone(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    many_cohorts(130, logins=10)
    page = staff.get("/instructor/export").get_data(as_text=True)
    assert "Preview (130 members, the first 100 shown; the files hold everyone)" in page
    assert "120 members left out: no LMS login known" in page
    assert "The first 100 of 120, by cohort." in page
    rows = list(csv.reader(io.StringIO(staff.get("/instructor/export/canvas.csv").text)))
    assert len(rows) == 1 + 10
    assert rows[-1][3] == "member9"


def test_cohort_health_lists_the_least_active_fifty(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    many_cohorts(51)
    page = staff.get("/instructor/persistence").get_data(as_text=True)
    assert "The 50 least active of 51 published cohorts." in page
    learners = staff.get("/instructor/persistence/learners.csv").text
    assert len(learners.splitlines()) == 1 + 51
