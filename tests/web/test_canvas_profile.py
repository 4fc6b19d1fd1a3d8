"""Launches and service calls against a platform that behaves like Canvas."""

import requests
from sqlalchemy import select
from urllib3.util import SKIP_HEADER

from cohorts.models import Course, Person
from lti_app.extensions import db
from lti_app.lti.http import http
from sandbox import create_platform_app, services
from sandbox.profiles import CANVAS, CANVAS_ANONYMOUS
from tests.conftest import Launcher, page_address

#: urllib3 would otherwise add its own User-Agent.
NO_USER_AGENT = {"User-Agent": SKIP_HEADER}


def launch_through_platform(launcher, user="learner-1"):
    form = launcher.authorize(launcher.login(user))
    return launcher.client.post("/lti/launch", data=form)


def test_one_issuer_serves_several_client_ids_each_in_its_own_course(canvas, app, test_platform):
    anonymous = Launcher(app.test_client(), test_platform, "canvas-anonymous")
    assert launch_through_platform(canvas).status_code == 200
    assert launch_through_platform(anonymous).status_code == 200
    courses = db.session.scalars(select(Course).order_by(Course.id)).all()
    assert {c.issuer for c in courses} == {test_platform.issuer}
    assert [c.deployment_id for c in courses] == [
        CANVAS.deployment_id,
        CANVAS_ANONYMOUS.deployment_id,
    ]


def test_canvas_fills_the_login_id_custom_variable(canvas):
    assert launch_through_platform(canvas).status_code == 200
    person = db.session.scalars(select(Person)).one()
    assert (person.username, person.name) == ("ana.souza", "Ana Souza")


def test_anonymous_privacy_sends_no_name_email_or_login(app, canvas, test_platform):
    anonymous = Launcher(app.test_client(), test_platform, "canvas-anonymous")
    auth = anonymous.login()
    form = anonymous.authorize(auth)
    body = __import__("jwt").decode(form["id_token"], options={"verify_signature": False})
    custom = body["https://purl.imsglobal.org/spec/lti/claim/custom"]
    assert custom == {"login_id": "$Canvas.user.loginId"}  # left unsubstituted, as Canvas does
    assert "name" not in body and "email" not in body
    response = anonymous.client.post("/lti/launch", data=form)
    assert response.status_code == 200
    home = anonymous.client.get(page_address(response))
    assert home.status_code == 200
    person = db.session.scalars(select(Person)).one()
    assert (person.name, person.email, person.username) == (None, None, None)


def test_canvas_refuses_api_calls_without_a_user_agent_but_not_the_tools(app, test_platform):
    url = f"{test_platform.issuer}/nrps/{CANVAS.context_id}"
    bare = requests.get(url, headers=NO_USER_AGENT, timeout=10)
    assert bare.status_code == 403
    assert "User-Agent" in bare.json()["error"]
    tool = http.get(url, timeout=10)
    assert tool.status_code == 401  # past the User-Agent check; no token yet
    lenient = requests.get(
        f"{test_platform.issuer}/nrps/demo-course-101", headers=NO_USER_AGENT, timeout=10
    )
    assert lenient.status_code == 401


def test_canvas_takes_scores_for_students_only(tmp_path):
    path = tmp_path / "ags.json"
    item = services.add_lineitem(path, "https://lms/ags", {"label": "x", "scoreMaximum": 10})
    score = {"userId": "instructor-1", "scoreGiven": 5, "timestamp": "2026-12-01T00:00:00Z"}
    try:
        services.add_score(path, item["id"], score, CANVAS)
    except services.ServiceError as exc:
        assert "not a student" in str(exc)
    else:
        raise AssertionError("Canvas accepted a score for an instructor")
    services.add_score(path, item["id"], {**score, "userId": "learner-1"}, CANVAS)
    assert [s["userId"] for s in services.scores(path)] == ["learner-1"]


def test_canvas_always_offers_platform_storage(test_platform, tmp_path):
    lms = create_platform_app(test_platform, tmp_path / "lms.json").test_client()
    start = lms.get("/sandbox/start?user=learner-1&profile=canvas&storage=0")
    assert 'name="lti_storage_target" value="post_message_forwarding"' in start.get_data(
        as_text=True
    )
    assert "post_message_forwarding" in lms.get("/sandbox/?profile=canvas").get_data(as_text=True)
