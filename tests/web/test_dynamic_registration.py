"""LTI Dynamic Registration against the live sandbox platform and a misbehaving fake one."""

import html
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from flask import Flask, Response, jsonify
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.serving import make_server

from cohorts.models import Deployment, Platform
from lti_app.extensions import db
from lti_app.lti import registration
from lti_app.lti.register_views import GENERIC_FAILURE
from sandbox.platform import Platform as SandboxPlatform
from tests.conftest import Launcher

TOOL_CONFIG = registration.TOOL_CONFIG


def rows() -> tuple[int, int]:
    count = func.count()
    return (
        db.session.scalar(select(count).select_from(Platform)),
        db.session.scalar(select(count).select_from(Deployment)),
    )


@pytest.fixture
def sandbox_reset(test_platform: SandboxPlatform) -> Iterator[None]:
    """Put the shared test platform back on its built-in client id after the test."""
    yield
    requests.post(test_platform.issuer + "/register/forget", timeout=10, allow_redirects=False)
    assert test_platform.client_id == "communitas-sandbox"


def start(platform: SandboxPlatform) -> str:
    """Do what the LMS admin page does: issue a token and open the tool's registration URL."""
    response = requests.get(platform.issuer + "/register/start", timeout=10, allow_redirects=False)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    return f"{location.path}?{location.query}"


def hidden_fields(page: str) -> dict[str, str]:
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page)
    }


def refused_generically(response: Any, caplog: pytest.LogCaptureFixture, detail: str) -> bool:
    """Every failure gives the caller one message; the reason is in the log only."""
    page = html.unescape(response.get_data(as_text=True))
    return (
        response.status_code == 400
        and GENERIC_FAILURE in page
        and detail not in page
        and detail in caplog.text
    )


