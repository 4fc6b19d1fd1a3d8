"""Where a launch spends the tool's CPU: cProfile around the tool's WSGI app, in-process.

The same flow as bench/launch.py (login, then the launch, which answers with the learner's
home), driven by the Flask test client on a scratch PostgreSQL database. Only the tool's
request handling is profiled: signing the id_token (the platform's work) and the test
client's own bookkeeping stay outside the profile.

    python bench/profile_launch.py                  # 200 flows
    python bench/profile_launch.py --flows 500 --sort cumulative --top 40
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from launch import LEARNERS, TOP_LEVEL, scratch_database, serve_platform

from lti_app import create_app
from sandbox.platform import Platform, platform_add_args

TOOL_BASE = "http://localhost"


class Metered:
    """WSGI middleware that counts (and optionally profiles) only the tool's own work."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.cpu: dict[str, float] = defaultdict(float)
        self.profiler: cProfile.Profile | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        started = time.process_time()
        if self.profiler is not None:
            self.profiler.enable()
        try:
            response = self.app(environ, start_response)
            try:
                return list(response)
            finally:
                getattr(response, "close", lambda: None)()
        finally:
            if self.profiler is not None:
                self.profiler.disable()
            self.cpu[environ["PATH_INFO"]] += time.process_time() - started


