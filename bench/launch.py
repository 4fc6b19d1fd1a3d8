"""Worker CPU per launch: Communitas next to a plain pylti1p3 tool, both under gunicorn.

Both tools run at once with the same gunicorn settings (2 sync workers by default), each
against its own copy of the sandbox platform (the same signing code, real RS256 id_tokens),
and the benchmark alternates rounds between them so a change in the machine's load falls on
both. A flow is what a browser does when a learner opens the tool from the LMS as a page of
its own: POST /lti/login, the platform's authorization (signing, in this process) and POST
/lti/launch, which answers with the page: the reference's small page, Communitas's learner home.
Each flow is a new browser. The tool CPU is the utime+stime of the gunicorn workers, read
from /proc, so the clients' own work (RSA signing, HTTP) does not count.

    python bench/launch.py                        # 6 rounds of 100 flows per tool
    python bench/launch.py --rounds 10 --flows 200
    DATABASE_URL=postgresql+psycopg://... python bench/launch.py   # an existing database

The reference is ``bench/reference_tool.py``: login + launch only, no database, no session.
Two more servers run in the same rounds. ``bench/floor_tool.py`` answers the same two
requests with nothing behind them: what the web stack alone costs per flow. The reference
tool again, with its state in memory and one worker: pylti1p3's own work, without the file
cache the reference needs to share state between workers.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import psycopg
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from werkzeug.serving import BaseWSGIServer, make_server

from sandbox import create_platform_app
from sandbox.demo import USERS, DemoUser
from sandbox.platform import Platform, platform_add_args

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
#: Communitas's login + launch (answering with the learner's home) over the reference's.
TARGET_RATIO = 0.75
COMMUNITAS_APP = "lti_app:create_app()"
CLK_TCK = os.sysconf("SC_CLK_TCK")
#: A browser opening the login as a page of its own (a new window, or an LMS link).
TOP_LEVEL = {"Sec-Fetch-Dest": "document"}
#: Learners take turns, so flows touch several people.
LEARNERS: list[DemoUser] = [u for u in USERS.values() if u.sub.startswith("learner-")]
#: Everyone in the demo course, staff included (the slow-peer benchmark launches them all).
PEOPLE: list[DemoUser] = list(USERS.values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# -- scratch database ---------------------------------------------------------------------------
@contextmanager
def scratch_database(name: str) -> Iterator[str]:
    """Create an empty database and drop it afterwards, whatever happens in between."""
    admin = PG_SERVER.replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_SERVER}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- the LMS side -------------------------------------------------------------------------------
@contextmanager
def serve_platform(tool_base: str, data_dir: Path, port: int = 0) -> Iterator[Platform]:
    """Serve the platform's JWKS (and the rest of it) from a thread, as a real LMS would."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    platform = Platform(issuer="", tool_base_url=tool_base)
    app = create_platform_app(platform, data_dir / "ags.json")
    server: BaseWSGIServer = make_server("127.0.0.1", port, app, threaded=True)
    platform.issuer = f"http://127.0.0.1:{server.server_port}/sandbox"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield platform
    finally:
        server.shutdown()
        thread.join(timeout=5)


