"""The sandbox's gradebook: line items and scores in a small SQLite file shared by workers.

A JSON file rewritten on every score cannot take ten thousand posts; SQLite in WAL mode takes
them from several threads and processes. Each platform profile checks scores the way the real
platform does (see ``check_score``).
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .demo import USERS
from .profiles import Profile, is_learner

SCHEMA = """
CREATE TABLE IF NOT EXISTS lineitem (
  n INTEGER PRIMARY KEY, context_id TEXT NOT NULL, id TEXT NOT NULL UNIQUE, label TEXT NOT NULL,
  score_maximum REAL NOT NULL, tag TEXT, resource_link_id TEXT, resource_id TEXT);
CREATE TABLE IF NOT EXISTS score (
  n INTEGER PRIMARY KEY, lineitem TEXT NOT NULL, user_id TEXT NOT NULL, score_given REAL,
  score_maximum REAL, activity TEXT, grading TEXT, timestamp TEXT NOT NULL, received REAL NOT NULL);
CREATE INDEX IF NOT EXISTS score_by_user ON score (lineitem, user_id, n);
CREATE TABLE IF NOT EXISTS failure (
  n INTEGER PRIMARY KEY, status INTEGER NOT NULL, remaining INTEGER NOT NULL, retry_after TEXT);
"""


class ServiceError(ValueError):
    """A service request the platform refuses; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def db_path(path: Path) -> Path:
    """The gradebook file next to the sandbox's JSON data file."""
    return path.with_name(path.stem + "_gradebook.sqlite3")


_idle: dict[str, list[sqlite3.Connection]] = {}
_idle_lock = threading.Lock()


def _open(file: str) -> sqlite3.Connection:
    conn = sqlite3.connect(file, timeout=30, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


@contextmanager
def connect(path: Path, write: bool = True) -> Iterator[sqlite3.Connection]:
    """A pooled connection (servers start a thread per request); each block is one transaction."""
    file = str(db_path(path))
    with _idle_lock:
        pool = _idle.setdefault(file, [])
        conn = pool.pop() if pool else None
    conn = conn or _open(file)
    conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")
        with _idle_lock:
            _idle[file].append(conn)


def _item(row: sqlite3.Row) -> dict[str, Any]:
    item = {"id": row["id"], "label": row["label"], "scoreMaximum": row["score_maximum"]}
    for key, column in (("tag", "tag"), ("resourceLinkId", "resource_link_id")):
        if row[column]:
            item[key] = row[column]
    if row["resource_id"]:
        item["resourceId"] = row["resource_id"]
    return item


def lineitems(path: Path, context_id: str | None = None, **filters: str) -> list[dict[str, Any]]:
    """Line items of a course, filtered by ``tag``, ``resource_link_id``, ``resource_id``."""
    query, args = "SELECT * FROM lineitem WHERE 1=1", []
    if context_id is not None:
        query, args = query + " AND context_id = ?", [context_id]
    for name in ("tag", "resource_link_id", "resource_id"):
        if filters.get(name):
            query += f" AND {name} = ?"
            args.append(filters[name])
    with connect(path) as conn:
        return [_item(r) for r in conn.execute(query + " ORDER BY n", args)]


def add_lineitem(
    path: Path, base: str, item: dict[str, Any], context_id: str = "", suffix: str = ""
) -> dict[str, Any]:
    """Create a line item (the gradebook column) from the tool's JSON."""
    maximum = item.get("scoreMaximum") if isinstance(item, dict) else None
    if (
        not isinstance(item.get("label"), str)
        or not isinstance(maximum, int | float)
        or maximum <= 0
    ):
        raise ServiceError("No label or Score Maximum")
    with connect(path) as conn:
        n = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM lineitem").fetchone()[0]
        item_id = f"{base}/{n}{suffix}"
        conn.execute(
            "INSERT INTO lineitem VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                n,
                context_id,
                item_id,
                item["label"],
                float(maximum),
                item.get("tag"),
                item.get("resourceLinkId"),
                item.get("resourceId"),
            ),
        )
    return {**item, "id": item_id}


def fail_next(path: Path, status: int, times: int, retry_after: str | None = None) -> None:
    """Make the next ``times`` score posts answer ``status`` (429, 503...), for tests and bench."""
    with connect(path) as conn:
        conn.execute(
            "INSERT INTO failure (status, remaining, retry_after) VALUES (?, ?, ?)",
            (status, times, retry_after),
        )


def take_failure(path: Path) -> tuple[int, str | None] | None:
    """Consume one planned failure, if any is left."""
    with connect(path, write=False) as conn:
        if conn.execute("SELECT 1 FROM failure WHERE remaining > 0 LIMIT 1").fetchone() is None:
            return None
    with connect(path) as conn:
        row = conn.execute(
            "SELECT n, status, retry_after FROM failure WHERE remaining > 0 ORDER BY n LIMIT 1"
        ).fetchone()
        if row is None:
            return None
        conn.execute("UPDATE failure SET remaining = remaining - 1 WHERE n = ?", (row["n"],))
        return row["status"], row["retry_after"]


