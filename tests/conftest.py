"""Shared fixtures: the app on SQLite or PostgreSQL, a live test platform, real launches."""

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from cohorts.models import Base, Deployment, Platform, ToolKey
from lti_app import create_app
from lti_app.extensions import db
from lti_app.lti import platform_keys, tool_conf
from lti_app.lti.keys import new_tool_key
from sandbox import create_platform_app
from sandbox.demo import USERS
from sandbox.platform import Platform as TestPlatform

TOOL_BASE = "http://localhost"
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
DELETE = object()  #: claim override meaning "leave this claim out"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per test run, schema built by the real migrations."""
    url = DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def test_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPlatform]:
    """The sandbox platform served over HTTP on a free port, as a real LMS would be."""
    platform = TestPlatform(issuer="", tool_base_url=TOOL_BASE)
    app = create_platform_app(platform, tmp_path_factory.mktemp("ags") / "ags.json")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    platform.issuer = f"http://127.0.0.1:{server.server_port}/sandbox"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield platform
    server.shutdown()


def make_tool_app(database_url: str, **overrides: Any) -> Flask:
    """Build the tool for tests; CSRF stays on because tests check it."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": TOOL_BASE,
        "SECRET_KEY": "test-secret",
        "REDIS_URL": None,
        "OUTBOUND_ALLOW": ("127.0.0.0/8",),
        "REGISTRATION": "open",
    }
    config.update(overrides)
    return create_app(config)


def register_platform(platform: TestPlatform, *deployments: str) -> None:
    """Register the test platform the way `flask platform add` does."""
    row = Platform(
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.issuer + "/auth",
        auth_token_url=platform.issuer + "/token",
        key_set_url=platform.issuer + "/jwks",
    )
    row.deployments = [
        Deployment(deployment_id=d) for d in deployments or (platform.deployment_id,)
    ]
    db.session.add(row)
    db.session.commit()


def wipe(engine: Any) -> None:
    """Empty every table the migrations created (test_migrations checks they match the models)."""
    present = set(inspect(engine).get_table_names())
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in present:
                conn.execute(table.delete())


@pytest.fixture(scope="session")
def tool_key() -> dict[str, str]:
    """One tool key for the run: generating RSA keys per test would dominate its time."""
    key = new_tool_key()
    return {
        "kid": key.kid,
        "private_pem": key.private_pem,
        "public_jwk": key.public_jwk,
        "status": key.status,
    }


@pytest.fixture
def app(
    database_url: str, test_platform: TestPlatform, tool_key: dict[str, str]
) -> Iterator[Flask]:
    app = make_tool_app(database_url)
    platform_keys.forget()
    tool_conf.forget()
    with app.app_context():
        wipe(db.engine)
        db.session.add(ToolKey(**tool_key))
        register_platform(test_platform)
        yield app
        db.session.remove()
        wipe(db.engine)
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Session:
    """A plain SQLAlchemy session for domain services."""
    return db.session  # type: ignore[return-value]


class Launcher:
    """Drive real launches: login at the tool, sign at the platform, post to /lti/launch."""

    def __init__(self, client: FlaskClient, platform: TestPlatform) -> None:
        self.client = client
        self.platform = platform

    def login(
        self, user: str = "learner-1", message: str = "resource", **params: str
    ) -> dict[str, str]:
        """Run the OIDC login; return the auth request the tool sent to the platform."""
        data = self.platform.login_initiation(USERS[user], message)
        data.update(params)
        response = self.client.post("/lti/login", data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return dict(parse_qsl(urlsplit(response.location).query))

    def launch(
        self,
        user: str = "learner-1",
        message: str = "resource",
        claims: dict[str, Any] | None = None,
        sign: Callable[[dict[str, Any]], str] | None = None,
        **post: str,
    ) -> Any:
        """Perform a full launch; ``claims`` overrides the id_token body (DELETE drops one)."""
        auth = self.login(user, message)
        body = self.platform.launch_claims(USERS[user], auth["nonce"], message)
        for name, value in (claims or {}).items():
            if value is DELETE:
                body.pop(name, None)
            else:
                body[name] = value
        token = (sign or self.platform.sign)(body)
        form = {"id_token": token, "state": auth["state"], **post}
        return self.client.post("/lti/launch", data=form)


@pytest.fixture
def launcher(client: FlaskClient, test_platform: TestPlatform) -> Launcher:
    return Launcher(client, test_platform)


@pytest.fixture
def launch_as(launcher: Launcher) -> Callable[..., Any]:
    """Launch as a demo user and follow to their home page."""

    def do(user: str = "learner-1", message: str = "resource") -> Any:
        response = launcher.launch(user, message)
        assert response.status_code == 303, response.get_data(as_text=True)
        return launcher.client.get(response.location, follow_redirects=True)

    return do


@pytest.fixture
def root() -> Path:
    return Path(__file__).resolve().parent.parent
