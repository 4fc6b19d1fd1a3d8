"""Publishing 10,000 participation scores to the sandbox LMS, against a 60-second target.

The sandbox LMS runs in a process of its own (as a real LMS is elsewhere) with its gradebook in
SQLite; the tool publishes in this process, as the background job does: find or create the
column, queue every learner's score, post them at most two at a time (the outbound per-host
cap). A second round plans 503 and 429 answers and shows them retried until sent.

    python bench/grades.py                       # 10,000 learners, SQLite
    python bench/grades.py --learners 2000 --database postgresql+psycopg://postgres@127.0.0.1/db
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
from sqlalchemy import func, insert, select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cohorts.models import (  # noqa: E402
    ActivityWeek,
    Course,
    Deployment,
    Enrolment,
    GradeSettings,
    Person,
    Platform,
    ResourceLink,
    ScorePost,
)
from lti_app import create_app  # noqa: E402
from lti_app.extensions import db  # noqa: E402
from lti_app.grades import publish  # noqa: E402
from lti_app.lti.keys import new_tool_key  # noqa: E402
from lti_app.lti.services import ags  # noqa: E402

TARGET_SECONDS = 60.0
CONTEXT = "demo-course-101"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def serve_platform(port: int, data: str, tool_base: str) -> None:
    """Child process: the sandbox LMS alone, on a threaded server."""
    from sandbox import create_platform_app
    from sandbox.platform import Platform as SandboxPlatform

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    platform = SandboxPlatform(issuer=f"http://127.0.0.1:{port}/sandbox", tool_base_url=tool_base)
    server = make_server(
        "127.0.0.1", port, create_platform_app(platform, Path(data)), threaded=True
    )
    server.serve_forever()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def seed(issuer: str, learners: int, rng: random.Random) -> int:
    """One course with ``learners`` learners and a few weeks of activity each; return its id."""
    s = db.session
    registration = Platform(
        issuer=issuer,
        client_id="communitas-sandbox",
        auth_login_url=issuer + "/auth",
        auth_token_url=issuer + "/token",
        key_set_url=issuer + "/jwks",
    )
    registration.deployments = [Deployment(deployment_id="sandbox-deployment-1")]
    s.add_all([registration, new_tool_key()])
    course = Course(
        issuer=issuer,
        client_id="communitas-sandbox",
        deployment_id="sandbox-deployment-1",
        context_id=CONTEXT,
    )
    s.add(course)
    s.flush()
    s.add(
        ResourceLink(
            course_id=course.id,
            link_id="communitas-link-1",
            ags_lineitems_url=f"{issuer}/ags/{CONTEXT}/lineitems",
            ags_scopes=f"{ags.SCOPE_LINEITEM} {ags.SCOPE_SCORE}",
        )
    )
    s.add(GradeSettings(course_id=course.id, enabled=True))
    s.execute(
        insert(Person),
        [
            {"issuer": issuer, "client_id": "communitas-sandbox", "sub": f"bench-{i}"}
            for i in range(learners)
        ],
    )
    ids = list(s.scalars(select(Person.id).order_by(Person.id)))
    s.execute(
        insert(Enrolment),
        [{"course_id": course.id, "person_id": p, "role": "learner"} for p in ids],
    )
    weeks = []
    for p in ids:
        for week in rng.sample(range(2900, 2912), rng.randint(0, 8)):
            weeks.append(
                {
                    "course_id": course.id,
                    "person_id": p,
                    "week": week,
                    "events": 5,
                    "sessions": 2,
                    "cohort_actions": 2,
                    "gifts_given": rng.randint(0, 1),
                    "gifts_received": rng.randint(0, 1),
                    "asks_answered": 0,
                    "last_day": week * 7,
                }  # fmt: skip
            )
    if weeks:
        s.execute(insert(ActivityWeek), weeks)
    s.commit()
    return course.id


def counts() -> dict[str, int]:
    rows = db.session.execute(select(ScorePost.status, func.count()).group_by(ScorePost.status))
    return dict(rows.all())


def received(issuer: str) -> tuple[int, int]:
    [column] = requests.get(issuer + "/gradebook?format=json", timeout=60).json()
    return len(column["results"]), sum(r["posts"] for r in column["results"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--database", default="", help="SQLAlchemy URL (default: scratch SQLite)")
    parser.add_argument("--failures", type=int, default=300, help="503/429 answers in round 2")
    parser.add_argument("--serve-platform", nargs=3, metavar=("PORT", "DATA", "TOOL"))
    args = parser.parse_args()
    if args.serve_platform:
        port, data, tool = args.serve_platform
        serve_platform(int(port), data, tool)
        return

    logging.basicConfig(level=logging.WARNING)
    scratch = Path(tempfile.mkdtemp(prefix="communitas-grades-"))
    url = args.database or f"sqlite:///{scratch / 'tool.db'}"
    tool_port, lms_port = free_port(), free_port()
    issuer = f"http://127.0.0.1:{lms_port}/sandbox"
    child = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve-platform",
            str(lms_port),
            str(scratch / "ags.json"),
            f"http://127.0.0.1:{tool_port}",
        ]  # fmt: skip
    )
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench",
            "REDIS_URL": None,
            "OUTBOUND_ALLOW": ("127.0.0.0/8",),
            "OUTBOUND_ALLOW_HTTP": True,
            "GRADES_RETRY_BASE_SECONDS": 0.2,
            "SANDBOX": False,
        }
    )
    server = make_server("127.0.0.1", tool_port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        for _ in range(100):
            try:
                requests.get(issuer + "/jwks", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            course_id = seed(issuer, args.learners, random.Random(1))
            run(issuer, course_id, child.pid, args.learners, args.failures)
    finally:
        server.shutdown()
        child.terminate()
        child.wait(timeout=10)


def run(issuer: str, course_id: int, lms_pid: int, learners: int, failures: int) -> None:
    print(f"Publishing {learners} participation scores to the sandbox LMS (2 posts in flight)")
    wall, cpu, lms_cpu = time.perf_counter(), time.process_time(), cpu_seconds(lms_pid)
    publish.publish_course(course_id)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    lms_cpu = cpu_seconds(lms_pid) - lms_cpu
    people, posts = received(issuer)
    verdict = "within" if wall < TARGET_SECONDS else "OVER"
    print(
        f"  round 1: {wall:.1f} s wall ({verdict} the {TARGET_SECONDS:.0f} s target), "
        f"{cpu:.1f} s tool CPU, {lms_cpu:.1f} s LMS CPU; {learners / wall:.0f} scores/s"
    )
    print(f"  outbox: {counts()}; gradebook: {people} learners, {posts} posts")
    publish.publish_course(course_id)
    print(f"  publishing again unchanged: gradebook posts still {received(issuer)[1]}")

    db.session.execute(ScorePost.__table__.delete())
    db.session.commit()
    for status, times in ((503, failures * 2 // 3), (429, failures // 3)):
        requests.post(
            issuer + "/ags/failures",
            json={"status": status, "times": times, "retry_after": "1" if status == 429 else None},
            timeout=10,
        ).raise_for_status()
    # New timestamps for everyone: a fresh round of scores after a week of activity.
    wall = time.perf_counter()
    publish.publish_course(course_id)
    wall = time.perf_counter() - wall
    attempts = db.session.scalar(select(func.sum(ScorePost.attempts)))
    print(
        f"  round 2 with {failures} planned 503/429 answers: {wall:.1f} s wall, "
        f"{attempts} attempts for {learners} scores; outbox: {counts()}"
    )


if __name__ == "__main__":
    main()