def build_tool(database_url: str, platform: Platform) -> tuple[Flask, Metered]:
    """The tool as gunicorn would build it, with the platform registered by the CLI."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": TOOL_BASE,
            "SECRET_KEY": "profile-secret",
            "REDIS_URL": os.environ.get("REDIS_URL"),
            "SANDBOX": False,
            "OUTBOUND_ALLOW": ("127.0.0.0/8",),
        }
    )
    with app.app_context():
        upgrade()
    args = platform_add_args(platform.issuer, platform.client_id, platform.deployment_id)
    result = app.test_cli_runner().invoke(args=args)
    if result.exit_code != 0:
        raise SystemExit(f"platform add failed: {result.output}")
    metered = Metered(app.wsgi_app)
    app.wsgi_app = metered  # type: ignore[method-assign]
    return app, metered


def launches(
    app: Flask, platform: Platform, count: int, steps: list[str] | None = None
) -> FlaskClient:
    """Full flows, each from a new browser; ``steps`` notes where each request starts.

    Returns the last browser, still signed in.
    """
    for n in range(count):
        client = app.test_client()
        user = LEARNERS[n % len(LEARNERS)]
        if steps is not None:
            steps.append("POST /lti/login")
        data = platform.login_initiation(user)
        login = client.post("/lti/login", data=data, headers=TOP_LEVEL)
        assert login.status_code == 302, login.get_data(as_text=True)[:300]
        form = platform.authorize(dict(parse_qsl(urlsplit(login.location).query)))
        if steps is not None:
            steps.append("POST /lti/launch")
        page = client.post("/lti/launch", data=form)
        assert page.status_code == 200, page.get_data(as_text=True)[:300]
    return client  # count is at least 1


def visits(client: FlaskClient, count: int) -> None:
    """The learner's home again, ``count`` times: the landing page's own cost, in a later visit."""
    for _ in range(count):
        page = client.get("/learner/")
        assert page.status_code == 200, page.get_data(as_text=True)[:300]


def show_statements(app: Flask, platform: Platform) -> None:
    """Print the SQL one login + launch sends, in order, by request.

    Transaction commands (BEGIN, COMMIT, ROLLBACK) are shown too: each is a round trip.
    """
    import psycopg
    from sqlalchemy import event

    from lti_app.extensions import db

    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(" ".join(statement.split())[:150])

    plain_command = psycopg.Connection._exec_command

    def command(self: Any, command: Any, *args: Any, **kwargs: Any) -> Any:
        text = command.decode() if isinstance(command, bytes) else str(command)
        sent.append("(" + text.split()[0].upper() + ")")
        return plain_command(self, command, *args, **kwargs)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    psycopg.Connection._exec_command = command  # type: ignore[method-assign]
    try:
        launches(app, platform, 1, sent)
    finally:
        psycopg.Connection._exec_command = plain_command  # type: ignore[method-assign]
        event.remove(engine, "before_cursor_execute", record)
    count = sum(not s.startswith(("GET ", "POST ", "(")) for s in sent)
    trips = sum(not s.startswith(("GET ", "POST ")) for s in sent)
    print(f"one login + launch: {count} SQL statements, {trips} round trips")
    for statement in sent:
        print(("" if statement.startswith(("GET ", "POST ")) else "    ") + statement)
    print()


def by_package(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time per top-level package, to see which layer costs most."""
    totals: dict[str, float] = defaultdict(float)
    for (filename, _line, func), row in stats.stats.items():  # type: ignore[attr-defined]
        tottime = row[2]
        if "site-packages/" in filename:
            name = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        elif "/work/" in filename or filename.startswith(str(Path(__file__).parents[1])):
            name = Path(filename).parent.name + " (project)"
        elif filename.startswith("<") or filename == "~":
            name = "builtins: " + func.split(" ")[0][:60] if filename == "~" else filename
        else:
            name = "stdlib: " + Path(filename).stem
        totals[name] += tottime
    return sorted(totals.items(), key=lambda item: -item[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=200)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--database", default="communitas_profile")
    parser.add_argument("--sql", action="store_true", help="print one flow's SQL")
    parser.add_argument("--save", type=Path, help="also write the raw profile here")
    parser.add_argument(
        "--timer",
        default="wall",
        choices=("wall", "cpu", "none"),
        help="wall: round trips show in psycopg's wait; cpu: process time (slower, skewed); "
        "none: only the plain figures (for a sampling profiler)",
    )
    args = parser.parse_args()

    with (
        tempfile.TemporaryDirectory(prefix="communitas-profile-") as tmp,
        scratch_database(args.database) as database_url,
        serve_platform(TOOL_BASE, Path(tmp)) as platform,
    ):
        app, metered = build_tool(database_url, platform)
        launches(app, platform, 20)  # key set fetched, keys parsed, caches warm
        metered.cpu.clear()
        browser = launches(app, platform, args.flows)
        plain = {path: cpu / args.flows * 1000 for path, cpu in metered.cpu.items()}
        metered.cpu.clear()
        visits(browser, args.flows)
        page_alone = metered.cpu["/learner/"] / args.flows * 1000
        if args.sql:
            show_statements(app, platform)
        # A CPU timer costs a system call per event and skews the picture; with the wall
        # clock, psycopg's ``wait`` holds the round trips to PostgreSQL.
        profile = None
        if args.timer != "none":
            timer = time.process_time if args.timer == "cpu" else time.perf_counter
            metered.profiler = profile = cProfile.Profile(timer)
            launches(app, platform, args.flows)
        with app.app_context():
            from lti_app.extensions import db

            db.engine.dispose()

    parts = ", ".join(f"{path} {ms:.2f} ms" for path, ms in plain.items())
    print(f"tool CPU per flow in-process, no profiler: {sum(plain.values()):.2f} ms ({parts})")
    print(f"the learner's home on its own, in a later visit: {page_alone:.2f} ms\n")
    if profile is None:
        return
    stats = pstats.Stats(profile)
    total = sum(row[2] for row in stats.stats.values())  # type: ignore[attr-defined]
    print(
        f"own time by package over {args.flows} profiled flows "
        f"({total / args.flows * 1000:.2f} ms per flow with profiler overhead):"
    )
    for name, seconds in by_package(stats)[:20]:
        print(f"  {seconds / total:6.1%}  {seconds / args.flows * 1000:6.2f} ms  {name}")
    print()
    stats.strip_dirs().sort_stats(args.sort).print_stats(args.top)
    if args.save:
        profile.dump_stats(str(args.save))


if __name__ == "__main__":
    main()