def confirm(client: FlaskClient, path: str) -> Any:
    """Open the confirmation page, then press its button."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post("/lti/register", data=hidden_fields(page.get_data(as_text=True)))


def test_registration_stores_the_new_client_and_its_next_launch_works(
    client: FlaskClient, test_platform: SandboxPlatform, sandbox_reset: None
) -> None:
    before = rows()
    page = client.get(start(test_platform))
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f"Register Communitas with sandbox at {test_platform.issuer}?" in text
    assert "LtiDeepLinkingRequest" in text and "contextmembership.readonly" in text
    assert rows() == before  # showing the page registers nothing

    done = client.post("/lti/register", data=hidden_fields(text))
    body = done.get_data(as_text=True)
    assert done.status_code == 200, body
    assert "Communitas is registered" in body and "/static/lti_close.js" in body
    new_client = test_platform.client_id
    assert new_client.startswith("communitas-dyn-")
    platform = db.session.scalars(select(Platform).where(Platform.client_id == new_client)).one()
    assert platform.issuer == test_platform.issuer
    assert platform.auth_login_url == test_platform.issuer + "/auth"
    assert [d.deployment_id for d in platform.deployments] == [test_platform.deployment_id]
    assert rows() == (before[0] + 1, before[1] + 1)

    launch = Launcher(client, test_platform).launch("instructor-1")
    assert launch.status_code == 200, launch.get_data(as_text=True)


def test_a_registration_token_is_single_use(
    client: FlaskClient, test_platform: SandboxPlatform, sandbox_reset: None, caplog: Any
) -> None:
    path = start(test_platform)
    assert confirm(client, path).status_code == 200
    before = rows()
    again = confirm(client, path)
    assert refused_generically(again, caplog, "refused the registration token")
    assert rows() == before


def test_sandbox_refuses_registration_without_token(
    client: FlaskClient, test_platform: SandboxPlatform, sandbox_reset: None, caplog: Any
) -> None:
    before = rows()
    config = test_platform.issuer + "/.well-known/openid-configuration"
    response = confirm(client, "/lti/register?" + urlencode({"openid_configuration": config}))
    assert refused_generically(response, caplog, "requires a registration token")
    assert rows() == before
    assert test_platform.client_id == "communitas-sandbox"


# -- a platform that misbehaves on demand ------------------------------------------------------
class FakePlatform:
    """An LMS whose configuration and registration answers each test chooses."""

    def __init__(self) -> None:
        self.config: Any = None
        self.answer: tuple[Any, int] = ({}, 200)
        self.base = ""

    def good_config(self) -> dict[str, Any]:
        return {
            "issuer": self.base,
            **{name: f"{self.base}/{name}" for name in registration.ENDPOINTS},
            "registration_endpoint": self.base + "/register",
            "id_token_signing_alg_values_supported": ["RS256"],
            registration.PLATFORM_CONFIG: {"product_family_code": "fakelms"},
        }


@pytest.fixture(scope="module")
def fake() -> Iterator[FakePlatform]:
    state = FakePlatform()
    app = Flask("fake_platform")

    def answer(value: Any, status: int) -> Response | tuple[Any, int]:
        return (jsonify(value), status) if not isinstance(value, str) else (value, status)

    app.add_url_rule("/config", "config", lambda: answer(state.config, 200))
    app.add_url_rule("/register", "register", lambda: answer(*state.answer), methods=["POST"])
    server = make_server("127.0.0.1", 0, app, threaded=True)
    state.base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()


def open_fake(client: FlaskClient, fake: FakePlatform) -> Any:
    query = urlencode({"openid_configuration": fake.base + "/config", "registration_token": "t"})
    return client.get("/lti/register?" + query)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("<html>not json</html>", "is not JSON"),
        ({"issuer": "https://lms.example.org"}, "which is on another site"),
        ({"registration_endpoint": None}, "lacks a valid registration_endpoint"),
        ({"token_endpoint": "ftp://x"}, "lacks a valid token_endpoint"),
        (
            {registration.PLATFORM_CONFIG: None},
            "has no https://purl.imsglobal.org/spec/lti-platform",
        ),
        (
            {"id_token_signing_alg_values_supported": ["HS256"]},
            "does not sign id_tokens with RS256",
        ),
    ],
)
def test_bad_configuration_is_refused_with_the_reason_in_the_log_only(
    client: FlaskClient, fake: FakePlatform, config: Any, message: str, caplog: Any
) -> None:
    before = rows()
    fake.config = config if isinstance(config, str) else {**fake.good_config(), **config}
    assert refused_generically(open_fake(client, fake), caplog, message)
    assert rows() == before


def test_unreachable_configuration_is_refused_like_any_other_failure(
    client: FlaskClient, caplog: Any
) -> None:
    response = client.get("/lti/register?openid_configuration=http://127.0.0.1:9/config")
    assert refused_generically(response, caplog, "could not be read")


def test_missing_openid_configuration_is_explained(client: FlaskClient) -> None:
    response = client.get("/lti/register")
    assert response.status_code == 400
    assert "must be opened by your LMS" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("answer", "status", "message"),
    [
        ({"error": "boom"}, 500, "registration endpoint answered HTTP 500"),
        ({TOOL_CONFIG: {"deployment_id": "1"}}, 200, "registration answer has no client_id"),
        ({"client_id": "c-1", TOOL_CONFIG: {}}, 200, "sent no deployment_id"),
        ("not json", 200, "registration answer is not JSON"),
        ({"error": "invalid_token"}, 401, "refused the registration token"),
    ],
)
def test_bad_registration_answer_stores_nothing(
    client: FlaskClient, fake: FakePlatform, answer: Any, status: int, message: str, caplog: Any
) -> None:
    fake.config = fake.good_config()
    fake.answer = (answer, status)
    page = open_fake(client, fake)
    assert page.status_code == 200
    assert "Register Communitas with fakelms at" in page.get_data(as_text=True)
    before = rows()
    response = client.post("/lti/register", data=hidden_fields(page.get_data(as_text=True)))
    assert refused_generically(response, caplog, message)
    assert rows() == before


def test_a_known_client_gains_the_new_deployment(client: FlaskClient, fake: FakePlatform) -> None:
    fake.config = fake.good_config()
    for deployment in ("d-1", "d-2", "d-2"):
        fake.answer = ({"client_id": "same", TOOL_CONFIG: {"deployment_id": deployment}}, 200)
        page = open_fake(client, fake)
        response = client.post("/lti/register", data=hidden_fields(page.get_data(as_text=True)))
        assert response.status_code == 200, response.get_data(as_text=True)
    platform = db.session.scalars(select(Platform).where(Platform.client_id == "same")).one()
    assert [d.deployment_id for d in platform.deployments] == ["d-1", "d-2"]


def test_confirmation_needs_the_signed_confirmation(
    client: FlaskClient, fake: FakePlatform
) -> None:
    fake.config = fake.good_config()
    fake.answer = ({"client_id": "signed", TOOL_CONFIG: {"deployment_id": "d-1"}}, 200)
    fields = hidden_fields(open_fake(client, fake).get_data(as_text=True))
    missing = {k: v for k, v in fields.items() if k != "confirmation"}
    assert client.post("/lti/register", data=missing).status_code == 400
    swapped = {**fields, "openid_configuration": "https://evil.example/openid"}
    assert client.post("/lti/register", data=swapped).status_code == 400
    assert registers_without_cookies(client, fields)


def registers_without_cookies(client: FlaskClient, fields: dict[str, str]) -> bool:
    """A confirmation works without any cookie: the LMS frame may block them."""
    cookieless = client.application.test_client(use_cookies=False)
    return cookieless.post("/lti/register", data=fields).status_code == 200


def test_registration_request_asks_only_for_offered_scopes() -> None:
    config = registration.parse_configuration(
        "https://lms.example.org/oidc",
        {
            "issuer": "https://lms.example.org",
            **{name: f"https://lms.example.org/{name}" for name in registration.ENDPOINTS},
            "scopes_supported": ["openid", registration.SCOPES[0], registration.SCOPES[3]],
            registration.PLATFORM_CONFIG: {
                "messages_supported": [{"type": "LtiResourceLinkRequest"}]
            },
        },
    )
    body = registration.tool_registration("https://tool.example.edu", config)
    assert body["scope"] == f"{registration.SCOPES[0]} {registration.SCOPES[3]}"
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["redirect_uris"] == ["https://tool.example.edu/lti/launch"]
    assert body["initiate_login_uri"] == "https://tool.example.edu/lti/login"
    assert body["jwks_uri"] == "https://tool.example.edu/lti/jwks"
    tool = body[TOOL_CONFIG]
    assert tool["domain"] == "tool.example.edu"
    assert tool["messages"] == [{"type": "LtiResourceLinkRequest"}]
    assert tool["claims"] == ["iss", "sub", "name", "given_name", "family_name", "email"]


def test_sandbox_course_page_offers_dynamic_registration(test_platform: SandboxPlatform) -> None:
    page = requests.get(test_platform.issuer + "/", timeout=10).text
    assert "Register Communitas by dynamic registration" in page
    config = requests.get(
        test_platform.issuer + "/.well-known/openid-configuration", timeout=10
    ).json()
    assert config["issuer"] == test_platform.issuer
    assert config["registration_endpoint"] == test_platform.issuer + "/register"


def test_registration_page_may_be_framed_by_any_lms(
    client: FlaskClient, fake: FakePlatform, launch_as: Any
) -> None:
    launch_as("instructor-1")  # a launch session binds framing for the course pages only
    fake.config = fake.good_config()
    policy = open_fake(client, fake).headers["Content-Security-Policy"]
    assert "frame-ancestors" not in policy and "script-src 'self'" in policy


def test_registration_pages_name_the_platform_as_it_names_itself(app):
    from flask import get_template_attribute

    with app.test_request_context():
        name = get_template_attribute("lti/_product.html", "product_name")
        assert [name("moodle"), name("canvas"), name("Other LMS")] == [
            "Moodle",
            "Canvas",
            "Other LMS",
        ]
