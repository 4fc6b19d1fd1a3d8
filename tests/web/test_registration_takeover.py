"""A second client for a known issuer cannot take over its users: approval, keying, invites.

The attacker serves one JSON file from the LMS's own origin (an upload, say) naming their own
key set, registers through /lti/register, then signs launches naming the real instructor.
"""

import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.serving import make_server

from cohorts.models import Course, Deployment, Enrolment, Person, Platform
from lti_app.extensions import db
from lti_app.lti import registration
from sandbox.demo import USERS
from sandbox.platform import Platform as SandboxPlatform
from tests.conftest import TOOL_BASE, Launcher
from tests.web.test_dynamic_registration import hidden_fields

TOOL_CONFIG = registration.TOOL_CONFIG


class Lms:
    """One origin serving the real LMS's key set and the attacker's uploaded files."""

    def __init__(self) -> None:
        self.base = ""
        self.real: SandboxPlatform | None = None
        self.evil: SandboxPlatform | None = None
        self.answer: dict[str, Any] = {}
        self.hits = 0

    def config(self, jwks: str) -> dict[str, Any]:
        return {
            "issuer": self.base,
            "authorization_endpoint": self.base + "/auth",
            "token_endpoint": self.base + "/token",
            "jwks_uri": self.base + jwks,
            "registration_endpoint": self.base + "/uploads/register",
            registration.PLATFORM_CONFIG: {"product_family_code": "moodle"},
        }


@pytest.fixture(scope="module")
def lms() -> Iterator[Lms]:
    state = Lms()
    app = Flask("lms")

    def counted(value: Any) -> Any:
        state.hits += 1
        return value

    app.add_url_rule("/jwks", "jwks", lambda: counted(state.real.jwks()))
    app.add_url_rule("/uploads/evil-jwks", "evil_jwks", lambda: counted(state.evil.jwks()))
    app.add_url_rule(
        "/uploads/config.json", "evil", lambda: counted(state.config("/uploads/evil-jwks"))
    )
    app.add_url_rule("/config.json", "real", lambda: counted(state.config("/jwks")))
    app.add_url_rule(
        "/uploads/register", "register", lambda: counted(state.answer), methods=["POST"]
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    state.base = f"http://127.0.0.1:{server.server_port}"
    state.real = SandboxPlatform(state.base, TOOL_BASE, client_id="real", deployment_id="d-1")
    # The attacker's registration endpoint may answer any client id and deployment it likes.
    state.evil = SandboxPlatform(state.base, TOOL_BASE, client_id="evil", deployment_id="d-1")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield state
    server.shutdown()


@pytest.fixture
def real_course(app: Flask, client: FlaskClient, lms: Lms) -> int:
    """The real LMS registered by hand, and its instructor launched into the course."""
    row = Platform(
        issuer=lms.base,
        client_id="real",
        auth_login_url=lms.base + "/auth",
        auth_token_url=lms.base + "/token",
        key_set_url=lms.base + "/jwks",
    )
    row.deployments = [Deployment(deployment_id="d-1")]
    db.session.add(row)
    db.session.commit()
    assert Launcher(client, lms.real).launch("instructor-1").status_code == 200
    return db.session.scalar(select(Course.id))


def register(client: FlaskClient, lms: Lms, config: str, path: str = "/lti/register") -> Any:
    lms.answer = {"client_id": "evil", TOOL_CONFIG: {"deployment_id": "d-1"}}
    query = urlencode({"openid_configuration": lms.base + config})
    page = client.get(f"{path}?{query}")
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data=hidden_fields(page.get_data(as_text=True)))


def login_status(client: FlaskClient, platform: SandboxPlatform) -> int:
    data = platform.login_initiation(USERS["instructor-1"])
    return client.post("/lti/login", data=data).status_code


def evil_status() -> str | None:
    return db.session.scalar(select(Platform.status).where(Platform.client_id == "evil"))


def test_a_new_client_with_other_keys_for_a_known_issuer_waits_and_cannot_launch(
    client: FlaskClient, lms: Lms, real_course: int
) -> None:
    done = register(client, lms, "/uploads/config.json")
    assert done.status_code == 200
    assert "Waiting for approval" in done.get_data(as_text=True)
    assert evil_status() == "pending"
    assert login_status(client, lms.evil) == 403
    assert Launcher(client, lms.real).launch("instructor-1").status_code == 200


