"""The roster sync runs away from the request: in a worker serving Redis, or in a thread."""

import os
import subprocess
import sys
import time
from datetime import UTC, datetime

import redis
from sqlalchemy import select

from cohorts.models import RosterSync
from lti_app import jobs
from lti_app.extensions import db
from tests.web.cohort_client import Browser
from tests.web.test_roster_sync import PAGE, SYNC


def runs():
    db.session.expire_all()
    return db.session.scalars(select(RosterSync).order_by(RosterSync.id)).all()


def test_a_worker_serving_redis_runs_the_sync_the_page_asked_for(
    app,
    database_url,
    test_platform,
    roster,
    tmp_path,
    redis_url,
):
    redis.Redis.from_url(redis_url).flushdb()
    staff = Browser(app, test_platform, "instructor-1")
    app.config.update(JOBS_MODE="rq", REDIS_URL=redis_url)
    page = staff.post(SYNC, form_page=PAGE, follow_redirects=True).get_data(as_text=True)
    assert "Roster sync started." in page and "is still running" in page
    assert [r.status for r in runs()] == ["running"]
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": "test-secret",
        "COMMUNITAS_BASE_URL": "http://localhost",
        "COMMUNITAS_OUTBOUND_ALLOW": "127.0.0.0/8,::1",
        "COMMUNITAS_INSTANCE_PATH": str(tmp_path),
    }
    worker = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_app", "worker", "--burst"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stderr
    assert [(r.status, r.added, r.listed) for r in runs()] == [("done", 24, 25)]
    assert "24 added" in staff.get(PAGE).get_data(as_text=True)


def test_without_redis_the_sync_runs_in_a_thread_of_the_web_process(
    app,
    test_platform,
    roster,
):
    staff = Browser(app, test_platform, "instructor-1")
    app.config.update(JOBS_MODE="thread")
    assert staff.post(SYNC, form_page=PAGE).status_code == 302
    for _ in range(600):  # wait for the thread, at most a minute
        if runs()[0].status != "running":
            break
        time.sleep(0.1)
    assert [(r.status, r.added) for r in runs()] == [("done", 24)]
    assert app.extensions["communitas_jobs"].thread.daemon


def test_the_worker_command_says_it_needs_redis(app):
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code == 1
    assert "REDIS_URL is not set" in result.output


def test_the_daily_run_is_scheduled_once_per_day_whoever_schedules_it(app, redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    app.config.update(REDIS_URL=redis_url)
    now = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    jobs.schedule_daily(app, now)
    jobs.schedule_daily(app, now)  # a second worker starting
    scheduled = jobs.rq_queue(app).scheduled_job_registry.get_job_ids()
    assert scheduled == ["communitas-daily-2026-12-03"]
    client.flushdb()


def test_with_redis_down_the_sync_still_runs_in_the_web_process(app, test_platform, roster):
    staff = Browser(app, test_platform, "instructor-1")
    app.config.update(JOBS_MODE="rq", REDIS_URL="redis://127.0.0.1:1/1")  # nothing listens
    assert staff.post(SYNC, form_page=PAGE).status_code == 302
    for _ in range(600):
        if runs()[0].status != "running":
            break
        time.sleep(0.1)
    assert [(r.status, r.added) for r in runs()] == [("done", 24)]
