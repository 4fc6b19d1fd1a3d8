"""A live Communitas server started the way an admin starts it, and headless Chromium."""

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from sandbox.platform import platform_add_args

ROOT = Path(__file__).resolve().parents[2]
FLASK = ROOT / ".venv" / "bin" / "flask"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    # The tool's cross-site name resolves to the loopback address the server listens on.
    "--host-resolver-rules=MAP localhost 127.0.0.1",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_SECONDS = 30
#: The running server's log, shown under a failed test: a 500 in the iframe says nothing.
_server_logs: list[Path] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _flask(env: dict[str, str], log: Path, *args: str) -> None:
    """Run one admin command; a failure shows its output, not just an exit code."""
    with log.open("a") as out:
        out.write(f"$ flask --app lti_app {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(
            [str(FLASK), "--app", "lti_app", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=60,
            check=False,
        )
    if done.returncode != 0:
        pytest.fail(f"`flask {' '.join(args)}` failed ({done.returncode}):\n{_tail(log)}")


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the tool exited with {server.returncode} on start:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"the tool did not answer {url} within {START_TIMEOUT_SECONDS} s:\n{_tail(log)}")


def start_tool(tmp: Path, host: str) -> Iterator[str]:
    """Start the tool with its sandbox on a fresh SQLite file (even when the suite runs on
    PostgreSQL), so the browser tests depend on nothing but this checkout.

    The server listens on 127.0.0.1; ``host`` is the name the tool and the LMS's auth
    endpoints are reached under (``localhost`` makes them cross-site to a page on 127.0.0.1).
    """
    port = free_port()
    base = f"http://{host}:{port}"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(
        COMMUNITAS_SANDBOX="1",
        COMMUNITAS_BASE_URL=base,
        DATABASE_URL=f"sqlite:///{tmp / 'communitas.db'}",
        COMMUNITAS_INSTANCE_PATH=str(tmp / "instance"),
        PYTHONUNBUFFERED="1",
    )
    log = tmp / "server.log"
    _server_logs.append(log)
    _flask(env, log, "db", "upgrade")
    _flask(env, log, *platform_add_args(f"{base}/sandbox"))
    with log.open("a") as out:
        server = subprocess.Popen(
            [str(FLASK), "--app", "lti_app", "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(f"http://127.0.0.1:{port}/lti/jwks", server, log)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture(scope="module")
def live_tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tool as `make run` starts it: LMS page and tool on the same site."""
    yield from start_tool(tmp_path_factory.mktemp("e2e"), "127.0.0.1")


@pytest.fixture(scope="module")
def cross_site_tool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tool on http://localhost:PORT, embedded by the sandbox page on 127.0.0.1:PORT."""
    yield from start_tool(tmp_path_factory.mktemp("e2e-cross"), "localhost")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.failed and "live_tool" in getattr(item, "fixturenames", ()) and _server_logs:
        report.sections.append(("live server log", _tail(_server_logs[-1], 60)))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Headless system Chromium; its absence is a failure, never a skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing; install it with "
            "`apt-get update && apt-get install -y chromium chromium-driver`"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def screenshots() -> Path:
    """Where screenshots go for people to look at (git-ignored)."""
    path = ROOT / "screenshots"
    path.mkdir(exist_ok=True)
    return path
