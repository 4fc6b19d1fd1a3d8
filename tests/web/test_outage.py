"""Database and Redis outages: a clean 503 with the security headers, and nothing half-written.

The database here is a throwaway PostgreSQL server this module starts in a temporary folder
on a free port (never the machine's server), so the tests can stop and restart it.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from cohorts.models import Course, Enrolment, LoginState, Person, ToolKey
from lti_app.extensions import db
from lti_app.lti import platform_keys, tool_conf
from sandbox.demo import USERS
from sandbox.platform import Platform as SandboxPlatform
from tests.conftest import Launcher, make_tool_app, register_platform

BIN = Path(shutil.which("pg_ctl") or "pg_ctl").resolve().parent


class ThrowawayPostgres:
    """A PostgreSQL server of this test module's own, stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"
        self._run("initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust")

    def _run(self, program: str, *args: str) -> None:
        # PostgreSQL refuses to run as root; the machine's postgres user runs it then.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, str(BIN / program), *args], check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        data, log = str(self.folder / "data"), str(self.folder / "log")
        self._run("pg_ctl", "-D", data, "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="module")
def postgres() -> Iterator[ThrowawayPostgres]:
    folder = Path(tempfile.mkdtemp(prefix="communitas-outage-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    server = ThrowawayPostgres(folder)
    server.start()
    try:
        yield server
    finally:
        try:
            server.stop()
        except subprocess.CalledProcessError:
            pass  # already stopped by a failed test
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def outage_app(
    postgres: ThrowawayPostgres, test_platform: SandboxPlatform, tool_key: dict[str, str]
) -> Iterator[Flask]:
    app = make_tool_app(postgres.url)
    platform_keys.forget()
    tool_conf.forget()
    with app.app_context():
        upgrade()
        db.session.add(ToolKey(**tool_key))
        register_platform(test_platform)
        yield app
        db.session.remove()
        db.drop_all()
        db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.engine.dispose()


def counts() -> tuple[int, int, int, int]:
    return tuple(  # type: ignore[return-value]
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Course, Person, Enrolment, LoginState)
    )


def unavailable(response: Any) -> bool:
    """The 503 an outage earns: its own page, a retry hint and the usual security headers."""
    return (
        response.status_code == 503
        and "Communitas is briefly unavailable" in response.get_data(as_text=True)
        and response.headers.get("Retry-After") == "30"
        and "script-src 'self'" in response.headers.get("Content-Security-Policy", "")
        and response.headers.get("X-Content-Type-Options") == "nosniff"
    )


def test_a_database_restart_costs_no_request(
    outage_app: Flask, postgres: ThrowawayPostgres, test_platform: SandboxPlatform
) -> None:
    launcher = Launcher(outage_app.test_client(), test_platform)
    assert launcher.launch("instructor-1").status_code == 200  # pooled connections exist
    db.session.remove()  # what the end of the request's app context does outside tests
    postgres.stop()
    postgres.start()
    assert launcher.client.get("/lti/jwks").status_code == 200  # stale connection replaced
    assert launcher.launch("learner-1").status_code == 200


def test_an_outage_mid_launch_answers_503_and_leaves_nothing_half_written(
    outage_app: Flask, postgres: ThrowawayPostgres, test_platform: SandboxPlatform
) -> None:
    launcher = Launcher(outage_app.test_client(), test_platform)
    assert launcher.launch("instructor-1").status_code == 200
    auth = launcher.login("learner-1")  # the learner's login is stored; then the database goes
    before = counts()
    postgres.stop()
    try:
        body = test_platform.launch_claims(USERS["learner-1"], auth["nonce"])
        form = {"id_token": test_platform.sign(body), "state": auth["state"]}
        assert unavailable(launcher.client.post("/lti/launch", data=form))
        assert unavailable(launcher.client.get("/lti/jwks"))
        assert unavailable(launcher.client.get("/"))
    finally:
        postgres.start()
    assert counts() == before  # the refused launch wrote nothing and kept its login state
    assert launcher.client.post("/lti/launch", data=form).status_code == 200
    assert counts()[2] == before[2] + 1 and counts()[3] == before[3] - 1


def test_logins_go_on_through_the_database_while_redis_is_down(
    app: Flask, launcher: Launcher
) -> None:
    app.extensions["communitas_redis"] = redis.Redis.from_url(
        "redis://127.0.0.1:1/0", socket_connect_timeout=1, socket_timeout=1
    )
    assert launcher.launch("learner-1").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 1
