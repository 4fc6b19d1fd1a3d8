"""Launch sessions live on the server: revocable, short when idle, tokens in URLs only if needed."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from cohorts.models import LaunchSession, utcnow
from lti_app.extensions import db
from lti_app.lti import tool_conf
from tests.conftest import Launcher, make_tool_app, page_address, register_platform, wipe

from .test_cookieless_launch import auth_params, storage_login

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
COOKIE = "communitas_session"


def cookieless_launch(app, test_platform, user="learner-1"):
    """Launch in a browser that keeps no cookies (platform storage); return it and its URL."""
    browser, attrs = storage_login(app, test_platform, user=user)
    fields = test_platform.authorize(auth_params(attrs["next"]))
    done = browser.post("/lti/launch", data={**fields, "lti_storage_secret": attrs["value"]})
    address = page_address(done)
    assert done.status_code == 200 and "lt=" in address
    assert 'href="/learner/challenges?lt=' in done.get_data(as_text=True)  # its links carry it
    return browser, address


def sign_out(browser, page_url):
    page = browser.get(page_url).get_data(as_text=True)
    action = re.search(r'action="([^"]*sign-out[^"]*)"', page).group(1).replace("&amp;", "&")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return browser.post(action, data={"csrf_token": csrf})


def sessions() -> int:
    return db.session.scalar(select(func.count()).select_from(LaunchSession)) or 0


def test_a_browser_that_keeps_cookies_never_sees_the_token_in_a_url(launcher, client):
    response = launcher.launch("learner-1")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and page_address(response) == "/learner/"
    assert "Welcome, Ana Souza" in page and "lt=" not in page
    assert "lt=" not in client.get("/learner/").get_data(as_text=True)
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None and cookie.http_only


def test_without_cookies_links_and_forms_carry_the_token_and_messages_survive(app, test_platform):
    from flask import flash, redirect, url_for

    @app.get("/_flash_probe")
    def flash_probe():
        flash("Saved.", "success")
        return redirect(url_for("learner.course.home"))

    browser, home = cookieless_launch(app, test_platform)
    page = browser.get(home).get_data(as_text=True)
    assert "Welcome, Ana Souza" in page and "lt=" in page
    after = browser.get("/_flash_probe?" + home.split("?", 1)[1])
    assert after.status_code == 302 and "lt=" in after.location
    assert "Saved." in browser.get(after.location).get_data(as_text=True)


def test_signing_out_revokes_a_token_copied_from_an_access_log(app, test_platform):
    browser, home = cookieless_launch(app, test_platform)
    thief = app.test_client(use_cookies=False)
    profile = home.replace("/learner/", "/learner/profile")
    assert thief.get(profile).status_code == 200  # a copied token works while the session lives
    csrf = TOKEN.search(thief.get(profile).get_data(as_text=True)).group(1)
    done = sign_out(browser, home)
    assert done.status_code == 303 and "lt=" not in done.location
    assert "You are signed out" in browser.get(done.location).get_data(as_text=True)
    assert thief.get(profile).status_code == 401
    posted = thief.post(profile, data={"csrf_token": csrf, "offers": "stolen", "time_zone": ""})
    assert posted.status_code in (400, 401)
    assert sessions() == 0


def test_signing_out_in_a_cookie_browser_forgets_the_cookie(launch_as, client):
    launch_as("instructor-1")
    assert client.get("/instructor/").status_code == 200
    done = sign_out(client, "/instructor/")
    assert done.status_code == 303
    assert client.get_cookie(COOKIE) is None
    assert client.get("/instructor/").status_code == 401


def test_a_new_launch_in_the_same_browser_revokes_the_older_session(app, launcher, client):
    launcher.launch("learner-1")
    old_cookie = client.get_cookie(COOKIE).value
    launcher.launch("learner-1")
    assert sessions() == 1
    copy = app.test_client()
    copy.set_cookie(COOKIE, old_cookie, domain="localhost")
    assert copy.get("/learner/").status_code == 401
    assert client.get("/learner/").status_code == 200


def test_a_link_with_someone_elses_token_does_not_switch_a_signed_in_browser(
    app, test_platform, launch_as, client
):
    launch_as("learner-1")
    _, stranger_link = cookieless_launch(app, test_platform, user="learner-3")
    page = client.get(stranger_link).get_data(as_text=True)
    assert "Ana Souza" in page and "Chen Wei" not in page


@pytest.mark.parametrize(
    ("idle", "age"),
    [(timedelta(minutes=31), timedelta(minutes=31)), (timedelta(0), timedelta(hours=3, minutes=1))],
)
def test_a_session_ends_after_thirty_idle_minutes_and_three_hours_after_launch(
    launch_as, client, idle, age
):
    launch_as("learner-1")
    now = utcnow()
    db.session.execute(update(LaunchSession).values(seen_at=now - idle, created_at=now - age))
    db.session.commit()
    assert client.get("/learner/").status_code == 401
    assert sessions() == 0


def test_using_a_session_renews_its_idle_time(launch_as, client):
    launch_as("learner-1")
    earlier = utcnow() - timedelta(minutes=20)
    db.session.execute(update(LaunchSession).values(seen_at=earlier))
    db.session.commit()
    assert client.get("/learner/").status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(LaunchSession.seen_at)) > earlier + timedelta(minutes=19)


def test_with_redis_sessions_are_revoked_and_expire_there(database_url, test_platform, redis_url):
    import redis

    app = make_tool_app(database_url, REDIS_URL=redis_url)
    store = redis.Redis.from_url(redis_url)
    with app.app_context():
        wipe(db.engine)
        tool_conf.forget()  # registrations cached by an earlier test's app name other rows
        register_platform(test_platform)
        try:
            before = set(store.keys("communitas:launch:*"))
            browser = app.test_client()
            assert Launcher(browser, test_platform).launch("learner-1").status_code == 200
            keys = set(store.keys("communitas:launch:*")) - before
            assert len(keys) == 1 and 0 < store.ttl(keys.pop()) <= 30 * 60
            assert sessions() == 0  # nothing in the database
            assert browser.get("/learner/").status_code == 200
            sign_out(browser, "/learner/")
            assert set(store.keys("communitas:launch:*")) <= before
            assert browser.get("/learner/").status_code == 401
        finally:
            db.session.remove()
            db.engine.dispose()


def test_when_the_session_store_fails_the_error_page_still_answers(
    app, launch_as, client, monkeypatch
):
    from sqlalchemy.exc import OperationalError

    from lti_app.session_store import DatabaseSessionStore

    launch_as("learner-1")
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def down(*_args):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr(DatabaseSessionStore, "load", down)
    page = client.get("/learner/")
    assert page.status_code in (500, 503)  # the page of the error pages, never a bare crash
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert "<main" in page.get_data(as_text=True)


def test_while_redis_is_down_sessions_live_in_the_database(app, launcher, client):
    import redis

    app.extensions["communitas_redis"] = redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=1, socket_timeout=1
    )
    assert launcher.launch("learner-1").status_code == 200
    assert sessions() == 1 and client.get("/learner/").status_code == 200
    sign_out(client, "/learner/")
    assert sessions() == 0 and client.get("/learner/").status_code == 401
