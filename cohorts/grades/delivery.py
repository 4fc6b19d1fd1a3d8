"""Pure rules of delivering a score: what an answer means, when to try again, which timestamp.

Platforms refuse a score whose timestamp does not move forward for that learner and column
(Moodle compares whole seconds and refuses an equal one), so timestamps are whole seconds and
at least one second after the previous score of the same learner and column.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

MAX_ATTEMPTS = 8
#: The first retry waits this long; each later one twice as long as the one before.
BASE_DELAY_SECONDS = 15.0
MAX_DELAY_SECONDS = 6 * 3600.0
#: A Retry-After longer than this is not waited for; the score is retried the next day.
MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
#: A claimed score not answered within this lease is claimed again (a worker stopped).
LEASE_SECONDS = 600.0
SNIPPET = 300
RETRIABLE = frozenset({408, 425, 429})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one attempt came to: ``sent``, ``retry``, ``busy`` (not counted) or ``failed``."""

    kind: str
    reason: str = ""
    status: int | None = None
    body: str = ""
    retry_after: float | None = None


def next_timestamp(now: datetime, previous: datetime | None) -> datetime:
    """Whole seconds, and at least one second after the previous score's timestamp."""
    stamp = now.replace(microsecond=0)
    if previous is not None and stamp <= previous:
        stamp = previous.replace(microsecond=0) + timedelta(seconds=1)
    return stamp


def retry_delay(
    attempts: int, retry_after: float | None, base: float = BASE_DELAY_SECONDS
) -> float:
    """Exponential back-off after ``attempts`` failures, never sooner than Retry-After says."""
    delay = min(base * 2 ** max(attempts - 1, 0), MAX_DELAY_SECONDS)
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER_SECONDS))
    return delay


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        return None
    return max((moment - now).total_seconds(), 0.0)


def snippet(body: bytes | str) -> str:
    """The start of an answer's body, printable, for staff and support."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return _CONTROL.sub(" ", text).strip()[:SNIPPET]


def platform_message(reason: str, body: str) -> str:
    """The platform's own words: a JSON error field, else the body, else the status reason."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict):
        found = data.get("error") or data.get("message") or data.get("errors")
        if isinstance(found, list) and found and isinstance(found[0], dict):
            found = found[0].get("message")
        if isinstance(found, str) and found.strip():
            return snippet(found)
    if body and not body.lstrip().startswith(("<", "{", "[")):
        return snippet(body)
    return snippet(reason)


_REFUSALS = {
    400: "The platform refused the score as malformed or not for this column",
    401: "The platform did not accept Communitas's access token; check that the grade "
    "service (AGS) score scope is enabled for the tool",
    403: "The platform does not let Communitas post this score; check the tool's grade "
    "service setting in the LMS and that the person is a student of the course",
    404: "The platform no longer has this gradebook column (deleted in the LMS?); turn the "
    "column off and on again to create it anew",
    409: "The platform already holds a newer grade for this learner (perhaps edited by hand "
    "in the gradebook)",
    422: "The platform could not use the score",
}


def answer_outcome(status: int, reason: str, body: bytes, retry_after: float | None) -> Outcome:
    """Classify the platform's answer to one score post."""
    text = snippet(body)
    if 200 <= status < 300:
        return Outcome("sent", "", status, text)
    said = platform_message(reason, text)
    if status in RETRIABLE or status >= 500:
        words = "asked to slow down" if status == 429 else "was unavailable"
        return Outcome("retry", f"The platform {words} ({status}).", status, text, retry_after)
    base = _REFUSALS.get(status, "The platform refused the score")
    return Outcome("failed", f"{base} ({status}{': ' + said if said else ''}).", status, text)


def error_outcome(kind: str, message: str) -> Outcome:
    """Classify a call that got no answer: ``timeout``, ``connection``, ``busy`` or ``refused``."""
    if kind == "busy":
        return Outcome("busy", "Waiting for a free connection to the platform.")
    if kind == "refused":
        return Outcome("failed", f"Communitas may not call this platform: {snippet(message)}.")
    words = "did not answer in time" if kind == "timeout" else "could not be reached"
    return Outcome("retry", f"The platform {words} ({snippet(message)}).")


def give_up_reason(outcome: Outcome) -> str:
    """Why a score that kept failing is no longer retried."""
    return f"Gave up after {MAX_ATTEMPTS} attempts. Last: {outcome.reason}"
