"""Launches where the browser drops third-party cookies: platform storage, then a new window."""

import html
import re

from sqlalchemy import func, select

from cohorts.models import Enrolment
from lti_app.extensions import db
from sandbox.demo import USERS
from tests.conftest import page_address


def data_attrs(page: str) -> dict[str, str]:
    tag = re.search(r'id="lti-storage"[^>]*>', page, re.S).group(0)
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', tag)}


def storage_login(app, test_platform, user="learner-1", target="post_message_forwarding"):
    browser = app.test_client(use_cookies=False)  # cookies never come back in this browser
    params = test_platform.login_initiation(USERS[user])
    params["lti_storage_target"] = target
    page = browser.post("/lti/login", data=params)
    assert page.status_code == 200
    return browser, data_attrs(page.get_data(as_text=True))


def auth_params(next_url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl, urlsplit

    return dict(parse_qsl(urlsplit(next_url).query))


def test_login_with_storage_target_keeps_a_secret_in_platform_storage(app, test_platform):
    _, attrs = storage_login(app, test_platform)
    assert attrs["mode"] == "login" and attrs["target"] == "post_message_forwarding"
    assert attrs["origin"] == test_platform.issuer.rsplit("/sandbox", 1)[0]
    assert attrs["key"].startswith("communitas-state-") and len(attrs["value"]) > 20
    assert attrs["next"].startswith(test_platform.issuer + "/auth?")


def test_launch_confirmed_through_platform_storage_works_without_cookies(app, test_platform):
    browser, attrs = storage_login(app, test_platform)
    fields = test_platform.authorize(auth_params(attrs["next"]))
    check = browser.post("/lti/launch", data=fields)
    assert check.status_code == 200
    page = check.get_data(as_text=True)
    get = data_attrs(page)
    assert get["mode"] == "get" and get["key"] == attrs["key"]
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0
    done = browser.post("/lti/launch", data={**fields, "lti_storage_secret": attrs["value"]})
    assert done.status_code == 200 and "lt=" in page_address(done)
    assert "Welcome, Ana Souza" in done.get_data(as_text=True)
    again = browser.get(page_address(done))  # a reload, once the page took its address
    assert "Welcome, Ana Souza" in again.get_data(as_text=True)


def test_wrong_storage_secret_is_refused(app, test_platform):
    browser, attrs = storage_login(app, test_platform)
    fields = test_platform.authorize(auth_params(attrs["next"]))
    response = browser.post("/lti/launch", data={**fields, "lti_storage_secret": "guess"})
    assert response.status_code == 401
    assert "did not confirm this browser" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 0


def test_without_cookies_or_storage_the_new_window_link_completes_the_launch(app, test_platform):
    framed = app.test_client(use_cookies=False)
    login = framed.post("/lti/login", data=test_platform.login_initiation(USERS["learner-3"]))
    attrs = data_attrs(login.get_data(as_text=True))
    offer = framed.get(attrs["blocked"] + "&why=cookie")  # where the cookie check sends it
    assert offer.status_code == 200
    link = html.unescape(
        re.search(r'href="([^"]+)" target="_blank"', offer.get_data(as_text=True)).group(1)
    )
    window = app.test_client()  # a first-party window keeps cookies
    again = window.get(link, headers={"Sec-Fetch-Dest": "document"})
    assert again.status_code == 302
    done = window.post("/lti/launch", data=test_platform.authorize(auth_params(again.location)))
    assert done.status_code == 200
    assert "Chen Wei" in done.get_data(as_text=True)


def test_forms_work_with_the_launch_token_alone(app, launcher, test_platform):
    browser, attrs = storage_login(app, test_platform, user="instructor-1")
    browser_fields = test_platform.authorize(auth_params(attrs["next"]))
    # a deep-linking launch needs a CSRF-protected form, submitted without any cookie
    params = test_platform.login_initiation(USERS["instructor-1"], "deeplink")
    params["lti_storage_target"] = "_parent"
    attrs = data_attrs(browser.post("/lti/login", data=params).get_data(as_text=True))
    fields = test_platform.authorize(auth_params(attrs["next"]))
    done = browser.post("/lti/launch", data={**fields, "lti_storage_secret": attrs["value"]})
    form_page = browser.get(done.location).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form_page).group(1)
    result = browser.post(done.location, data={"csrf_token": token, "title": "Peers"})
    assert result.status_code == 200 and 'name="JWT"' in result.get_data(as_text=True)
    assert browser_fields["state"] != fields["state"]


def test_after_a_launch_only_the_launching_lms_may_frame_the_tool(launch_as, test_platform):
    page = launch_as("learner-1")
    policy = page.headers["Content-Security-Policy"]
    lms = test_platform.issuer.rsplit("/sandbox", 1)[0]
    assert f"frame-ancestors 'self' {lms}" in policy
    assert "X-Frame-Options" not in page.headers


def test_over_https_cookies_are_cross_site_secure_and_partitioned(database_url, test_platform):
    from lti_app.extensions import db
    from lti_app.lti import tool_conf
    from tests.conftest import make_tool_app, register_platform

    app = make_tool_app(
        database_url,
        BASE_URL="https://tool.example",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="None",
        SESSION_COOKIE_PARTITIONED=True,
    )
    with app.app_context():
        tool_conf.forget()
        register_platform(test_platform)
        try:
            browser = app.test_client()
            params = test_platform.login_initiation(USERS["learner-1"])
            params["target_link_uri"] = "https://tool.example/lti/launch"
            login = browser.post("/lti/login", data=params, base_url="https://tool.example")
            state_cookie = login.headers["Set-Cookie"]
            for flag in ("Secure", "HttpOnly", "SameSite=None", "Partitioned"):
                assert flag in state_cookie, state_cookie
        finally:
            db.session.remove()
            db.engine.dispose()


def test_an_https_deployment_sets_its_session_cookie_for_the_lms_iframe(monkeypatch, tmp_path):
    from lti_app.config import load_config

    monkeypatch.setenv("COMMUNITAS_BASE_URL", "https://communitas.example.edu")
    config = load_config(str(tmp_path))
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "None"
    assert config["SESSION_COOKIE_PARTITIONED"] is True
    monkeypatch.setenv("COMMUNITAS_BASE_URL", "http://127.0.0.1:5000")
    assert load_config(str(tmp_path))["SESSION_COOKIE_SAMESITE"] == "Lax"
