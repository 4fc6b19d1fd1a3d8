"""Launches from a platform that behaves like Moodle 4.5, each behaviour seen in a real one."""

import re

import jwt
import pytest
from sqlalchemy import select

from cohorts.models import Course, Person
from lti_app.extensions import db
from sandbox import create_platform_app
from sandbox.platform import AuthRequestError, DeepLinkRefused
from sandbox.profiles import MOODLE, MOODLE_EMPTY_CUSTOM
from tests.web.cohort_client import Browser
from tests.web.test_cohort_pages import TITLES, add_challenges

ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
JWT_FIELD = re.compile(r'name="JWT" value="([^"]+)"')
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def launch_through_platform(launcher, user="learner-1", message="resource"):
    """Login at the tool, authorize at the platform, post its answer back: the real order."""
    form = launcher.authorize(launcher.login(user, message))
    return launcher.client.post("/lti/launch", data=form)


def test_the_message_hint_works_once_like_moodle_auth_php(moodle):
    auth = moodle.login()
    moodle.authorize(auth)
    with pytest.raises(AuthRequestError, match="Invalid request"):
        moodle.authorize(auth)


def test_a_replayed_login_ends_on_moodles_invalid_request(moodle, client, test_platform):
    """What "Open Communitas in a new window" used to do: send the same login again."""
    params = test_platform.login_initiation(
        __import__("sandbox.demo").demo.USERS["learner-1"], profile="moodle"
    )
    first = client.post("/lti/login", data=params, headers={"Sec-Fetch-Dest": "document"})
    again = client.post("/lti/login", data=params, headers={"Sec-Fetch-Dest": "document"})
    test_platform.authorize(query(first.location))
    with pytest.raises(AuthRequestError, match="Invalid request"):
        test_platform.authorize(query(again.location))


def query(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(url).query))


def test_moodle_launch_keeps_course_section_tool_type_deployment_and_username(moodle):
    response = launch_through_platform(moodle)
    assert response.status_code == 200, response.get_data(as_text=True)
    course = db.session.scalars(select(Course)).one()
    assert (course.deployment_id, course.context_id) == ("2", "42")
    person = db.session.scalars(select(Person)).one()
    assert (person.username, person.email) == ("asouza", "ana.souza@example.edu")


def test_moodle_decodes_an_empty_custom_as_an_array_and_refuses_it(test_platform):
    items = [{"type": "ltiResourceLink", "url": "https://tool.example/", "custom": {}}]
    with pytest.raises(DeepLinkRefused, match="params_to_string"):
        test_platform.receive_content_items({"iss": MOODLE.client_id, ITEMS: items})
    lenient = {"iss": test_platform.client_id, ITEMS: items}
    assert test_platform.receive_content_items(lenient) == items
    assert "array given" in MOODLE_EMPTY_CUSTOM


def deep_link_answer(launcher, title="Our community"):
    response = launch_through_platform(launcher, "instructor-1", "deeplink")
    assert response.status_code == 303, response.get_data(as_text=True)
    page = launcher.client.get(response.location)
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    return launcher.client.post(
        response.location, data={"csrf_token": token, "title": title}
    ), response.location


def test_moodle_saves_the_tools_deep_linking_answer(moodle, client, test_platform):
    answer, _ = deep_link_answer(moodle)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    token = JWT_FIELD.search(answer.get_data(as_text=True)).group(1)
    keys = client.get("/lti/jwks").get_json()
    claims = test_platform.verify_tool_jwt(token, keys, test_platform.issuer)
    items = test_platform.receive_content_items(claims)
    assert [i["title"] for i in items] == ["Our community"]
    assert "custom" not in items[0]
    assert jwt.get_unverified_header(token)["kid"] == keys["keys"][0]["kid"]


def test_a_deep_linking_request_is_answered_once(moodle):
    answer, url = deep_link_answer(moodle)
    assert answer.status_code == 200
    page = moodle.client.get(url)
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    again = moodle.client.post(url, data={"csrf_token": token, "title": "Another"})
    assert again.status_code == 409
    assert "already answered" in again.get_data(as_text=True)
    assert 'name="JWT"' not in again.get_data(as_text=True)


@pytest.fixture
def lms(test_platform, tmp_path):
    """The sandbox LMS pages, as its users see them."""
    return create_platform_app(test_platform, tmp_path / "lms.json").test_client()


def test_the_moodle_course_offers_no_platform_storage_and_a_fixed_frame(lms):
    page = lms.get("/sandbox/?profile=moodle").get_data(as_text=True)
    assert "post_message_forwarding" not in page
    assert 'data-frame-resize="off"' in page
    start = lms.get("/sandbox/start?user=learner-1&profile=moodle&storage=1")
    assert "lti_storage_target" not in start.get_data(as_text=True)
    assert 'name="lti_deployment_id" value="2"' in start.get_data(as_text=True)


def test_moodle_csv_export_uses_the_moodle_username(app, test_platform, moodle):
    staff = Browser(app, test_platform, "instructor-1", profile="moodle")
    ids = add_challenges(staff)
    for i in range(1, 7):
        learner = Browser(app, test_platform, f"learner-{i}", profile="moodle")
        first = {"first": ids[TITLES[0]], "second": ids[TITLES[2]], "third": "None"}
        assert learner.post("/learner/challenges", first).status_code == 302
    staff.post("/instructor/cohorts/form", form_page="/instructor/cohorts")
    staff.post("/instructor/cohorts/publish", form_page="/instructor/cohorts")
    lines = staff.get("/instructor/export/moodle.csv").get_data(as_text=True).splitlines()
    assert lines[0] == "username,course1,group1" and len(lines) == 7
    assert any(line.startswith("asouza,DATA101,") for line in lines)
    assert not any("@" in line for line in lines)
    assert "left out" not in staff.get("/instructor/export").get_data(as_text=True)


def test_the_moodle_course_signs_you_in_with_a_session_cookie_the_auth_endpoint_wants(
    lms, test_platform
):
    params = test_platform.login_initiation(
        __import__("sandbox.demo").demo.USERS["learner-1"], profile="moodle"
    )
    auth = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": params["client_id"],
        "redirect_uri": test_platform.tool_launch_url,
        "state": "s",
        "nonce": "n",
        "login_hint": params["login_hint"],
        "lti_message_hint": params["lti_message_hint"],
    }
    assert lms.get("/sandbox/auth", query_string=auth).status_code == 401
    http_cookie = lms.get("/sandbox/?profile=moodle").headers["Set-Cookie"]
    assert http_cookie.startswith("MoodleSession=") and "SameSite" not in http_cookie
    assert lms.get("/sandbox/auth", query_string=auth).status_code == 200
    fresh = lms.application.test_client()
    secure = fresh.get("/sandbox/?profile=moodle", base_url="https://localhost")
    assert "SameSite=None" in secure.headers["Set-Cookie"]
    assert "Secure" in secure.headers["Set-Cookie"]