# -- the tools ----------------------------------------------------------------------------------
def tool_env(database_url: str, base: str, redis_url: str | None = None) -> dict[str, str]:
    """The environment an admin would set; no sandbox, a fixed secret, Redis if asked."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("REDIS_URL", "COMMUNITAS_SANDBOX", "TEST_DATABASE_URL")
    }
    env.update(
        DATABASE_URL=database_url,
        COMMUNITAS_BASE_URL=base,
        SECRET_KEY="bench-secret-key-not-for-production",
        # The platform simulator listens on the loopback address.
        COMMUNITAS_OUTBOUND_ALLOW="127.0.0.0/8",
        PYTHONUNBUFFERED="1",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def flask(env: dict[str, str], log: Path, *args: str) -> None:
    with log.open("a") as out:
        done = subprocess.run(
            [str(BIN / "flask"), "--app", "lti_app", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed; see {log}:\n{log.read_text()[-2000:]}")


def register(env: dict[str, str], log: Path, platform: Platform) -> None:
    """Set up the schema and register the platform the way an admin does."""
    flask(env, log, "db", "upgrade")
    flask(env, log, *platform_add_args(platform.issuer, platform.client_id, platform.deployment_id))


def reference_env(platform: Platform, folder: Path) -> dict[str, str]:
    """Write the reference tool's key pair and JSON configuration; return its environment."""
    folder.mkdir()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / "private.key").write_bytes(private)
    (folder / "public.key").write_bytes(public)
    registration = {
        "default": True,
        "client_id": platform.client_id,
        "auth_login_url": platform.issuer + "/auth",
        "auth_token_url": platform.issuer + "/token",
        "key_set_url": platform.issuer + "/jwks",
        "key_set": None,
        "private_key_file": "private.key",
        "public_key_file": "public.key",
        "deployment_ids": [platform.deployment_id],
    }
    (folder / "tool.json").write_text(json.dumps({platform.issuer: [registration]}))
    env = dict(os.environ)
    env.update(
        REFERENCE_TOOL_CONFIG=str(folder / "tool.json"),
        REFERENCE_CACHE_DIR=str(folder / "cache"),
        PYTHONUNBUFFERED="1",
    )
    return env


@contextmanager
def gunicorn(
    env: dict[str, str],
    port: int,
    workers: int,
    log: Path,
    worker_class: str = "sync",
    app: str = COMMUNITAS_APP,
    extra: tuple[str, ...] = (),
) -> Iterator[int]:
    """Run gunicorn until the block ends; yield the master's pid once it answers."""
    command = [
        str(BIN / "gunicorn"),
        *("-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning"),
        *("--worker-class", worker_class, *extra, app),
    ]
    with log.open("a") as out:
        master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/lti/jwks", master, log, workers)
        yield master.pid
    finally:
        master.send_signal(signal.SIGTERM)
        try:
            master.wait(timeout=15)
        except subprocess.TimeoutExpired:
            master.kill()
            master.wait()


def wait_until_up(url: str, master: subprocess.Popen[bytes], log: Path, workers: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if master.poll() is not None:
            raise SystemExit(f"gunicorn exited with {master.returncode}:\n{log.read_text()}")
        try:
            if (
                requests.get(url, timeout=2).status_code == 200
                and len(children(master.pid)) == workers
            ):
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url} in 30 s:\n{log.read_text()[-2000:]}")


def children(pid: int) -> list[int]:
    """The gunicorn workers: direct children of the master."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return sorted(found)


def cpu_seconds(pids: list[int]) -> float:
    """utime + stime of ``pids`` (fields 14 and 15 of /proc/<pid>/stat), in seconds."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / CLK_TCK


def database_backends(database: str) -> list[int]:
    """PostgreSQL backends serving the tool, when they run in this pid namespace."""
    admin = PG_SERVER.replace("+psycopg", "") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return [pid for (pid,) in rows if Path(f"/proc/{pid}/stat").exists()]


# -- the browsers -------------------------------------------------------------------------------
@dataclass
class Timings:
    """Wall time of each step, in seconds."""

    steps: dict[str, list[float]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, step: str, seconds: float) -> None:
        with self.lock:
            self.steps.setdefault(step, []).append(seconds)


def expect(response: requests.Response, status: int, step: str) -> requests.Response:
    if response.status_code != status:
        raise RuntimeError(f"{step} answered {response.status_code}: {response.text[:300]}")
    return response


def post_login(
    http: requests.Session, base: str, platform: Platform, user: DemoUser
) -> requests.Response:
    """The platform's login initiation, as a browser opening the tool in a page of its own."""
    login = http.post(
        base + "/lti/login",
        data=platform.login_initiation(user),
        headers=TOP_LEVEL,
        allow_redirects=False,
        timeout=30,
    )
    return expect(login, 302, "login")


def one_launch(
    http: requests.Session,
    base: str,
    platform: Platform,
    user: DemoUser,
    timings: Timings | None,
) -> None:
    """Login, authorize at the platform, launch; raise on surprises."""
    clock = time.perf_counter
    started = clock()
    login = post_login(http, base, platform, user)
    logged_in = clock()
    form = platform.authorize(dict(parse_qsl(urlsplit(login.headers["Location"]).query)))
    posted = clock()
    launch = http.post(base + "/lti/launch", data=form, allow_redirects=False, timeout=30)
    done = clock()
    expect(launch, 200, "launch")
    if timings is not None:
        timings.add("login", logged_in - started)
        timings.add("launch", done - posted)


