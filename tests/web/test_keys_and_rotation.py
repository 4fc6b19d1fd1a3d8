"""Key rotation on both sides, deep linking responses, and replay across app instances."""

import jwt
import pytest
from sqlalchemy import func, select

from cohorts.models import Enrolment
from lti_app.extensions import db
from lti_app.lti import platform_keys
from sandbox.demo import USERS
from tests.conftest import make_tool_app


def tool_jwks(client) -> dict:
    return client.get("/lti/jwks").get_json()


class Clock:
    """The key-set cache's clock, moved by the test instead of by waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(platform_keys, "time", fake)
    return fake


@pytest.fixture
def fetches(monkeypatch) -> list[str]:
    seen: list[str] = []
    real_fetch = platform_keys._fetch
    monkeypatch.setattr(platform_keys, "_fetch", lambda url: seen.append(url) or real_fetch(url))
    return seen


def test_a_platform_key_rotated_two_seconds_after_the_last_fetch_is_found_at_once(
    launcher, test_platform, clock, fetches
):
    assert launcher.launch("learner-1").status_code == 200
    old_keys = list(test_platform.keys)
    try:
        test_platform.rotate_key()
        clock.now += 2
        assert launcher.launch("learner-2").status_code == 200
        assert len(fetches) == 2
    finally:
        test_platform.keys = old_keys


def test_made_up_kids_cost_at_most_one_fetch_a_second_and_repeats_none(
    launcher, test_platform, clock, fetches
):
    assert launcher.launch("learner-1").status_code == 200
    bogus = {kid: (lambda b, k=kid: test_platform.sign(b, headers={"kid": k})) for kid in "xyz"}
    for step, kid in [(0.2, "x"), (2, "x"), (0.3, "y"), (0.3, "z"), (2, "x")]:
        clock.now += step
        assert launcher.launch(sign=bogus[kid]).status_code == 401
    # x at +0.2 s: too soon after the launch's fetch; x at +2.2 s: fetched once; y and z
    # within a second of that: refused without asking; x at +4.8 s: remembered as unknown.
    assert len(fetches) == 2


def test_tool_key_rotation_keeps_previous_key_published_until_retired(app, client):
    runner = app.test_cli_runner()
    before = {k["kid"] for k in tool_jwks(client)["keys"]}
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0 and "New signing key" in result.output
    after = {k["kid"] for k in tool_jwks(client)["keys"]}
    assert before < after and len(after) == 2
    listing = runner.invoke(args=["keys", "list"]).output
    assert "active" in listing and "previous" in listing
    assert runner.invoke(args=["keys", "retire"]).exit_code == 0
    remaining = {k["kid"] for k in tool_jwks(client)["keys"]}
    assert remaining == after - before


def deep_link_response(client, launcher) -> str:
    response = launcher.launch("instructor-1", "deeplink")
    assert response.status_code == 303 and response.location == "/lti/deep-link"
    form = client.get("/lti/deep-link").get_data(as_text=True)
    assert "Add Communitas to your course" in form
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    page = client.post("/lti/deep-link", data={"csrf_token": token, "title": "Our community"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'action="' + launcher.platform.issuer + '/deep-link-return"' in html
    return html.split('name="JWT" value="')[1].split('"')[0]


def test_instructor_deep_linking_returns_a_signed_resource_link(client, launcher, test_platform):
    token = deep_link_response(client, launcher)
    claims = test_platform.verify_tool_jwt(token, tool_jwks(client), test_platform.issuer)
    assert claims["iss"] == test_platform.client_id
    dl = "https://purl.imsglobal.org/spec/lti-dl/claim/"
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
        "LtiDeepLinkingResponse"
    )
    item = claims[dl + "content_items"][0]
    assert (item["type"], item["title"], item["url"]) == (
        "ltiResourceLink",
        "Our community",
        "http://localhost/lti/launch",
    )
    assert claims[dl + "data"].startswith("sandbox-dl-")


def test_deep_link_response_is_signed_with_the_new_key_after_rotation(
    app, client, launcher, test_platform
):
    app.test_cli_runner().invoke(args=["keys", "rotate"])
    token = deep_link_response(client, launcher)
    active = [k for k in tool_jwks(client)["keys"]]
    assert jwt.get_unverified_header(token)["kid"] == active[0]["kid"]
    test_platform.verify_tool_jwt(token, tool_jwks(client), test_platform.issuer)


def test_deep_link_title_is_required(client, launcher):
    launcher.launch("instructor-1", "deeplink")
    form = client.get("/lti/deep-link").get_data(as_text=True)
    token = form.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    page = client.post("/lti/deep-link", data={"csrf_token": token, "title": ""})
    assert "Give the link a title." in page.get_data(as_text=True)
    assert "JWT" not in page.get_data(as_text=True)


def test_deep_link_without_csrf_token_is_refused(client, launcher):
    launcher.launch("instructor-1", "deeplink")
    response = client.post("/lti/deep-link", data={"title": "x"})
    assert response.status_code == 400
    assert "Nothing was changed" in response.get_data(as_text=True)


def test_learner_cannot_deep_link(client, launcher):
    launcher.launch("learner-1", "deeplink")
    assert client.get("/lti/deep-link").status_code == 403


@pytest.mark.parametrize("second_uses_redis", [False, True])
def test_replay_on_another_app_instance_sharing_the_database_is_refused(
    app, database_url, launcher, client, test_platform, second_uses_redis, redis_url
):
    shared = redis_url if second_uses_redis else None
    first = make_tool_app(database_url, REDIS_URL=shared)
    second = make_tool_app(database_url, REDIS_URL=shared)
    browser = first.test_client()
    auth = launcher.__class__(browser, test_platform).login()
    form = {
        "id_token": test_platform.sign(
            test_platform.launch_claims(USERS["learner-1"], auth["nonce"])
        ),
        "state": auth["state"],
    }
    other = second.test_client()
    other.set_cookie(f"lti1p3-{auth['state']}", auth["state"], domain="localhost")
    assert browser.post("/lti/launch", data=form).status_code == 200
    replay = other.post("/lti/launch", data=form)
    assert replay.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
    for instance in (first, second):
        with instance.app_context():
            db.engine.dispose()


def test_service_calls_from_a_launch_say_who_is_calling(app, launcher):
    from lti_app.lti.http import USER_AGENT
    from lti_app.lti.launch import CommunitasLaunch

    with app.test_request_context("/lti/launch", method="POST"):
        launch = CommunitasLaunch(None, None, None, "http://localhost")
    assert launch._requests_session.headers["User-Agent"] == USER_AGENT
    assert USER_AGENT.startswith("Communitas/")
