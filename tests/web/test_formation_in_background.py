"""Large courses form in a background job; the staff page shows progress, then the drafts."""

import re
from datetime import timedelta

from sqlalchemy import select

from cohorts.formation import runs
from cohorts.models import Course, FormationRun, utcnow
from lti_app.extensions import db

from .cohort_client import Browser
from .test_cohort_pages import add_challenges, learners_pick


def test_a_large_course_forms_in_the_background_and_the_page_shows_the_drafts(
    app, test_platform, monkeypatch
):
    staff = Browser(app, test_platform, "instructor-1")
    learners_pick(app, test_platform, add_challenges(staff))
    monkeypatch.setattr(runs, "BACKGROUND_FROM", 10)  # these 12 learners count as large
    formed = staff.post(
        "/instructor/cohorts/form", form_page="/instructor/cohorts", follow_redirects=True
    )
    html = formed.get_data(as_text=True)
    assert "Forming cohorts in the background" in html
    # Tests run jobs right after the commit, so the result is there on the next page.
    assert "draft cohorts in the background (finished" in html
    assert "placed on their first choice" in html and 'http-equiv="refresh"' not in html
    [run] = db.session.scalars(select(FormationRun)).all()
    assert run.status == "done" and run.formed >= 2


def test_while_forming_the_page_reloads_itself_and_refuses_a_second_form(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    learners_pick(app, test_platform, add_challenges(staff), count=4)
    course = db.session.scalars(select(Course)).one()
    run = runs.start_run(db.session, course.id, None, utcnow() - timedelta(seconds=20))
    db.session.commit()
    html = staff.get("/instructor/cohorts").get_data(as_text=True)
    assert "Waiting for a worker to form cohorts" in html
    assert '<meta http-equiv="refresh" content="5">' in html
    assert "instructor/cohorts/form" not in html  # no second Form button meanwhile
    runs.claim_run(db.session, run.id, utcnow() - timedelta(seconds=12))
    db.session.commit()
    html = staff.get("/instructor/cohorts").get_data(as_text=True)
    assert "Forming cohorts…" in html
    started = re.search(r"started (\d+) seconds ago", html)
    assert started and 12 <= int(started.group(1)) < 600
    again = staff.post("/instructor/cohorts/form", form_page="/instructor/challenges")
    assert again.status_code == 409
    assert "already being formed" in again.get_data(as_text=True)


def test_a_failed_background_formation_says_why(app, test_platform, monkeypatch):
    staff = Browser(app, test_platform, "instructor-1")
    add_challenges(staff)  # nobody has picked yet
    monkeypatch.setattr(runs, "BACKGROUND_FROM", 0)
    page = staff.post(
        "/instructor/cohorts/form", form_page="/instructor/cohorts", follow_redirects=True
    )
    html = page.get_data(as_text=True)
    assert "Forming cohorts in the background failed" in html
    assert "learners need to pick challenges first" in html
