"""An exchange's steps: take up a gift, then give, receive and thank."""

from datetime import datetime

from sqlalchemy import case, func, literal, or_, select, update
from sqlalchemy.orm import Session

from cohorts.activity.events import record_activity
from cohorts.db import unique_or
from cohorts.errors import DomainError
from cohorts.exchange import rules, tally, threads
from cohorts.exchange.notifications import notify
from cohorts.exchange.rules import GiftClosed
from cohorts.exchange.settings import exchange_settings
from cohorts.exchange.visibility import get_exchange, get_gift
from cohorts.limits import THANKS_NOTE_MAX
from cohorts.models import (
    Exchange,
    Gift,
    UTCDateTime,
)


def _state(gift: Gift, now: datetime) -> str:
    return rules.gift_state(gift.status, gift.ends_at, gift.taken, gift.capacity, now)


def take_up(
    session: Session, course_id: int, person_id: int, gift_id: int, now: datetime
) -> Exchange:
    """Claim an offer or answer an ask; the database keeps two people off the last place."""
    gift = get_gift(session, course_id, person_id, gift_id)
    rules.check_take_up(person_id, gift.author_id, _state(gift, now), gift.direction)
    mine = session.scalar(
        select(func.count(Exchange.id)).where(
            Exchange.gift_id == gift.id, Exchange.claimed_by_id == person_id
        )
    )
    if mine:
        raise GiftClosed("You already took this up.")
    settings = exchange_settings(session, course_id)
    this_week = (
        session.scalar(
            select(func.count(Exchange.id)).where(
                Exchange.course_id == course_id,
                Exchange.claimed_by_id == person_id,
                Exchange.claimed_at >= rules.week_start(now),
            )
        )
        or 0
    )
    rules.check_weekly_cap(this_week, settings.weekly_cap)
    # Conditional update: only one of two racing requests can move the counter to capacity.
    seat = session.execute(
        update(Gift)
        .where(
            Gift.id == gift.id,
            Gift.status == "open",
            or_(Gift.capacity.is_(None), Gift.taken < Gift.capacity),
        )
        .values(
            taken=Gift.taken + 1,
            first_taken_at=case(
                (
                    or_(Gift.first_taken_at.is_(None), Gift.first_taken_at > now),
                    literal(now, UTCDateTime()),
                ),
                else_=Gift.first_taken_at,
            ),
        )
        .returning(Gift.taken)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if seat is None:
        raise GiftClosed("Every place on this was just taken.")
    session.expire(gift, ["taken"])
    giver, receiver = (
        (gift.author_id, person_id) if gift.direction == "offer" else (person_id, gift.author_id)
    )
    row = Exchange(
        gift_id=gift.id,
        course_id=course_id,
        seat=seat,
        giver_id=giver,
        receiver_id=receiver,
        claimed_by_id=person_id,
        status="claimed",
        claimed_at=now,
    )
    taken = GiftClosed("Someone took this place at the same moment; please try again.")
    with unique_or(session, taken):
        session.add(row)
    took = "claim" if gift.direction == "offer" else "answer"
    record_activity(session, course_id, person_id, took, now)
    kind, verb = (
        ("claimed", "claimed your offer")
        if gift.direction == "offer"
        else ("answered", "offered to answer your ask")
    )
    notify(
        session,
        course_id,
        gift.author_id,
        kind,
        f"{row.giver.display_name if kind == 'answered' else row.receiver.display_name} "
        f"{verb} “{gift.title}”.",
        gift_id=gift.id,
        now=now,
    )
    return row


def step(
    session: Session,
    course_id: int,
    person_id: int,
    exchange_id: int,
    action: str,
    *,
    note: str = "",
    helpfulness: int | None = None,
    help_text: str = "",
    now: datetime,
) -> Exchange:
    """Mark given (the help itself may come along as a message), confirm received
    (optionally thanking), or thank, if the rules allow it."""
    row = get_exchange(session, course_id, person_id, exchange_id)
    role = "giver" if row.giver_id == person_id else "receiver"
    gift = session.get_one(Gift, row.gift_id)
    # Lock the row and read its status afresh: of two racing steps only one moves it, and the
    # finished-exchange tally counts it once.
    before = session.scalar(select(Exchange.status).where(Exchange.id == row.id).with_for_update())
    status = rules.next_status(before or row.status, action, role, _state(gift, now))
    if action == "give" and help_text.strip():
        threads.post_message(session, course_id, person_id, row.id, help_text, now, tell=False)
    row.status = status
    note = " ".join(note.split())
    if len(note) > THANKS_NOTE_MAX:
        raise DomainError(f"Keep your thank-you note under {THANKS_NOTE_MAX} characters.")
    if action == "thank" and not note:
        raise DomainError("Write a short thank-you note.")
    if helpfulness is not None and not 1 <= helpfulness <= 5:
        raise DomainError("Helpfulness goes from 1 to 5.")
    if action == "give":
        row.given_at = now
        notify(
            session,
            course_id,
            row.receiver_id,
            "given",
            f"{row.giver.display_name} marked “{gift.title}” as given"
            f"{' and wrote to you' if help_text.strip() else ''}. "
            "Confirm you received it when you have it.",
            gift_id=gift.id,
            now=now,
        )
    elif action == "receive":
        row.received_at = now
    if action in ("receive", "thank"):
        row.helpfulness = helpfulness if helpfulness is not None else row.helpfulness
        if note:
            row.thanks_note, row.status = note, "thanked"
            hidden = rules.hides_asker(
                gift.anonymous, gift.author_id, row.receiver_id, row.giver_id
            )
            who = "A classmate" if hidden else row.receiver.display_name
            notify(
                session,
                course_id,
                row.giver_id,
                "thanked",
                f"{who} thanked you for “{gift.title}”: {note}",
                gift_id=gift.id,
                now=now,
            )
    session.flush()
    tally.moved(session, course_id, row.giver_id, row.receiver_id, before, row.status)
    if action in ("give", "receive", "thank"):
        record_activity(session, course_id, person_id, action, now)
    return row
