"""People whose course site sends no name (Canvas anonymous) choose the name classmates see."""

import re

from sqlalchemy import select

from cohorts.models import Person
from lti_app.extensions import db
from tests.conftest import register_profiles

from .cohort_client import Browser
from .exchange_world import publish_cohort

NAME = "/learner/profile/name"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_an_anonymous_learner_chooses_a_name_shown_to_all_and_staff_still_see_the_lms_id(
    app, test_platform
):
    register_profiles(test_platform)
    ana = Browser(app, test_platform, "learner-1", "canvas-anonymous")
    ben = Browser(app, test_platform, "learner-2", "canvas-anonymous")
    staff = Browser(app, test_platform, "instructor-1", "canvas-anonymous")
    me = db.session.scalars(select(Person).where(Person.sub == "learner-1")).one()
    home = text(ana.get("/learner/"))
    assert f"Welcome, Participant {me.id}" in home and "Choose the name classmates see" in home
    assert "The name classmates see" in text(ana.get("/learner/profile"))
    saved = ana.post(NAME, {"name": "  Ana   S. "}, form_page="/learner/profile")
    assert saved.status_code == 302
    assert "Welcome, Ana S." in text(ana.get("/learner/"))
    team = publish_cohort("Otters", ["learner-1", "learner-2"])
    assert "Ana S." in text(ben.get("/learner/cohort"))
    card = text(staff.get("/instructor/cohorts"))
    assert 'Ana S. <span class="meta">(chosen name; LMS id learner-1)</span>' in card
    assert team.name in card


def test_a_chosen_name_is_escaped_and_length_limited(app, test_platform):
    register_profiles(test_platform)
    ana = Browser(app, test_platform, "learner-1", "canvas-anonymous")
    long = ana.post(NAME, {"name": "x" * 61}, form_page="/learner/profile")
    assert long.status_code == 400 and "Use 2 to 60 characters." in text(long)
    assert ana.post(NAME, {"name": "<b>Bold</b>"}, form_page="/learner/profile").status_code == 302
    page = ana.get("/learner/").get_data(as_text=True)
    assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_a_name_from_the_course_site_cannot_be_replaced(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    assert "The name classmates see" not in text(ana.get("/learner/profile"))
    refused = ana.post(NAME, {"name": "Someone else"}, form_page="/learner/profile")
    assert refused.status_code == 400 and "change it there" in text(refused)
    assert "Welcome, Ana Souza" in text(ana.get("/learner/"))


def test_a_chosen_name_greets_the_learner_on_the_page_their_next_launch_opens(app, test_platform):
    register_profiles(test_platform)
    ana = Browser(app, test_platform, "learner-1", "canvas-anonymous")
    assert ana.post(NAME, {"name": "Ana S."}, form_page="/learner/profile").status_code == 302
    again = ana.launcher.launch("learner-1")
    assert again.status_code == 200 and "Welcome, Ana S." in text(again)
