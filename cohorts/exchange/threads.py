"""The conversation of one exchange: its giver and receiver write, read, and see what is new.

Each exchange (one giver, one receiver, so each taker of an offer separately) has its own
thread. Only its two people read it, and staff of the course; an anonymous asker stays "a
classmate" to the helper. Messages count toward the posting rate, a thread holds a bounded
number of them, and reported or hidden messages leave the thread for learners.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from cohorts.activity.events import record_activity
from cohorts.db import core_rows
from cohorts.errors import DomainError, NotFound
from cohorts.exchange import rules
from cohorts.exchange.notifications import notify
from cohorts.exchange.rules import GiftClosed
from cohorts.exchange.settings import check_post_rate, exchange_settings
from cohorts.exchange.visibility import get_exchange, get_gift, not_hidden
from cohorts.limits import MESSAGE_BODY_MAX, THREAD_MESSAGES_MAX
from cohorts.models import Exchange, ExchangeMessage, Gift, ModerationCase


@dataclass(frozen=True, slots=True)
class MessageView:
    """A message as one reader may see it."""

    message: ExchangeMessage
    author: str
    mine: bool
    #: "" when shown; "hidden" (waiting for staff) or "removed", for staff and placeholders.
    moderation: str
    unread: bool


def open_exchange(
    session: Session, course_id: int, person_id: int, exchange_id: int, staff: bool = False
) -> Exchange:
    """Return an exchange whose thread the person may read: theirs (and its gift still
    visible to them), or any of the course's for staff; otherwise raise NotFound."""
    if staff:
        row = session.scalars(
            select(Exchange).where(Exchange.id == exchange_id, Exchange.course_id == course_id)
        ).one_or_none()
        if row is None:
            raise NotFound("That exchange is not in this course.")
        return row
    row = get_exchange(session, course_id, person_id, exchange_id)
    gift = get_gift(session, course_id, person_id, row.gift_id)  # a hidden gift hides its threads
    # The exchange keeps the gift just read, so neither the page nor the thread reads it again.
    set_committed_value(row, "gift", gift)
    return row


def name_for(gift: Gift, author_id: int, name: str, viewer_id: int, staff: bool) -> str:
    """Name a message's author to a reader: "You", "A classmate" for an anonymous asker."""
    if author_id == viewer_id:
        return "You"
    if rules.hides_asker(gift.anonymous, gift.author_id, author_id, viewer_id, staff):
        return "A classmate"
    return name


def check_body(body: str) -> str:
    """Return the message text trimmed, or refuse an empty or overlong one."""
    body = body.strip()
    if not body:
        raise DomainError("Write a message before sending.")
    if len(body) > MESSAGE_BODY_MAX:
        raise DomainError(
            f"Keep a message under {MESSAGE_BODY_MAX} characters; it has {len(body)}."
        )
    return body


def post_message(
    session: Session,
    course_id: int,
    person_id: int,
    exchange_id: int,
    body: str,
    now: datetime,
    tell: bool = True,
) -> ExchangeMessage:
    """Write in an exchange's thread and tell the other person (unless the caller's own
    notice does: ``tell``); rate and size caps apply."""
    row = open_exchange(session, course_id, person_id, exchange_id)
    if row.status == "withdrawn":
        raise GiftClosed("This exchange was withdrawn, so its conversation is closed.")
    body = check_body(body)
    check_post_rate(session, course_id, person_id, exchange_settings(session, course_id), now)
    # Both people may write at once: the row lock makes them count and add one at a time.
    session.execute(select(Exchange.id).where(Exchange.id == row.id).with_for_update())
    count = session.scalar(
        select(func.count(ExchangeMessage.id)).where(ExchangeMessage.exchange_id == row.id)
    )
    if (count or 0) >= THREAD_MESSAGES_MAX:
        raise DomainError(
            f"This conversation has reached {THREAD_MESSAGES_MAX} messages. "
            "Carry on on your cohort board, or start a new offer or ask."
        )
    message = ExchangeMessage(
        course_id=course_id, exchange_id=row.id, author_id=person_id, body=body, created_at=now
    )
    session.add(message)
    _read(row, person_id, now)
    session.flush()
    gift = session.get_one(Gift, row.gift_id)
    other = row.receiver_id if person_id == row.giver_id else row.giver_id
    writer = row.giver if person_id == row.giver_id else row.receiver
    if tell:
        who = name_for(gift, person_id, writer.display_name, other, staff=False)
        notify(
            session,
            course_id,
            other,
            "message",
            f"{who} wrote to you about “{gift.title}”.",
            gift_id=gift.id,
            now=now,
        )
    record_activity(session, course_id, person_id, "post", now, cohort_id=gift.cohort_id)
    return message


