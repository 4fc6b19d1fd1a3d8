"""Use cases of the gift exchange: offer, ask, take up, give, receive, thank, withdraw, edit."""

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cohorts.activity.events import record_activity
from cohorts.errors import DomainError, Forbidden
from cohorts.exchange import rules
from cohorts.exchange.rules import GiftClosed
from cohorts.exchange.settings import check_post_rate, exchange_settings
from cohorts.exchange.visibility import get_gift
from cohorts.limits import GIFT_BODY_MAX, TITLE
from cohorts.membership import my_cohort
from cohorts.models import (
    GIFT_KINDS,
    Exchange,
    Gift,
    GiftEdit,
)
from cohorts.profiles import normalise_tags


def _check_text(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join(title.split()), body.strip()
    if len(title) not in TITLE:
        raise DomainError(f"Use {TITLE.low} to {TITLE.high} characters for the title.")
    if len(body) > GIFT_BODY_MAX:
        raise DomainError(f"Keep the text under {GIFT_BODY_MAX} characters; it has {len(body)}.")
    return title, body


def _new_gift(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    direction: str,
    kind: str,
    title: str,
    body: str,
    tags: str,
    capacity: int | None,
    ends_at: datetime | None,
    anonymous: bool,
    course_wide: bool,
    now: datetime,
) -> Gift:
    cohort = my_cohort(session, course_id, person_id)
    settings = exchange_settings(session, course_id)
    if kind not in GIFT_KINDS:
        raise DomainError("Choose a kind of help from the list.")
    if course_wide and not settings.course_wide:
        raise Forbidden("This course keeps gifts within cohorts.")
    if capacity is not None and not 1 <= capacity <= 50:
        raise DomainError("Places go from 1 to 50.")
    if ends_at is not None and ends_at <= now:
        raise DomainError("Choose a date in the future.")
    title, body = _check_text(title, body)
    check_post_rate(session, course_id, person_id, settings, now)
    gift = Gift(
        course_id=course_id,
        cohort_id=cohort.id,
        author_id=person_id,
        direction=direction,
        kind=kind,
        title=title,
        body=body,
        tags=",".join(normalise_tags(tags, "tags")),
        capacity=capacity,
        taken=0,
        ends_at=ends_at,
        anonymous=anonymous,
        scope="course" if course_wide else "cohort",
        status="open",
        iso_week=rules.iso_week(now),
        created_at=now,
        updated_at=now,
    )
    session.add(gift)
    session.flush()
    record_activity(session, course_id, person_id, direction, now, cohort_id=cohort.id)
    return gift


def offer_gift(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    kind: str,
    title: str,
    body: str,
    tags: str,
    capacity: int | None,
    ends_at: datetime | None,
    course_wide: bool,
    now: datetime,
) -> Gift:
    """Offer help to the cohort (or the course); ``capacity`` None means as many as like."""
    return _new_gift(
        session,
        course_id,
        person_id,
        direction="offer",
        kind=kind,
        title=title,
        body=body,
        tags=tags,
        capacity=capacity,
        ends_at=ends_at,
        anonymous=False,
        course_wide=course_wide,
        now=now,
    )


def ask_for_help(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    kind: str,
    title: str,
    body: str,
    tags: str,
    needed_by: datetime | None,
    anonymous: bool,
    course_wide: bool,
    now: datetime,
) -> Gift:
    """Ask the cohort (or the course) for help; one classmate can answer it."""
    return _new_gift(
        session,
        course_id,
        person_id,
        direction="ask",
        kind=kind,
        title=title,
        body=body,
        tags=tags,
        capacity=1,
        ends_at=needed_by,
        anonymous=anonymous,
        course_wide=course_wide,
        now=now,
    )


def withdraw_gift(
    session: Session, course_id: int, person_id: int, gift_id: int, now: datetime
) -> Gift:
    """Withdraw your own gift; exchanges not yet given are withdrawn with it."""
    gift = get_gift(session, course_id, person_id, gift_id)
    if gift.author_id != person_id:
        raise Forbidden("Only its author can withdraw this.")
    if gift.status == "withdrawn":
        raise GiftClosed("This is already withdrawn.")
    gift.status, gift.updated_at = "withdrawn", now
    session.execute(
        update(Exchange)
        .where(Exchange.gift_id == gift.id, Exchange.status == "claimed")
        .values(status="withdrawn")
        .execution_options(synchronize_session="fetch")
    )
    session.flush()
    return gift


def edit_gift(
    session: Session,
    course_id: int,
    person_id: int,
    gift_id: int,
    *,
    title: str,
    body: str,
    now: datetime,
) -> Gift:
    """Change your gift's title and text, keeping what it said before."""
    gift = get_gift(session, course_id, person_id, gift_id)
    if gift.author_id != person_id:
        raise Forbidden("Only its author can edit this.")
    if gift.status == "withdrawn":
        raise GiftClosed("This was withdrawn; it can no longer be edited.")
    title, body = _check_text(title, body)
    session.add(
        GiftEdit(
            gift_id=gift.id,
            editor_id=person_id,
            previous_title=gift.title,
            previous_body=gift.body,
            edited_at=now,
        )
    )
    gift.title, gift.body, gift.updated_at = title, body, now
    session.flush()
    return gift


def edits_of(session: Session, gift_id: int) -> list[GiftEdit]:
    """Return a gift's earlier versions, newest first."""
    return list(
        session.scalars(
            select(GiftEdit)
            .where(GiftEdit.gift_id == gift_id)
            .order_by(GiftEdit.edited_at.desc(), GiftEdit.id.desc())
        )
    )
