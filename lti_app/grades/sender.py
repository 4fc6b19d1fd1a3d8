"""Drain the score outbox: claim due scores, post them a few at a time, record the answers.

At most ``http.MAX_IN_FLIGHT_PER_HOST`` posts are in flight, so a publication of thousands of
scores never floods a platform (nor takes every outbound slot of the process). Retries wait
with exponential back-off. A command's drain may wait for retries coming due within
``MAX_WAIT_SECONDS``; a job's drain never waits (``wait=False``) and schedules the next one.
"""

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from flask import Flask, current_app
from pylti1p3.registration import Registration

from cohorts.grades import delivery, outbox
from cohorts.grades.delivery import Outcome
from cohorts.grades.outbox import Delivery
from cohorts.models import utcnow

from ..extensions import db
from ..lti import http
from ..lti.addresses import OutboundRefused
from ..lti.services import ags, token
from ..lti.services.client import ServiceCallFailed

BATCH = 500
MAX_WAIT_SECONDS = 120.0
#: Gets a bearer token for a registration and scopes (the token service, or a test's).
TokenSource = Callable[[Registration, list[str]], str]


def _header(reply: http.Reply, name: str) -> str | None:
    return next((v for k, v in reply.headers if k.lower() == name.lower()), None)


def post_one(app: Flask, bearer: str, d: Delivery) -> Outcome:
    """Post one score and say what came of it; never raises for the platform's sake."""
    body = ags.score_body(d.user_id, d.score_given, d.score_maximum, d.timestamp)
    with app.app_context():
        try:
            reply = ags.post_score(bearer, d.lineitem_url, body)
        except http.OutboundBusy as exc:
            return delivery.error_outcome("busy", str(exc))
        except OutboundRefused as exc:
            return delivery.error_outcome("refused", str(exc))
        except requests.Timeout as exc:
            return delivery.error_outcome("timeout", str(exc))
        except requests.RequestException as exc:
            return delivery.error_outcome("connection", str(exc))
    retry_after = delivery.parse_retry_after(_header(reply, "Retry-After"), utcnow())
    return delivery.answer_outcome(reply.status, reply.reason, reply.body, retry_after)


def _tokens(batch: list[Delivery], tokens: TokenSource) -> dict[tuple[str, str], str | Outcome]:
    """One score token per registration in the batch, or why there is none."""
    found: dict[tuple[str, str], str | Outcome] = {}
    for key in {(d.issuer, d.client_id) for d in batch}:
        registration = token.registration_of(db.session, *key)
        if registration is None:
            found[key] = Outcome("failed", "The platform is no longer registered with Communitas.")
            continue
        try:
            found[key] = tokens(registration, [ags.SCOPE_SCORE])
        except ServiceCallFailed as exc:
            found[key] = Outcome("retry", f"No access token: {exc}", exc.status)
    return found


def post_batch(
    app: Flask, batch: list[Delivery], tokens: TokenSource
) -> list[tuple[Delivery, Outcome]]:
    """Post a batch with bounded concurrency; return each score with its outcome."""
    by_key = _tokens(batch, tokens)
    results: list[tuple[Delivery, Outcome]] = []
    ready: list[tuple[Delivery, str]] = []
    for d in batch:
        bearer = by_key[(d.issuer, d.client_id)]
        if isinstance(bearer, Outcome):
            results.append((d, bearer))
        else:
            ready.append((d, bearer))
    with ThreadPoolExecutor(max_workers=http.MAX_IN_FLIGHT_PER_HOST) as pool:
        outcomes = pool.map(lambda pair: post_one(app, pair[1], pair[0]), ready)
        results += [(d, o) for (d, _), o in zip(ready, outcomes, strict=True)]
    return results


def drain(
    course_id: int | None = None, *, wait: bool = True, tokens: TokenSource | None = None
) -> Counter[str]:
    """Send every due score (of one course, or all); return how many ended in each state."""
    app: Any = current_app._get_current_object()  # type: ignore[attr-defined]
    base = float(app.config.get("GRADES_RETRY_BASE_SECONDS", delivery.BASE_DELAY_SECONDS))
    source = tokens or token.access_token
    totals: Counter[str] = Counter()
    until = time.monotonic() + MAX_WAIT_SECONDS
    while True:
        batch = outbox.claim_due(db.session, utcnow(), BATCH, course_id)
        db.session.commit()
        if not batch:
            due = outbox.next_due(db.session, course_id)
            db.session.commit()
            pause = (due - utcnow()).total_seconds() if due is not None else None
            if not wait or pause is None or time.monotonic() + pause > until:
                return totals
            time.sleep(min(max(pause, 0.01), MAX_WAIT_SECONDS))
            continue
        results = post_batch(app, batch, source)
        outbox.record_outcomes(db.session, results, utcnow(), base)
        db.session.commit()
        totals.update(o.kind for _, o in results)
        if time.monotonic() > until and all(o.kind == "busy" for _, o in results):
            return totals  # the outbound slots stay taken: the next drain carries on


def summary(totals: Counter[str]) -> str:
    """Say what a drain did, for the command line and the log."""
    counts: defaultdict[str, int] = defaultdict(int, totals)
    return (
        f"{counts['sent']} sent, {counts['failed']} failed, "
        f"{counts['retry'] + counts['busy']} to retry"
    )
