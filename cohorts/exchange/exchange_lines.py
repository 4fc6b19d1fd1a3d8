"""A learner's exchanges as their list shows them, read in one statement."""

from dataclasses import dataclass

from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session, aliased

from cohorts.db import core_rows
from cohorts.models import Exchange, Gift, Person
from cohorts.models.people import display_name_of


@dataclass(frozen=True, slots=True)
class Named:
    """Someone an exchange line names."""

    id: int
    display_name: str


@dataclass(frozen=True, slots=True)
class LineGift:
    """What an exchange line shows of its gift."""

    title: str
    anonymous: bool
    author_id: int


@dataclass(frozen=True, slots=True)
class ExchangeLine:
    """One of a learner's exchanges as their list shows it, read in one statement."""

    id: int
    gift_id: int
    giver_id: int
    receiver_id: int
    status: str
    thanks_note: str | None
    gift: LineGift
    giver: Named
    receiver: Named


_GIVER, _RECEIVER = aliased(Person), aliased(Person)
#: A person's exchanges with their gifts and both people, in one statement built once.
_MY_EXCHANGES = (
    select(
        Exchange.id,
        Exchange.gift_id,
        Exchange.giver_id,
        Exchange.receiver_id,
        Exchange.status,
        Exchange.thanks_note,
        Gift.title,
        Gift.anonymous,
        Gift.author_id,
        _GIVER.name,
        _GIVER.given_name,
        _GIVER.family_name,
        _GIVER.chosen_name,
        _RECEIVER.name,
        _RECEIVER.given_name,
        _RECEIVER.family_name,
        _RECEIVER.chosen_name,
    )
    .join(Gift, and_(Gift.id == Exchange.gift_id, Gift.course_id == Exchange.course_id))
    .join(_GIVER, _GIVER.id == Exchange.giver_id)
    .join(_RECEIVER, _RECEIVER.id == Exchange.receiver_id)
    .where(
        Exchange.course_id == bindparam("course_id"),
        or_(
            Exchange.giver_id == bindparam("person_id"),
            Exchange.receiver_id == bindparam("person_id"),
        ),
    )
    .order_by(Exchange.claimed_at.desc(), Exchange.id.desc())
)


def my_exchanges(session: Session, course_id: int, person_id: int) -> list[ExchangeLine]:
    """Return the exchanges the person gives or receives in, newest first."""
    rows = core_rows(session, _MY_EXCHANGES, {"course_id": course_id, "person_id": person_id})
    return [
        ExchangeLine(
            row[0],
            row[1],
            giver_id,
            receiver_id,
            row[4],
            row[5],
            LineGift(row[6], row[7], row[8]),
            Named(giver_id, display_name_of(giver_id, *row[9:13])),
            Named(receiver_id, display_name_of(receiver_id, *row[13:17])),
        )
        for row in rows
        for giver_id, receiver_id in [(row[2], row[3])]
    ]
