"""The login checks the browser can keep its state before it spends the platform's hint.

Moodle's ``lti_message_hint`` works once, so a login that cannot finish in the frame must
go to the platform only from the new window.
"""

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from cohorts.models import utcnow
from cohorts.platforms.binding import NEW_WINDOW_COMPLETED, NEW_WINDOW_OFFERED, NO_STATE_COOKIE
from cohorts.platforms.records import doctor_reports
from lti_app.extensions import db
from lti_app.lti.health import current_limits
from sandbox.demo import USERS
from sandbox.profiles import MOODLE

FRAME = {"Sec-Fetch-Dest": "iframe"}
PAGE = {"Sec-Fetch-Dest": "document"}


def data_attrs(page: str) -> dict[str, str]:
    tag = re.search(r'id="lti-storage"[^>]*>', page, re.S).group(0)
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', tag)}


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))


def new_window_link(page: str) -> str:
    return html.unescape(re.search(r'href="([^"]+)" target="_blank"', page).group(1))


@pytest.fixture
def tool_at(app, test_platform):
    """Move the tool to another base URL (say https://, or another site than the platform)."""
    saved = app.config["BASE_URL"], test_platform.tool_base_url

    def move(base: str) -> None:
        app.config["BASE_URL"] = test_platform.tool_base_url = base

    yield move
    app.config["BASE_URL"], test_platform.tool_base_url = saved


def binding_counts(client_id: str) -> dict[str, int]:
    reports = doctor_reports(db.session, utcnow(), current_limits())
    report = next(r for r in reports if r.registration.client_id == client_id)
    return {b.kind: b.count for b in report.binding}


def test_a_login_inside_a_frame_checks_cookies_before_going_to_the_platform(
    moodle, client, test_platform
):
    params = test_platform.login_initiation(USERS["learner-1"], profile="moodle")
    page = client.post("/lti/login", data=params, headers=FRAME)
    assert page.status_code == 200
    attrs = data_attrs(page.get_data(as_text=True))
    assert attrs["mode"] == "login" and attrs["cookie"] == "; SameSite=Lax"
    assert attrs["next"].startswith(test_platform.issuer + "/auth?")
    assert "/lti/login/blocked?state=" in attrs["blocked"]
    # The hint is still unused: the frame has not been to the platform.
    test_platform.authorize(query(attrs["next"]))


def test_moodle_new_window_fallback_uses_the_hint_once_in_the_new_window(
    moodle, app, tool_at, test_platform
):
    tool_at("https://localhost")  # over HTTPS, as production runs
    framed = app.test_client(use_cookies=False)  # this frame keeps no cookie
    params = test_platform.login_initiation(USERS["learner-2"], profile="moodle")
    login = framed.post("/lti/login", data=params, headers=FRAME, base_url="https://localhost")
    attrs = data_attrs(login.get_data(as_text=True))
    assert attrs["cookie"] == "; SameSite=None; Secure; Partitioned"
    offer = framed.get(attrs["blocked"] + "&why=cookie", base_url="https://localhost")
    assert offer.status_code == 200
    link = new_window_link(offer.get_data(as_text=True))
    window = app.test_client()
    again = window.get(link, headers=PAGE)
    assert again.status_code == 302
    fields = test_platform.authorize(query(again.location))  # Moodle's hint: its first use
    done = window.post("/lti/launch", data=fields, base_url="https://localhost")
    assert done.status_code == 200, done.get_data(as_text=True)
    assert "Welcome, Ben Carter" in done.get_data(as_text=True)
    counts = binding_counts(MOODLE.client_id)
    assert counts == {NEW_WINDOW_OFFERED: 1, NEW_WINDOW_COMPLETED: 1}


def test_over_http_with_the_platform_on_another_site_the_page_says_https_is_needed(
    moodle, app, tool_at, test_platform
):
    tool_at("http://communitas.example")
    framed = app.test_client(use_cookies=False)
    params = test_platform.login_initiation(USERS["learner-3"], profile="moodle")
    login = framed.post("/lti/login", data=params, base_url="http://communitas.example")
    attrs = data_attrs(login.get_data(as_text=True))
    fields = test_platform.authorize(query(attrs["next"]))
    page = framed.post("/lti/launch", data=fields, base_url="http://communitas.example")
    text = page.get_data(as_text=True)
    assert page.status_code == 401
    assert "plain <code>http://</code> address" in text and "serve Communitas over HTTPS" in text
    assert "blocks cookies" not in text and "Open Communitas in a new window</a>" not in text
    assert binding_counts(MOODLE.client_id) == {NO_STATE_COOKIE: 1}
    report = next(
        r
        for r in doctor_reports(db.session, utcnow(), current_limits())
        if r.registration.client_id == MOODLE.client_id
    )
    lines = " ".join(f.line for f in report.findings)
    assert "served over http and this platform is on another site" in lines
    assert "came back without the login cookie" in lines


def test_a_blocked_login_that_expired_is_refused_plainly(client):
    response = client.get("/lti/login/blocked?state=made-up&why=cookie")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["lti_message_hint", "login_hint", "target_link_uri"])
def test_an_overlong_login_parameter_is_refused_and_nothing_is_stored(
    launcher, client, test_platform, name
):
    from sqlalchemy import func, select

    from cohorts.models import LoginState

    params = test_platform.login_initiation(USERS["learner-1"])
    params[name] = params[name] + "x" * 1_800_000
    response = client.post("/lti/login", data=params, headers=PAGE)
    assert response.status_code == 400
    assert "longer than 2048 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(LoginState)) == 0


def test_login_parameters_too_long_altogether_are_refused(client, test_platform):
    params = test_platform.login_initiation(USERS["learner-1"])
    params.update(lti_message_hint="h" * 2000, login_hint="l" * 2000, lti_deployment_id="d" * 2000)
    response = client.post("/lti/login", data=params, headers=PAGE)
    assert response.status_code == 400
    assert "too long altogether" in response.get_data(as_text=True)


def test_a_nul_in_a_login_parameter_is_refused(client, test_platform):
    params = test_platform.login_initiation(USERS["learner-1"])
    params["iss"] += "\x00"
    response = client.post("/lti/login", data=params, headers=PAGE)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