def test_an_approved_second_client_reaches_only_its_own_courses_and_people(
    app: Flask, client: FlaskClient, lms: Lms, real_course: int
) -> None:
    register(client, lms, "/uploads/config.json")
    runner = app.test_cli_runner()
    approved = runner.invoke(
        args=["platform", "approve", "--issuer", lms.base, "--client-id", "evil"]
    )
    assert approved.exit_code == 0 and "/uploads/evil-jwks" in approved.output
    renamed = {"name": "Not Maya", "given_name": "Not", "family_name": "Maya"}
    launch = Launcher(client, lms.evil).launch("instructor-1", claims=renamed)
    assert launch.status_code == 200
    courses = db.session.execute(select(Course.id, Course.client_id).order_by(Course.id)).all()
    assert courses == [(real_course, "real"), (real_course + 1, "evil")]
    staff = db.session.scalars(
        select(Person.name).join(Enrolment).where(Enrolment.course_id == real_course)
    ).all()
    assert staff == ["Maya Okafor"]  # same deployment, context and sub, yet nothing shared


def test_a_client_id_the_attacker_copies_keeps_its_own_keys(
    client: FlaskClient, lms: Lms, real_course: int, caplog: Any
) -> None:
    lms.answer = {"client_id": "real", TOOL_CONFIG: {"deployment_id": "d-2"}}
    page = client.get(
        "/lti/register?" + urlencode({"openid_configuration": lms.base + "/uploads/config.json"})
    )
    refused = client.post("/lti/register", data=hidden_fields(page.get_data(as_text=True)))
    assert refused.status_code == 400
    assert "registered with other endpoints" in caplog.text
    real = db.session.scalars(select(Platform).where(Platform.client_id == "real")).one()
    assert real.key_set_url == lms.base + "/jwks"
    assert [d.deployment_id for d in real.deployments] == ["d-1"]


def test_a_second_client_with_the_same_keys_joins_at_once_in_open_mode(
    client: FlaskClient, lms: Lms, real_course: int
) -> None:
    """Canvas's one issuer for many developer keys keeps working."""
    done = register(client, lms, "/config.json")
    assert done.status_code == 200 and "Waiting for approval" not in done.get_data(as_text=True)
    assert evil_status() == "active"


def test_approval_mode_holds_every_uninvited_registration(
    app: Flask, client: FlaskClient, lms: Lms, real_course: int
) -> None:
    app.config["REGISTRATION"] = "approve"
    page = client.get(
        "/lti/register?" + urlencode({"openid_configuration": lms.base + "/config.json"})
    )
    assert "platform approve" in page.get_data(as_text=True)
    register(client, lms, "/config.json")
    assert evil_status() == "pending"


def test_an_invite_registers_once_without_approval(
    app: Flask, client: FlaskClient, lms: Lms, real_course: int
) -> None:
    app.config["REGISTRATION"] = "approve"
    out = app.test_cli_runner().invoke(args=["platform", "invite", "--note", "Moodle"])
    assert out.exit_code == 0
    path = out.output.split()[-1].removeprefix(TOOL_BASE)
    assert path.startswith("/lti/register/")
    assert register(client, lms, "/uploads/config.json", path).status_code == 200
    assert evil_status() == "active"
    query = urlencode({"openid_configuration": lms.base + "/config.json"})
    again = client.get(f"{path}?{query}")
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)


def test_closed_registration_asks_no_platform_anything(
    app: Flask, client: FlaskClient, lms: Lms
) -> None:
    app.config["REGISTRATION"] = "closed"
    before = lms.hits
    query = urlencode({"openid_configuration": lms.base + "/config.json"})
    response = client.get("/lti/register?" + query)
    assert response.status_code == 400
    assert "registration link" in response.get_data(as_text=True)
    assert lms.hits == before


def test_the_doctor_command_shows_a_pending_registration_and_its_fix(
    app: Flask, client: FlaskClient, lms: Lms, real_course: int
) -> None:
    register(client, lms, "/uploads/config.json")
    out = app.test_cli_runner().invoke(args=["doctor", "--issuer", lms.base, "--client-id", "evil"])
    assert out.exit_code == 1
    assert "WAITING FOR APPROVAL" in out.output
    assert f"platform approve --issuer {lms.base} --client-id evil" in out.output
    listing = app.test_cli_runner().invoke(args=["platform", "list"]).output
    assert "pending" in listing and "active" in listing
