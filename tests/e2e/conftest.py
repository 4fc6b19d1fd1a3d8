"""A live Communitas server started the way an admin starts it, and headless Chromium."""

import datetime
import ipaddress
import json
import os
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Playwright, expect, sync_playwright

from sandbox.platform import platform_add_args
from sandbox.profiles import PROFILES

ROOT = Path(__file__).resolve().parents[2]
FLASK = ROOT / ".venv" / "bin" / "flask"
PYTHON = Path(sys.executable)  #: the interpreter running the tests, in the same venv
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
#: Generous: a loaded machine may take a while to import the tool; it only bounds a hang.
START_TIMEOUT_SECONDS = 120
#: How long an ``expect`` waits for the page to get there (Playwright's default is 5 s): the
#: same checks, with the patience a busy machine running two test processes needs.
expect.set_options(timeout=15_000)
#: The running server's log, shown under a failed test: a 500 in the iframe says nothing.
_server_logs: list[Path] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def _admin(env: dict[str, str], log: Path, *commands: list[str]) -> None:
    """Run the admin commands in one process (see ``admin.py``); a failure shows its output."""
    with log.open("a") as out:
        done = subprocess.run(
            [str(PYTHON), "-m", "tests.e2e.admin", json.dumps(commands)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=120,
            check=False,
        )
    if done.returncode != 0:
        pytest.fail(f"an admin command failed ({done.returncode}):\n{_tail(log)}")


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for localhost and 127.0.0.1 (the test's HTTPS)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    insecure = ssl.create_default_context()
    insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE  # our own certificate
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the tool exited with {server.returncode} on start:\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=2, context=insecure) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"the tool did not answer {url} within {START_TIMEOUT_SECONDS} s:\n{_tail(log)}")


def start_tool(
    tmp: Path, host: str, lms_host: str | None = None, https: bool = False
) -> Iterator[str]:
    """Start the tool with its sandbox on a fresh SQLite file (even when the suite runs on
    PostgreSQL), so the browser tests depend on nothing but this checkout.

    The server listens on 127.0.0.1; ``host`` is the name the tool is reached under
    (``localhost`` makes it cross-site to a page on 127.0.0.1), ``lms_host`` the name of the
    sandbox LMS's own endpoints (by default the tool's). ``https`` serves both with a
    throwaway certificate.
    """
    port = free_port()
    scheme = "https" if https else "http"
    base = f"{scheme}://{host}:{port}"
    lms = f"{scheme}://{lms_host or host}:{port}/sandbox"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(
        COMMUNITAS_SANDBOX="1",
        COMMUNITAS_BASE_URL=base,
        COMMUNITAS_SANDBOX_URL=lms,
        DATABASE_URL=f"sqlite:///{tmp / 'communitas.db'}",
        COMMUNITAS_INSTANCE_PATH=str(tmp / "instance"),
        PYTHONUNBUFFERED="1",
    )
    log = tmp / "server.log"
    _server_logs.append(log)
    _admin(
        env,
        log,
        ["db", "upgrade"],
        *(platform_add_args(lms, p.client_id, p.deployment_id) for p in PROFILES.values()),
    )
    tls: list[str] = []
    if https:
        cert, key = make_certificate(tmp)
        tls = ["--cert", str(cert), "--key", str(key)]
        # The tool fetches the sandbox's key set: trust the throwaway certificate.
        env["COMMUNITAS_OUTBOUND_CA_FILE"] = str(cert)
    run = ["run", "--host", "127.0.0.1", "--port", str(port), *tls]
    with log.open("a") as out:
        server = subprocess.Popen(
            [str(FLASK), "--app", "lti_app", *run],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(f"{scheme}://127.0.0.1:{port}/lti/jwks", server, log)
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


def complete_in_new_window(context: Any, page: Any, heading: str, screenshot: Path) -> Any:
    """Take the tool's "Open Communitas in a new window" offer; return the launched window."""
    from playwright.sync_api import expect

    tool = page.frame_locator('iframe[name="tool"]')
    offer = tool.get_by_role("link", name="Open Communitas in a new window")
    expect(offer).to_be_visible()
    page.screenshot(path=str(screenshot), full_page=True)
    with context.expect_page() as popup_info:
        offer.click()
    popup = popup_info.value
    expect(popup.get_by_role("heading", level=1)).to_have_text(heading)
    return popup


@pytest.fixture(scope="module")
def moodle_over_https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The tool on https://localhost:PORT; the sandbox LMS, like a Moodle site, on
    https://127.0.0.1:PORT: another site, as a real LMS is."""
    yield from start_tool(
        tmp_path_factory.mktemp("e2e-https"), "localhost", lms_host="127.0.0.1", https=True
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    fixtures = set(getattr(item, "fixturenames", ()))
    live = {"live_tool", "cross_site_tool", "moodle_over_https"}
    if report.failed and fixtures & live and _server_logs:
        report.sections.append(("live server log", _tail(_server_logs[-1], 60)))


def require_chromium() -> None:
    """Chromium's absence is a failure, never a skip."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing; install it with "
            "`apt-get update && apt-get install -y chromium chromium-driver`"
        )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright driver for the run; modules launch the browsers they need from it."""
    require_chromium()
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless system Chromium, shared by the modules: each test opens its own context
    (cookies, storage and pages of its own), so nothing carries from one test to the next."""
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


#: The sandbox folds most people into "More people"; a test may launch as anyone.
UNFOLD_PEOPLE = "document.querySelectorAll('details.more-people').forEach(d => { d.open = true; })"


def sandbox_button(page: Any, selector: str) -> Any:
    """A launch button of the sandbox course, with the folded list of people opened."""
    page.evaluate(UNFOLD_PEOPLE)
    return page.locator(selector)
