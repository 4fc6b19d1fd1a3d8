"""The in-process job runner (no Redis): one daemon thread, a bounded queue, a schedule.

A job asked for later waits in the schedule, not in the thread, so the thread keeps serving
other jobs. The schedule lives in this process only: a retry it held is lost with the process,
but its truth is in the database, and a new runner starts with the ``AT_START`` catch-up jobs.
"""

import contextlib
import json
import queue
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask

from .jobs import AT_START, THREAD_QUEUE_SIZE, Call, log, next_daily, run


class Schedule:
    """Jobs to run later, each job once at the earliest time asked (safe across threads)."""

    def __init__(self) -> None:
        self._at: dict[str, tuple[datetime, Call]] = {}
        self._lock = threading.Lock()

    def add(self, when: datetime, call: Call) -> None:
        key = json.dumps(call, sort_keys=True)
        with self._lock:
            known = self._at.get(key)
            if known is None or when < known[0]:
                self._at[key] = (when, call)

    def pop_due(self, now: datetime) -> list[Call]:
        with self._lock:
            due = sorted((v for v in self._at.values() if v[0] <= now), key=lambda v: v[0])
            for _when, call in due:
                self._at.pop(json.dumps(call, sort_keys=True))
        return [call for _, call in due]

    def entries(self) -> list[tuple[datetime, Call]]:
        with self._lock:
            return sorted(self._at.values(), key=lambda v: v[0])


class ThreadRunner:
    """One daemon thread with a bounded queue and a schedule of later jobs (and the daily ones).

    ``clock`` tells the time the schedule is read against (a test may pass its own and
    ``wake`` the thread after moving it).
    """

    def __init__(self, app: Flask, clock: Callable[[], datetime] | None = None) -> None:
        self.app = app
        self.clock = clock or (lambda: datetime.now(UTC))
        self.calls: queue.Queue[Call | None] = queue.Queue(maxsize=THREAD_QUEUE_SIZE)
        self.schedule = Schedule()
        self.stopped = False
        self.due = next_daily(self.clock())
        for name in AT_START:
            self.calls.put_nowait((name, [], {}))
        self.thread = threading.Thread(target=self._loop, name="communitas-jobs", daemon=True)
        self.thread.start()

    def put(self, call: Call) -> None:
        try:
            self.calls.put_nowait(call)
        except queue.Full:
            log.warning("background queue full: job %s dropped", call[0])

    def later(self, when: datetime, call: Call) -> None:
        """Run ``call`` once ``when`` has come; the thread stays free for other jobs meanwhile."""
        self.schedule.add(when, call)
        self.wake()

    def wake(self) -> None:
        """Make the thread look at its schedule now."""
        with contextlib.suppress(queue.Full):
            self.calls.put_nowait(None)

    def stop(self) -> None:
        """Let the thread end after its current job; scheduled jobs are dropped."""
        self.stopped = True
        self.wake()

    def _wait(self) -> float:
        entries = self.schedule.entries()
        if not entries:
            return 60.0
        return min(max((entries[0][0] - self.clock()).total_seconds(), 0.01), 60.0)

    def _loop(self) -> None:
        while not self.stopped:
            try:
                call = self.calls.get(timeout=self._wait())
            except queue.Empty:
                call = None
            if call is not None and not self.stopped:
                run(*call, app=self.app)
            for due in self.schedule.pop_due(self.clock()):
                if not self.stopped:
                    run(*due, app=self.app)
            if self.clock() >= self.due and not self.stopped:
                self.due = next_daily(self.clock())
                run("lti_app.jobs:daily", [], {}, app=self.app)


_runners_lock = threading.Lock()


def runner_of(app: Flask) -> ThreadRunner:
    """The app's runner thread, started on first use."""
    with _runners_lock:
        runner = app.extensions.get("communitas_jobs")
        if runner is None or not runner.thread.is_alive():
            runner = app.extensions["communitas_jobs"] = ThreadRunner(app)
    return runner  # type: ignore[no-any-return]