def tool_flow(base: str, platform: Platform, user: DemoUser, timings: Timings | None) -> None:
    """One flow from a new browser: the reference's and Communitas's are the same requests."""
    with requests.Session() as http:
        one_launch(http, base, platform, user, timings)


#: A form the size of a real launch's (an RS256 id_token of about 1,500 characters, a state).
FLOOR_LAUNCH = {"id_token": "e" * 1500, "state": "s" * 43}


def floor_flow(base: str, platform: Platform, user: DemoUser, timings: Timings | None) -> None:
    """The same two requests, with the same headers and forms, to the floor server."""
    with requests.Session() as http:
        post_login(http, base, platform, user)
        launch = http.post(
            base + "/lti/launch", data=FLOOR_LAUNCH, allow_redirects=False, timeout=30
        )
        expect(launch, 200, "launch")


Flow = Callable[[str, Platform, DemoUser, Timings | None], None]


def run_flows(
    flow: Flow,
    base: str,
    platform: Platform,
    count: int,
    concurrency: int,
    timings: Timings | None,
    offset: int = 0,
) -> None:
    """``concurrency`` browsers at once share ``count`` flows, each a new browser."""

    def browser(index: int) -> None:
        for n in range(index, count, concurrency):
            flow(base, platform, LEARNERS[(offset + n) % len(LEARNERS)], timings)

    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(browser, i) for i in range(concurrency)]:
            future.result()


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


# -- the comparison -----------------------------------------------------------------------------
@dataclass
class Tool:
    """One tool under test and what its rounds cost."""

    name: str
    flow: Flow
    base: str
    platform: Platform
    workers: list[int]
    log: Path
    backends: list[int] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)  #: worker CPU ms per flow, per round
    db_cpu: float = 0.0
    flows: int = 0
    wall: float = 0.0
    timings: Timings = field(default_factory=Timings)

    def round(self, count: int, concurrency: int) -> None:
        before, db_before = cpu_seconds(self.workers), cpu_seconds(self.backends)
        started = time.perf_counter()
        try:
            run_flows(
                self.flow, self.base, self.platform, count, concurrency, self.timings, self.flows
            )
        except (RuntimeError, requests.RequestException) as exc:
            log = self.log.read_text()[-3000:]
            raise SystemExit(f"{self.name}: {exc}\n--- log ---\n{log}") from exc
        self.wall += time.perf_counter() - started
        self.cpu.append((cpu_seconds(self.workers) - before) / count * 1000)
        self.db_cpu += cpu_seconds(self.backends) - db_before
        self.flows += count

    @property
    def cpu_ms(self) -> float:
        return sum(self.cpu) / len(self.cpu)


def warm_up(args: argparse.Namespace, *tools: Tool) -> None:
    """Fill the caches (key sets, registrations, templates) and open the connections."""
    for tool in tools:
        run_flows(tool.flow, tool.base, tool.platform, args.warmup, args.concurrency, None)


def compare(args: argparse.Namespace, tools: list[Tool]) -> None:
    """Alternate rounds (ABC CBA ...), so a drifting load falls on every tool alike."""
    for n in range(args.rounds):
        for tool in tools if n % 2 == 0 else tools[::-1]:
            tool.round(args.flows, args.concurrency)


