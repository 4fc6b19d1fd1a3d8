"""Shared fixtures: the app on SQLite or PostgreSQL, a live test platform, real launches."""

import html
import os
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import create_engine, inspect, make_url, text
from sqlalchemy.orm import Session
from werkzeug.routing import Rule
from werkzeug.serving import make_server

from cohorts.models import Base, Deployment, Platform, ToolKey
from lti_app import create_app
from lti_app.extensions import db
from lti_app.lti import platform_keys, tool_conf
from lti_app.lti.keys import new_tool_key
from sandbox import create_platform_app
from sandbox.demo import USERS
from sandbox.platform import Platform as TestPlatform
from sandbox.profiles import STRICT

TOOL_BASE = "http://localhost"
DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
#: The one Redis database of the tests that need a live Redis (``redis_url``); those tests
#: all run on one xdist worker (see ``pytest_collection_modifyitems``), so one is enough.
REDIS_URL = os.environ.get("TEST_REDIS_URL") or "redis://127.0.0.1:6379/15"
#: The xdist worker running this process ("gw0", "gw1"...), or "" without xdist.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
DELETE = object()  #: claim override meaning "leave this claim out"
#: What a browser says when it opens the login as a page of its own (not inside a frame).
TOP_LEVEL = {"Sec-Fetch-Dest": "document"}
_ADDRESS = re.compile(r'data-address="([^"]*)"')


def page_address(response: Any) -> str:
    """The address a launch's page takes once loaded: where a reload or going back asks."""
    found = _ADDRESS.search(response.get_data(as_text=True))
    assert found, "the launch answered no page of the tool"
    return html.unescape(found.group(1))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`pytest -n N --dist loadfile`: a module stays on one worker, so its module fixtures (a
    live server, a browser) are made once, and all modules that use the live Redis (they ask
    for ``redis_url``) run on one worker, one after the other, as they share its database."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    root = config.rootpath

    class ModuleScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            path = root / module
            uses_redis = path.is_file() and "redis_url" in path.read_text(errors="replace")
            return "redis" if uses_redis else module

    return ModuleScheduling(config, log)


def worker_database(url: str) -> str:
    """Each xdist worker gets a PostgreSQL database of its own, made on first use."""
    if not WORKER:
        return url
    base = make_url(url)
    own = base.set(database=f"{base.database}_{WORKER}")
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).scalar()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    server.dispose()
    return own.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The live Redis database for tests; a test that uses it may empty it."""
    return REDIS_URL


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One database per test run (per worker under xdist), schema built by the migrations."""
    url = DATABASE_URL or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    if url.startswith("postgresql"):
        url = worker_database(url)
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
    # Named like the tool (localhost): one site, as `make run` has it; tests that need the
    # platform on another site move the tool (see ``tool_at``).
    platform.issuer = f"http://localhost:{server.server_port}/sandbox"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield platform
    server.shutdown()


class TemplateCodeCache(BytecodeCache):
    """Compiled templates kept for the run: each test builds a new app, whose Jinja environment
    would otherwise compile every template it renders again. Jinja checks each entry against
    the template's source, so an edited template is compiled afresh."""

    def __init__(self) -> None:
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = TemplateCodeCache()


def _remember_url_builders() -> None:
    """Werkzeug writes and compiles a Python function per URL rule and app; tests build an app
    per test, so that compiling was most of building one. The function depends only on the
    rule's parsed parts, its defaults and ``append_unknown``: keep one per such key."""
    original = getattr(Rule, "_compile_builder", None)
    if original is None or getattr(original, "remembered", False):
        return
    builders: dict[tuple[Any, ...], Any] = {}

    def compile_builder(self: Rule, append_unknown: bool = True) -> Any:
        defaults = self.defaults or {}
        converters = [
            (name, type(c).__qualname__, {k: v for k, v in vars(c).items() if k != "map"})
            for name, c in sorted(self._converters.items())
            if name in defaults
        ]
        key = (tuple(self._trace), append_unknown, repr(sorted(defaults.items())), repr(converters))
        if key not in builders:
            builders[key] = original(self, append_unknown)
        return builders[key]

    compile_builder.remembered = True  # type: ignore[attr-defined]
    Rule._compile_builder = compile_builder  # type: ignore[method-assign]


