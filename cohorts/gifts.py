"""Use cases of the gift exchange: offer, ask, take up, give, receive, thank, withdraw, edit."""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, exists, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import exchange
from .board import my_cohort
from .cohort_service import published_cohort_of
from .errors import DomainError, Forbidden, NotFound
from .exchange import GiftClosed
from .models import (
    GIFT_KINDS,
    Cohort,
    Exchange,
    ExchangeSettings,
    Gift,
    GiftEdit,
    ModerationCase,
    Post,
)
from .notifications import notify
from .profiles import normalise_tags

MAX_BODY = 4000


def exchange_settings(session: Session, course_id: int) -> ExchangeSettings:
    """Return the course's exchange settings, creating the defaults on first use."""
    query = select(ExchangeSettings).where(ExchangeSettings.course_id == course_id)
    row = session.scalars(query).one_or_none()
    if row is None:
        row = ExchangeSettings(
            course_id=course_id,
            course_wide=False,
            weekly_cap=10,
            report_threshold=2,
            post_limit=20,
            post_window_minutes=10,
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            row = session.scalars(query).one()
    return row


def save_exchange_settings(
    session: Session, course_id: int, *, course_wide: bool, weekly_cap: int, report_threshold: int
) -> ExchangeSettings:
    """Store the course's exchange settings once they are in range."""
    if not 1 <= weekly_cap <= 100:
        raise DomainError("The weekly cap goes from 1 to 100.")
    if not 1 <= report_threshold <= 20:
        raise DomainError("Reports needed to hide go from 1 to 20.")
    row = exchange_settings(session, course_id)
    row.course_wide, row.weekly_cap, row.report_threshold = (
        course_wide,
        weekly_cap,
        report_threshold,
    )
    session.flush()
    return row


def not_hidden(target_type: str, id_column: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL condition: the item is not hidden for review nor removed."""
    return ~exists().where(
        ModerationCase.target_type == target_type,
        ModerationCase.target_id == id_column,
        ModerationCase.state.in_(("hidden", "removed")),
    )


def visible_to(
    course_id: int, cohort_id: int | None, course_wide: bool, person_id: int | None = None
) -> ColumnElement[bool]:
    """SQL condition for gifts a member may see: their cohort's, or the course's when enabled."""
    where = [Gift.cohort_id == cohort_id] if cohort_id is not None else []
    if course_wide:
        where.append(Gift.scope == "course")
    shown = and_(or_(*where) if where else Gift.id.is_(None), not_hidden("gift", Gift.id))
    if person_id is not None:
        shown = or_(shown, Gift.author_id == person_id)
    return and_(Gift.course_id == course_id, shown)


def get_gift(
    session: Session, course_id: int, person_id: int, gift_id: int, staff: bool = False
) -> Gift:
    """Return a gift the person may see in this course, or raise NotFound."""
    query = select(Gift).where(Gift.id == gift_id, Gift.course_id == course_id)
    if not staff:
        cohort = published_cohort_of(session, course_id, person_id)
        settings = exchange_settings(session, course_id)
        query = query.where(
            visible_to(course_id, cohort.id if cohort else None, settings.course_wide, person_id)
        )
    gift = session.scalars(query).one_or_none()
    if gift is None:
        raise NotFound("That gift is not in your cohort or course.")
    return gift


def check_post_rate(
    session: Session, course_id: int, person_id: int, settings: ExchangeSettings, now: datetime
) -> None:
    """Refuse posting when the person posted too often lately, counted in the database."""
    since = now - timedelta(minutes=settings.post_window_minutes)
    gifts = (
        session.scalar(
            select(func.count(Gift.id)).where(
                Gift.author_id == person_id, Gift.course_id == course_id, Gift.created_at >= since
            )
        )
        or 0
    )
    posts = (
        session.scalar(
            select(func.count(Post.id))
            .join(Cohort, Cohort.id == Post.cohort_id)
            .where(
                Post.author_id == person_id, Cohort.course_id == course_id, Post.created_at >= since
            )
        )
        or 0
    )
    exchange.check_rate(gifts + posts, settings.post_limit, settings.post_window_minutes)


def _check_text(title: str, body: str) -> tuple[str, str]:
    title, body = " ".join(title.split()), body.strip()
    if not 3 <= len(title) <= 120:
        raise DomainError("Use 3 to 120 characters for the title.")
    if len(body) > MAX_BODY:
        raise DomainError(f"Keep the text under {MAX_BODY} characters; it has {len(body)}.")
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
        iso_week=exchange.iso_week(now),
        created_at=now,
        updated_at=now,
    )
    session.add(gift)
    session.flush()
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


def _state(gift: Gift, now: datetime) -> str:
    return exchange.gift_state(gift.status, gift.ends_at, gift.taken, gift.capacity, now)


def take_up(
    session: Session, course_id: int, person_id: int, gift_id: int, now: datetime
) -> Exchange:
    """Claim an offer or answer an ask; the database keeps two people off the last place."""
    gift = get_gift(session, course_id, person_id, gift_id)
    exchange.check_take_up(person_id, gift.author_id, _state(gift, now), gift.direction)
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
                Exchange.claimed_at >= exchange.week_start(now),
            )
        )
        or 0
    )
    exchange.check_weekly_cap(this_week, settings.weekly_cap)
    # Conditional update: only one of two racing requests can move the counter to capacity.
    seat = session.execute(
        update(Gift)
        .where(
            Gift.id == gift.id,
            Gift.status == "open",
            or_(Gift.capacity.is_(None), Gift.taken < Gift.capacity),
        )
        .values(taken=Gift.taken + 1)
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
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:
        raise GiftClosed("Someone took this place at the same moment; please try again.") from error
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


def get_exchange(session: Session, course_id: int, person_id: int, exchange_id: int) -> Exchange:
    """Return an exchange the person takes part in, or raise NotFound."""
    row = session.scalars(
        select(Exchange).where(
            Exchange.id == exchange_id,
            Exchange.course_id == course_id,
            or_(Exchange.giver_id == person_id, Exchange.receiver_id == person_id),
        )
    ).one_or_none()
    if row is None:
        raise NotFound("That exchange is not one of yours.")
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
    now: datetime,
) -> Exchange:
    """Mark given, confirm received (optionally thanking), or thank, if the rules allow it."""
    row = get_exchange(session, course_id, person_id, exchange_id)
    role = "giver" if row.giver_id == person_id else "receiver"
    gift = session.get_one(Gift, row.gift_id)
    row.status = exchange.next_status(row.status, action, role, _state(gift, now))
    note = " ".join(note.split())
    if len(note) > 280:
        raise DomainError("Keep your thank-you note under 280 characters.")
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
            f"{row.giver.display_name} marked “{gift.title}” as given. Confirm when you have it.",
            gift_id=gift.id,
            now=now,
        )
    elif action == "receive":
        row.received_at = now
    if action in ("receive", "thank"):
        row.helpfulness = helpfulness if helpfulness is not None else row.helpfulness
        if note:
            row.thanks_note, row.status = note, "thanked"
            who = (
                "A classmate"
                if gift.anonymous and gift.author_id == row.receiver_id
                else row.receiver.display_name
            )
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
    return row


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