def report(args: argparse.Namespace, tools: list[Tool], load: str) -> None:
    reference, communitas, floor, in_memory = tools
    print(
        f"{args.rounds} alternating rounds of {args.flows} flows per tool, "
        f"{args.concurrency} browsers at a time, gunicorn {args.workers} {args.worker_class} "
        f"workers each, {os.cpu_count()} CPUs; load before / after: {load} / {loadavg()}"
    )
    for tool, what in (
        (reference, "reference (plain pylti1p3) login + launch"),
        (communitas, "Communitas login + launch, answered with the learner's home"),
        (floor, "floor (empty Flask app, the same two requests)"),
        (in_memory, "pylti1p3 alone (the reference, state in memory, 1 worker)"),
    ):
        rounds = ", ".join(f"{ms:.2f}" for ms in tool.cpu)
        print(f"{what}: {tool.cpu_ms:.2f} ms worker CPU per flow (rounds: {rounds})")
    if communitas.backends:
        per_flow = communitas.db_cpu / communitas.flows * 1000
        print(f"  Communitas's PostgreSQL backends: {per_flow:.2f} ms CPU per flow, not counted")
    ratio = communitas.cpu_ms / reference.cpu_ms
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    print(f"ratio Communitas / reference: {ratio:.2f} (target <= {TARGET_RATIO:g}: {verdict})")
    budget = TARGET_RATIO * reference.cpu_ms
    print(
        f"  the target allows {budget:.2f} ms per flow; the floor alone takes {floor.cpu_ms:.2f}, "
        f"leaving {budget - floor.cpu_ms:.2f} ms for Communitas's own work "
        f"(it spends {communitas.cpu_ms - floor.cpu_ms:.2f} above the floor)"
    )
    print(
        f"  of the reference's {reference.cpu_ms:.2f} ms, pylti1p3's own work is "
        f"{in_memory.cpu_ms - floor.cpu_ms:.2f} above the floor and keeping its state in the "
        f"file cache {reference.cpu_ms - in_memory.cpu_ms:.2f}"
    )
    print("wall latency per step, p50 / p95 ms:")
    for tool in (reference, communitas):
        steps = "; ".join(
            f"{step} {percentile(values, 50):.1f} / {percentile(values, 95):.1f}"
            for step, values in tool.timings.steps.items()
        )
        print(f"  {tool.name}: {steps}; {tool.flows / tool.wall:.0f} flows/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--flows", type=int, default=100, help="flows per tool and round")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class")
    parser.add_argument("--database", default="communitas_bench", help="scratch database name")
    parser.add_argument("--redis", metavar="URL", help="Communitas keeps logins in Redis")
    parser.add_argument(
        "--ports", type=int, metavar="FIRST", help="listen on FIRST..FIRST+7, not free ports"
    )
    args = parser.parse_args()

    load = loadavg()
    with tempfile.TemporaryDirectory(prefix="communitas-bench-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        given = os.environ.get("DATABASE_URL")
        database_url = given or stack.enter_context(scratch_database(args.database))
        tools, masters = [], []
        flows = (
            ("reference", tool_flow),
            ("Communitas", tool_flow),
            ("floor", floor_flow),
            ("in-memory", tool_flow),
        )
        for n, (name, flow) in enumerate(flows):
            port = args.ports + 2 * n if args.ports else free_port()
            base = f"http://127.0.0.1:{port}"
            (folder / f"platform-{name}").mkdir()
            lms_port = args.ports + 2 * n + 1 if args.ports else 0
            platform = stack.enter_context(
                serve_platform(base, folder / f"platform-{name}", lms_port)
            )
            log = folder / f"{name}.log"
            extra: tuple[str, ...] = ("--pythonpath", str(ROOT / "bench"))
            workers = args.workers
            if name in ("reference", "in-memory"):
                env, app = reference_env(platform, folder / name), "reference_tool:app"
                if name == "in-memory":
                    env["REFERENCE_CACHE_TYPE"], workers = "SimpleCache", 1
            elif name == "floor":
                env, app = dict(os.environ), "floor_tool:app"
            else:
                env, app, extra = tool_env(database_url, base, args.redis), COMMUNITAS_APP, ()
                register(env, log, platform)
            server = gunicorn(env, port, workers, log, args.worker_class, app, extra)
            master = stack.enter_context(server)
            masters.append(master)
            tools.append(Tool(name, flow, base, platform, children(master), log))
        communitas = tools[1]
        warm_up(args, *tools)
        communitas.backends = database_backends(urlsplit(database_url).path.lstrip("/"))
        compare(args, tools)
        for tool, master in zip(tools, masters, strict=True):
            if children(master) != tool.workers:
                print(f"warning: a {tool.name} worker restarted during the run", file=sys.stderr)
        report(args, tools, load)


if __name__ == "__main__":
    main()