_remember_url_builders()


def make_tool_app(database_url: str, **overrides: Any) -> Flask:
    """Build the tool for tests; CSRF stays on because tests check it."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "BASE_URL": TOOL_BASE,
        "SECRET_KEY": "test-secret",
        "REDIS_URL": None,
        "JOBS_MODE": "inline",  # background jobs run right after the commit, deterministically
        "OUTBOUND_ALLOW": ("127.0.0.0/8",),
        "REGISTRATION": "open",
    }
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = TEMPLATE_CODE
    return app


def register_platform(
    platform: TestPlatform, *deployments: str, client_id: str | None = None
) -> None:
    """Register the test platform the way `flask platform add` does."""
    row = Platform(
        issuer=platform.issuer,
        client_id=client_id or platform.client_id,
        auth_login_url=platform.issuer + "/auth",
        auth_token_url=platform.issuer + "/token",
        key_set_url=platform.issuer + "/jwks",
    )
    row.deployments = [
        Deployment(deployment_id=d) for d in deployments or (platform.deployment_id,)
    ]
    db.session.add(row)
    db.session.commit()


def register_profiles(platform: TestPlatform) -> None:
    """Register the Moodle and Canvas clients of the test platform, as an admin would."""
    for profile in STRICT:
        register_platform(platform, profile.deployment_id, client_id=profile.client_id)


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
def tool_server(app: Flask, test_platform: TestPlatform) -> Iterator[str]:
    """Serve the tool over HTTP too, so the platform can read its key set for service tokens."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    test_platform.tool_jwks_url = base + "/lti/jwks"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    test_platform.tool_jwks_url = ""


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def session(app: Flask) -> Session:
    """A plain SQLAlchemy session for domain services."""
    return db.session  # type: ignore[return-value]


class Launcher:
    """Drive real launches: login at the tool, sign at the platform, post to /lti/launch."""

    def __init__(self, client: FlaskClient, platform: TestPlatform, profile: str = "") -> None:
        self.client = client
        self.platform = platform
        #: The platform behaviour launches get: "" (lenient), "moodle", "canvas"...
        self.profile = profile

    def login(
        self, user: str = "learner-1", message: str = "resource", **params: str
    ) -> dict[str, str]:
        """Run the OIDC login as a top-level page; return the auth request sent to the platform."""
        data = self.platform.login_initiation(USERS[user], message, profile=self.profile)
        data.update(params)
        response = self.client.post("/lti/login", data=data, headers=TOP_LEVEL)
        assert response.status_code == 302, response.get_data(as_text=True)
        return dict(parse_qsl(urlsplit(response.location).query))

    def authorize(self, auth: dict[str, str]) -> dict[str, str]:
        """Let the platform answer the tool's auth request: the form it posts to /lti/launch."""
        return self.platform.authorize(auth)

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
        body = self.platform.launch_claims(
            USERS[user], auth["nonce"], message, profile=self.profile
        )
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
def moodle(client: FlaskClient, test_platform: TestPlatform) -> Launcher:
    """Launches from a platform that behaves like Moodle 4.5 (its clients registered)."""
    register_profiles(test_platform)
    return Launcher(client, test_platform, "moodle")


@pytest.fixture
def canvas(client: FlaskClient, test_platform: TestPlatform) -> Launcher:
    """Launches from a platform that behaves like Canvas (public privacy level)."""
    register_profiles(test_platform)
    return Launcher(client, test_platform, "canvas")


@pytest.fixture
def launch_as(launcher: Launcher) -> Callable[..., Any]:
    """Launch as a demo user: the launch answers with their home page."""

    def do(user: str = "learner-1", message: str = "resource") -> Any:
        response = launcher.launch(user, message)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    return do


@pytest.fixture
def root() -> Path:
    return Path(__file__).resolve().parent.parent
