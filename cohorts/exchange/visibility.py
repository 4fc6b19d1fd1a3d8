"""Which gifts a person may see and act on; hidden content stays hidden everywhere."""

from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from cohorts.errors import NotFound
from cohorts.exchange.settings import exchange_settings
from cohorts.membership import published_cohort_of
from cohorts.models import (
    Exchange,
    Gift,
    ModerationCase,
)


def not_hidden(target_type: str, id_column: ColumnElement[int]) -> ColumnElement[bool]:
    """SQL condition: the item is not hidden for review nor removed."""
    return ~exists().where(
        ModerationCase.target_type == target_type,
        ModerationCase.target_id == id_column,
        ModerationCase.state.in_(("hidden", "removed")),
    )


def visible_to(
    course_id: int | ColumnElement[int],
    cohort_id: int | ColumnElement[int] | None,
    course_wide: bool,
    person_id: int | ColumnElement[int] | None = None,
) -> ColumnElement[bool]:
    """SQL condition for gifts a member may see: their cohort's, or the course's when enabled.

    The ids may be bound parameters, for statements built once."""
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