def _read(row: Exchange, person_id: int, now: datetime) -> None:
    if person_id == row.giver_id:
        row.giver_read_at = now
    elif person_id == row.receiver_id:
        row.receiver_read_at = now


def mark_read(session: Session, row: Exchange, person_id: int, now: datetime) -> None:
    """Note that the person has seen everything in the thread so far."""
    _read(row, person_id, now)
    session.flush()


def _states(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return dict(
        session.execute(
            select(ModerationCase.target_id, ModerationCase.state).where(
                ModerationCase.target_type == "message",
                ModerationCase.target_id.in_(ids),
                ModerationCase.state.in_(("hidden", "removed")),
            )
        ).all()
    )


def thread(
    session: Session, row: Exchange, viewer_id: int, staff: bool = False
) -> list[MessageView]:
    """Return the thread oldest first; learners get no removed messages and no hidden text."""
    gift = session.get_one(Gift, row.gift_id)
    messages = session.scalars(
        select(ExchangeMessage)
        .where(ExchangeMessage.exchange_id == row.id)
        .options(selectinload(ExchangeMessage.author))
        .order_by(ExchangeMessage.created_at, ExchangeMessage.id)
    ).all()
    states = _states(session, [m.id for m in messages])
    seen = row.giver_read_at if viewer_id == row.giver_id else row.receiver_read_at
    views = []
    for message in messages:
        state = states.get(message.id, "")
        if state == "removed" and not staff:
            continue
        mine = message.author_id == viewer_id
        views.append(
            MessageView(
                message,
                name_for(gift, message.author_id, message.author.display_name, viewer_id, staff),
                mine,
                state,
                not mine and not staff and (seen is None or message.created_at > seen),
            )
        )
    return views


def _unread_counts() -> Select[tuple[int, int]]:
    person = bindparam("person_id")
    mine = or_(
        and_(
            Exchange.giver_id == person,
            or_(
                Exchange.giver_read_at.is_(None),
                ExchangeMessage.created_at > Exchange.giver_read_at,
            ),
        ),
        and_(
            Exchange.receiver_id == person,
            or_(
                Exchange.receiver_read_at.is_(None),
                ExchangeMessage.created_at > Exchange.receiver_read_at,
            ),
        ),
    )
    return (
        select(ExchangeMessage.exchange_id, func.count(ExchangeMessage.id))
        .join(Exchange, Exchange.id == ExchangeMessage.exchange_id)
        .where(
            Exchange.course_id == bindparam("course_id"),
            ExchangeMessage.author_id != person,
            mine,
            not_hidden("message", ExchangeMessage.id),
        )
        .group_by(ExchangeMessage.exchange_id)
    )


#: Built once: the exchange page and a gift's page count unread messages on every visit.
_UNREAD_COUNTS = _unread_counts()


def unread_counts(session: Session, course_id: int, person_id: int) -> dict[int, int]:
    """Count, per exchange of the person, the other's shown messages they have not opened."""
    rows = core_rows(session, _UNREAD_COUNTS, {"course_id": course_id, "person_id": person_id})
    return {exchange_id: count for exchange_id, count in rows}


def message_counts(session: Session, exchange_ids: Sequence[int]) -> dict[int, int]:
    """Count every message per exchange (staff lists), in one query."""
    if not exchange_ids:
        return {}
    return dict(
        session.execute(
            select(ExchangeMessage.exchange_id, func.count(ExchangeMessage.id))
            .where(ExchangeMessage.exchange_id.in_(exchange_ids))
            .group_by(ExchangeMessage.exchange_id)
        ).all()
    )


def find_message(
    session: Session, course_id: int, person_id: int, message_id: int, staff: bool
) -> tuple[ExchangeMessage, Exchange, Gift]:
    """Return a message the person may see (in one of their threads, or staff's course)."""
    query = (
        select(ExchangeMessage, Exchange)
        .join(Exchange, Exchange.id == ExchangeMessage.exchange_id)
        .where(ExchangeMessage.id == message_id, ExchangeMessage.course_id == course_id)
    )
    if not staff:
        query = query.where(
            or_(Exchange.giver_id == person_id, Exchange.receiver_id == person_id),
            not_hidden("message", ExchangeMessage.id),
        )
    found = session.execute(query).one_or_none()
    if found is None:
        raise NotFound("That message is not in one of your conversations.")
    message, row = found
    gift = (
        session.get_one(Gift, row.gift_id)
        if staff
        else get_gift(session, course_id, person_id, row.gift_id)
    )
    return message, row, gift
