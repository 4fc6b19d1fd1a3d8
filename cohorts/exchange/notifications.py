"""In-app notices: your offer was claimed, your ask answered, you were thanked."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.orm import Session

from cohorts.db import core_rows
from cohorts.models import Notification

#: Built once: every learner page counts unread notices.
_UNREAD = select(func.count(Notification.id)).where(
    Notification.course_id == bindparam("course_id"),
    Notification.person_id == bindparam("person_id"),
    Notification.read_at.is_(None),
)


def notify(
    session: Session,
    course_id: int,
    person_id: int,
    kind: str,
    text: str,
    *,
    gift_id: int | None,
    now: datetime,
) -> Notification:
    """Leave a notice for one person in one course."""
    notice = Notification(
        course_id=course_id,
        person_id=person_id,
        kind=kind,
        text=text[:500],
        gift_id=gift_id,
        created_at=now,
    )
    session.add(notice)
    session.flush()
    return notice


def unread_count(session: Session, course_id: int, person_id: int) -> int:
    """Count the person's unread notices in this course."""
    params = {"course_id": course_id, "person_id": person_id}
    return core_rows(session, _UNREAD, params).scalar() or 0


#: What a notice shows, as plain rows: the page marks them read and commits before it renders,
#: and ORM objects would then be read again from the database one by one.
_RECENT = (
    select(
        Notification.id,
        Notification.kind,
        Notification.text,
        Notification.gift_id,
        Notification.created_at,
        Notification.read_at,
    )
    .where(
        Notification.course_id == bindparam("course_id"),
        Notification.person_id == bindparam("person_id"),
    )
    .order_by(Notification.created_at.desc(), Notification.id.desc())
    .limit(bindparam("limit"))
)


def recent(session: Session, course_id: int, person_id: int, limit: int = 50) -> Sequence[Row]:
    """Return the person's latest notices, newest first (id, kind, text, gift, when, read)."""
    params = {"course_id": course_id, "person_id": person_id, "limit": limit}
    return core_rows(session, _RECENT, params).all()


def mark_read(session: Session, course_id: int, person_id: int, now: datetime) -> int:
    """Mark every unread notice of the person as read; return how many changed."""
    result = session.execute(
        update(Notification)
        .where(
            Notification.course_id == course_id,
            Notification.person_id == person_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