def _moment(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise ServiceError(f"Provided timestamp of {value} not a valid timestamp") from exc
    if moment.tzinfo is None:
        raise ServiceError(f"Provided timestamp of {value} has no time zone")
    return moment


def check_score(score: Any, profile: Profile | None) -> datetime:
    """Refuse what the platform refuses; return the score's timestamp."""
    if not isinstance(score, dict) or not score.get("userId") or "timestamp" not in score:
        raise ServiceError("userId and timestamp are required")
    moodle = profile is not None and profile.name == "moodle"
    if moodle and not (score.get("gradingProgress") and score.get("activityProgress")):
        raise ServiceError("Incorrect score received")
    user = USERS.get(str(score["userId"]))
    if profile is not None and profile.scores_learners_only and not (user and is_learner(user)):
        # Moodle: is_user_gradable_in_course; Canvas: students only.
        raise ServiceError(
            "Incorrect score received" if moodle else "User not found in course or is not a student"
        )
    return _moment(score["timestamp"])


def _refuse_older(profile: Profile | None, item: str, user: str, new: datetime, old: str) -> None:
    """Refuse a timestamp that does not move forward, in each platform's words and precision."""
    previous = _moment(old)
    if profile is not None and profile.name == "moodle":
        # Moodle compares whole seconds (strtotime) and refuses equal ones with 409.
        if int(previous.timestamp()) >= int(new.timestamp()):
            raise ServiceError(
                f"Refusing score with an earlier timestamp for item {item} and user {user}", 409
            )
    elif profile is not None and profile.name.startswith("canvas"):
        if previous > new:  # Canvas accepts an equal timestamp
            raise ServiceError(
                f"Provided timestamp of {new.isoformat()} before last updated timestamp of "
                f"{previous.isoformat()}"
            )
    elif previous >= new:
        raise ServiceError("the score's timestamp is not after the previous one", 409)


def add_score(
    path: Path, lineitem_id: str, score: dict[str, Any], profile: Profile | None = None
) -> None:
    """Record a score posted by the tool, refusing timestamps that do not increase."""
    moment = check_score(score, profile)
    user = str(score["userId"])
    with connect(path) as conn:
        if conn.execute("SELECT 1 FROM lineitem WHERE id = ?", (lineitem_id,)).fetchone() is None:
            raise ServiceError("Line item does not exist.", 404)
        last = conn.execute(
            "SELECT timestamp FROM score WHERE lineitem = ? AND user_id = ?"
            " ORDER BY n DESC LIMIT 1",
            (lineitem_id, user),
        ).fetchone()
        if last is not None:
            _refuse_older(profile, urlsplit(lineitem_id).path, user, moment, last["timestamp"])
        conn.execute(
            "INSERT INTO score (lineitem, user_id, score_given, score_maximum, activity, grading,"
            " timestamp, received) VALUES (?, ?, ?, ?, ?, ?, ?, julianday('now'))",
            (
                lineitem_id,
                user,
                score.get("scoreGiven"),
                score.get("scoreMaximum"),
                score.get("activityProgress"),
                score.get("gradingProgress"),
                str(score["timestamp"]),
            ),
        )


def scores(path: Path, latest: int = -1) -> list[dict[str, Any]]:
    """Every score received (or the ``latest`` few), oldest first, as the tool sent it."""
    with connect(path) as conn:
        rows = conn.execute(
            "SELECT * FROM (SELECT * FROM score ORDER BY n DESC LIMIT ?) ORDER BY n", (latest,)
        ).fetchall()
    return [
        {
            "lineitem": r["lineitem"],
            "userId": r["user_id"],
            "scoreGiven": r["score_given"],
            "scoreMaximum": r["score_maximum"],
            "activityProgress": r["activity"],
            "gradingProgress": r["grading"],
            "timestamp": r["timestamp"],
        }
        for r in rows
    ]


def gradebook(path: Path) -> list[dict[str, Any]]:
    """Each line item with its latest score per user and how many posts it received."""
    with connect(path) as conn:
        items = conn.execute("SELECT * FROM lineitem ORDER BY n").fetchall()
        latest = conn.execute(
            "SELECT s.*, c.posts FROM score s JOIN (SELECT lineitem, user_id, max(n) AS last,"
            " count(*) AS posts FROM score GROUP BY lineitem, user_id) c ON s.n = c.last"
            " ORDER BY s.user_id"
        ).fetchall()
    by_item: dict[str, list[dict[str, Any]]] = {}
    for r in latest:
        by_item.setdefault(r["lineitem"], []).append(
            {
                "userId": r["user_id"],
                "scoreGiven": r["score_given"],
                "scoreMaximum": r["score_maximum"],
                "timestamp": r["timestamp"],
                "posts": r["posts"],
            }
        )
    return [
        {**_item(i), "context_id": i["context_id"], "results": by_item.get(i["id"], [])}
        for i in items
    ]


def reset(path: Path) -> None:
    """Empty the gradebook and the planned failures (tests and benchmarks start clean)."""
    with connect(path) as conn:
        for table in ("lineitem", "score", "failure"):
            conn.execute(f"DELETE FROM {table}")
