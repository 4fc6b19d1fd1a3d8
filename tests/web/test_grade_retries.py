"""A publication waiting to retry never holds the background worker: the retry is a later job."""

import queue
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cohorts.models import ScorePost
from lti_app import jobs
from lti_app.extensions import db
from lti_app.grades import sender
from lti_app.job_thread import ThreadRunner

from .test_grades import fail_next, gradebook, lms, posts, publish, staff_with_column

__all__ = ["lms"]  # the fixture, used by name
SEEN: queue.Queue = queue.Queue()
DRAIN = "lti_app.grades.publish:drain_course"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def note(word: str) -> None:
    SEEN.put(word)


def note_scores() -> None:
    SEEN.put([(p.status, p.attempts) for p in db.session.scalars(select(ScorePost))])


def test_a_publication_waiting_to_retry_returns_and_comes_back_when_the_retry_is_due(
    app, lms, monkeypatch
):
    staff = staff_with_column(app, lms, "learner-1")
    fail_next(lms, 503, 2)
    publish(app, staff)
    [post] = posts()
    assert (post.status, post.attempts, post.answer_status) == ("pending", 1, 503)
    [(when, call)] = jobs.scheduled(app)
    assert (when, call) == (post.next_attempt_at, [DRAIN, [post.course_id], {}])
    clock = Clock(when)
    monkeypatch.setattr(sender, "utcnow", clock)
    assert jobs.run_due(app, when - timedelta(seconds=1)) == 0  # not yet
    assert jobs.run_due(app, when) == 1
    [post] = posts()
    assert (post.status, post.attempts) == ("pending", 2)
    [(later, _)] = jobs.scheduled(app)
    assert later == post.next_attempt_at and later - when >= timedelta(seconds=30)  # back-off
    clock.now = later
    assert jobs.run_due(app, later) == 1
    [post] = posts()
    assert (post.status, post.attempts, post.answer_status) == ("sent", 3, 204)
    assert jobs.scheduled(app) == []
    [column] = gradebook(lms)
    assert [(r["userId"], r["posts"]) for r in column["results"]] == [("learner-1", 1)]


def test_without_redis_the_next_job_runs_while_a_publication_waits_to_retry(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    app.config.update(JOBS_MODE="thread")
    fail_next(lms, 503, 3)  # the back-off would wait 15 + 30 + 60 seconds
    publish(app, staff)
    jobs.submit(note_scores)  # queued behind the publication, in the same thread
    db.session.commit()
    runner = app.extensions["communitas_jobs"]
    try:
        # When the next job ran, the score was still waiting: the thread did not wait for it.
        assert SEEN.get(timeout=600) == [("pending", 1)]
        [(when, call)] = runner.schedule.entries()
        assert call == [DRAIN, [posts()[0].course_id], {}] and when == posts()[0].next_attempt_at
    finally:
        runner.stop()


def test_the_in_process_runner_runs_a_later_job_when_its_time_comes_and_others_meanwhile(app):
    clock = Clock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))
    runner = ThreadRunner(app, clock)
    try:
        name = f"{__name__}:note"
        runner.later(clock.now + timedelta(minutes=2), (name, ["retry"], {}))
        runner.later(clock.now + timedelta(minutes=5), (name, ["retry"], {}))  # the same: once
        runner.put((name, ["roster sync"], {}))
        assert SEEN.get(timeout=600) == "roster sync"
        clock.now += timedelta(minutes=2)
        runner.wake()
        assert SEEN.get(timeout=600) == "retry"
        assert runner.schedule.entries() == []
    finally:
        runner.stop()


def test_with_redis_a_retry_scheduled_by_several_workers_is_one_job(app, monkeypatch):
    asked: list[tuple[datetime, str]] = []

    class FakeQueue:
        def enqueue_at(self, when, func, *args, job_id, **options):
            asked.append((when, job_id))

    monkeypatch.setattr(jobs, "rq_queue", lambda _app: FakeQueue())
    app.config.update(JOBS_MODE="rq", REDIS_URL="redis://127.0.0.1:1/1")
    when = datetime(2026, 12, 2, 9, 0, 15, tzinfo=UTC)
    jobs.submit_at(when, note, "retry")
    jobs.submit_at(when, note, "retry")  # a second worker, same score due
    jobs.submit_at(when + timedelta(seconds=30), note, "retry")
    assert [w for w, _ in asked] == [when, when, when + timedelta(seconds=30)]
    assert asked[0][1] == asked[1][1] != asked[2][1]
