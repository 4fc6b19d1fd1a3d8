"""Roster sync (NRPS) of a 10,000-member course from the sandbox LMS over HTTP.

The sandbox platform and the tool's key set are real HTTP servers (werkzeug, in threads of
this process); the sync runs as the job does: access token, every roster page through the
tool's outbound client, then the batched writes. It prints the wall time and the CPU time
of the syncing thread (the sandbox's threads excluded), next to the target.

    python bench/roster.py                      # SQLite in a temporary folder
    python bench/roster.py --members 20000
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/DB python bench/roster.py
                                                # in a schema bench_roster of DB
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cohorts.models import Course, Deployment, Enrolment, Platform, ToolKey, utcnow  # noqa: E402
from cohorts.roster import runs  # noqa: E402
from lti_app import create_app, jobs  # noqa: E402
from lti_app.extensions import db  # noqa: E402
from lti_app.lti.keys import new_tool_key  # noqa: E402
from lti_app.roster_jobs import run_sync  # noqa: E402
from sandbox import create_platform_app  # noqa: E402
from sandbox.demo import COURSE  # noqa: E402
from sandbox.platform import Platform as Sandbox  # noqa: E402

TARGET_SECONDS = 10.0
#: The PostgreSQL schema the bench fills (and empties on its next run).
SCHEMA = "bench_roster"


@contextmanager
def serve(app: object) -> Iterator[str]:
    """Serve a WSGI app on a free loopback port from a thread."""
    server = make_server("127.0.0.1", 0, app, threaded=True)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def timed_sync(course_id: int, full: bool) -> tuple[float, float, str]:
    """Run one sync like the job does; return wall seconds, thread CPU seconds, its counts."""
    with jobs.job_session() as session:
        run = runs.start_run(session, course_id, "command", utcnow())
        session.commit()
        wall, cpu = time.perf_counter(), time.thread_time()
        error = run_sync(session, course_id, run.id, full)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        if error:
            raise SystemExit(f"sync failed: {error}")
        done = runs.latest_run(session, course_id)
        assert done is not None
        counts = (
            f"{done.listed:,} listed, {done.added:,} added, {done.updated:,} updated, "
            f"{done.inactive:,} marked inactive" + (" (differences)" if done.differences else "")
        )
        return wall, cpu, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=10_000, help="generated learners")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix="communitas-roster-"))
    url = scratch(os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.db'}")
    sandbox = Sandbox(issuer="", tool_base_url="http://localhost")
    lms = create_platform_app(sandbox, folder / "ags.json")
    config = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench",
        "REDIS_URL": None,
        "JOBS_MODE": "inline",
        "OUTBOUND_ALLOW": ("127.0.0.0/8",),
        "OUTBOUND_ALLOW_HTTP": True,
    }
    tool = create_app(config)
    with serve(lms) as lms_base, serve(tool) as tool_base, tool.app_context():
        logging.getLogger("communitas").setLevel(logging.WARNING)
        sandbox.issuer = lms_base + "/sandbox"
        sandbox.tool_jwks_url = tool_base + "/lti/jwks"
        upgrade()
        course_id = setup(sandbox, args.members)
        database = url.split(":")[0]
        print(f"Roster sync of a {args.members:,}-member course (+25 demo people), {database}")
        print(f"  pages of at most {sandbox.roster.max_page} members over HTTP")
        first, cpu, counts = timed_sync(course_id, full=True)
        print(f"  first sync:  {first:6.2f} s wall, {cpu:6.2f} s CPU  ({counts})")
        for i in range(10):
            sandbox.roster.remove(COURSE["id"], f"gen-{i + 1}")
        sandbox.roster.grow(COURSE["id"], 5)
        wall, cpu, counts = timed_sync(course_id, full=False)
        print(f"  differences: {wall:6.2f} s wall, {cpu:6.2f} s CPU  ({counts})")
        wall, cpu, counts = timed_sync(course_id, full=True)
        print(f"  full again:  {wall:6.2f} s wall, {cpu:6.2f} s CPU  ({counts})")
        enrolled = db.session.scalar(select(func.count()).select_from(Enrolment))
        met = "met" if first < TARGET_SECONDS else "NOT met"
        print(f"  enrolments kept: {enrolled:,}; first sync < {TARGET_SECONDS:g} s: {met}")
        db.session.remove()
        db.engine.dispose()


def scratch(url: str) -> str:
    """On PostgreSQL, work in a schema of the bench's own, emptied first."""
    if not url.startswith("postgresql"):
        return url
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}"))
    engine.dispose()
    return url + ("&" if "?" in url else "?") + f"options=-csearch_path%3D{SCHEMA}"


def setup(sandbox: Sandbox, members: int) -> int:
    """Register the sandbox, give the tool a key, and make a course with its roster service."""
    key = new_tool_key()
    db.session.add(key)
    platform = Platform(
        issuer=sandbox.issuer,
        client_id=sandbox.client_id,
        auth_login_url=sandbox.issuer + "/auth",
        auth_token_url=sandbox.issuer + "/token",
        key_set_url=sandbox.issuer + "/jwks",
    )
    platform.deployments = [Deployment(deployment_id=sandbox.deployment_id)]
    course = Course(
        issuer=sandbox.issuer,
        client_id=sandbox.client_id,
        deployment_id=sandbox.deployment_id,
        context_id=COURSE["id"],
        nrps_url=f"{sandbox.issuer}/nrps/{COURSE['id']}",
    )
    db.session.add_all([platform, course])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(ToolKey)) == 1
    sandbox.roster.grow(COURSE["id"], members)
    return course.id


if __name__ == "__main__":
    main()
