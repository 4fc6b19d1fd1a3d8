"""What Communitas keeps about one person, a full export of it, and erasure on request."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import Session

from cohorts.db import core_rows
from cohorts.errors import DomainError, NotFound
from cohorts.models import (
    ActivityEvent,
    Choice,
    Course,
    Enrolment,
    Exchange,
    ExchangeMessage,
    Gift,
    GiftEdit,
    Membership,
    MembershipEnd,
    Notification,
    Person,
    Post,
    Profile,
    Report,
    ScorePost,
)

ERASED = "[removed at the author's request]"
#: Each kind of record, what it holds, and the rows of a person it counts.
RECORDS = (
    (
        "Course enrolments",
        "your role, when you last opened Communitas, whether the course roster lists you",
        Enrolment.person_id,
    ),
    ("Challenge picks", "which challenges you picked, in your order", Choice.person_id),
    ("Profile", "time zone, free hours, what you offer and need", Profile.person_id),
    ("Cohort memberships", "which cohort you are in and since when", Membership.person_id),
    (
        "Ended cohort places",
        "cohorts you were in before leaving the course, with dates",
        MembershipEnd.person_id,
    ),
    ("Board messages", "what you wrote on your cohort's board", Post.author_id),
    ("Offers and asks", "the gifts you offered or asked for", Gift.author_id),
    ("Gifts given", "gifts you gave, with dates", Exchange.giver_id),
    ("Gifts received", "gifts you received, with dates and thank-you notes", Exchange.receiver_id),
    (
        "Exchange messages",
        "what you wrote in the conversations of your exchanges",
        ExchangeMessage.author_id,
    ),
    ("Reports", "items you reported to staff, with your reason", Report.reporter_id),
    ("Notices", "messages Communitas showed you", Notification.person_id),
    (
        "Activity",
        "when you opened pages or took a step (kind and time only, never content)",
        ActivityEvent.person_id,
    ),
    (
        "Participation scores",
        "scores sent to your course's gradebook, when, and what the platform answered",
        ScorePost.person_id,
    ),
)


@dataclass(frozen=True, slots=True)
class Record:
    """One kind of record kept about a person, and how many rows of it."""

    label: str
    holds: str
    count: int


def find_person(session: Session, issuer: str, sub: str) -> Person:
    """Return the person a platform knows by ``sub``, or raise NotFound."""
    found = session.scalars(
        select(Person).where(Person.issuer == issuer.rstrip("/"), Person.sub == sub)
    ).all()
    if not found:
        raise NotFound(f"No person {sub} from {issuer}.")
    if len(found) > 1:  # one issuer, several registrations: each keeps its own people
        raise DomainError(f"{sub} is known to {len(found)} registrations of {issuer}.")
    return found[0]


#: Every kind's count in one statement, built once: each count is a subquery on its own index.
_COUNTS = select(
    *(
        select(func.count()).where(column == bindparam("person_id")).scalar_subquery()
        for _, _, column in RECORDS
    )
)


def records_of(session: Session, person_id: int) -> list[Record]:
    """Count every kind of record kept about one person, all in one statement."""
    counts = core_rows(session, _COUNTS, {"person_id": person_id}).one()
    return [
        Record(label, holds, count or 0)
        for (label, holds, _), count in zip(RECORDS, counts, strict=True)
    ]


def _rows(session: Session, model: Any, column: Any, person_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(model).where(column == person_id)).all()
    return [{c.name: _plain(getattr(row, c.key)) for c in model.__table__.columns} for row in rows]


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def export_person(session: Session, issuer: str, sub: str) -> dict[str, Any]:
    """Return everything kept about one person as plain JSON-ready data."""
    person = find_person(session, issuer, sub)
    data: dict[str, Any] = {"person": _rows(session, Person, Person.id, person.id)[0]}
    for label, _, column in RECORDS:
        data[label] = _rows(session, column.class_, column, person.id)
    courses = select(Enrolment.course_id).where(Enrolment.person_id == person.id)
    data["courses"] = [
        {"id": c.id, "title": c.title, "context_id": c.context_id}
        for c in session.scalars(select(Course).where(Course.id.in_(courses)))
    ]
    return data


def erase_person(session: Session, issuer: str, sub: str, now: datetime) -> int:
    """Replace the person's writing with a placeholder and drop personal fields; keep counts."""
    person = find_person(session, issuer, sub)
    pid = person.id
    session.execute(update(Post).where(Post.author_id == pid).values(body=ERASED))
    session.execute(
        update(Gift).where(Gift.author_id == pid).values(title=ERASED, body="", tags="")
    )
    own_gifts = select(Gift.id).where(Gift.author_id == pid)
    session.execute(
        update(GiftEdit)
        .where(GiftEdit.gift_id.in_(own_gifts))
        .values(previous_title=ERASED, previous_body="")
    )
    session.execute(update(Exchange).where(Exchange.receiver_id == pid).values(thanks_note=None))
    session.execute(
        update(ExchangeMessage).where(ExchangeMessage.author_id == pid).values(body=ERASED)
    )
    session.execute(
        update(Profile)
        .where(Profile.person_id == pid)
        .values(time_zone=None, availability="", offers="", needs="", updated_at=now)
    )
    session.execute(update(Report).where(Report.reporter_id == pid).values(reason=ERASED))
    session.execute(update(Notification).where(Notification.person_id == pid).values(text=ERASED))
    person.name = person.given_name = person.family_name = person.email = None
    person.chosen_name = None
    person.sub = f"erased-{pid}"
    session.flush()
    return pid
