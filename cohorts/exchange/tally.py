"""Each person's finished exchanges, given and received, kept with every status change.

The counts move by atomic upserts (``n = n + 1`` in the database), never by reading and
writing back, so concurrent steps on PostgreSQL cannot lose one.
"""

from sqlalchemy import delete, func, insert, literal, select, union_all, update
from sqlalchemy.orm import Session

from cohorts.db import conflict_insert
from cohorts.exchange.rules import DONE
from cohorts.models import Exchange, ExchangeTally, Gift

T = ExchangeTally


def _add(session: Session, course_id: int, person_id: int, gave: int, received: int) -> None:
    connection = session.connection()
    statement = conflict_insert(connection.dialect.name)(T).values(
        course_id=course_id, person_id=person_id, gave=max(gave, 0), received=max(received, 0)
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["course_id", "person_id"],
            set_={"gave": T.gave + gave, "received": T.received + received},
        )
    )


def moved(
    session: Session,
    course_id: int,
    giver_id: int,
    receiver_id: int,
    before: str | None,
    after: str,
) -> None:
    """Count an exchange that entered (or left) the finished statuses, for both people."""
    step = (after in DONE) - (before in DONE)
    if step:
        _add(session, course_id, giver_id, step, 0)
        _add(session, course_id, receiver_id, 0, step)


def rebuild(session: Session, course_id: int) -> None:
    """Recount a course's tallies and first take-ups from its exchanges (after a bulk load)."""
    done = Exchange.status.in_(DONE)
    mine = Exchange.course_id == course_id
    sides = union_all(
        select(Exchange.giver_id.label("pid"), literal(1).label("g"), literal(0).label("r")).where(
            mine, done
        ),
        select(Exchange.receiver_id, literal(0), literal(1)).where(mine, done),
    ).subquery()
    session.execute(delete(T).where(T.course_id == course_id))
    session.execute(
        insert(T).from_select(
            ["course_id", "person_id", "gave", "received"],
            select(
                literal(course_id), sides.c.pid, func.sum(sides.c.g), func.sum(sides.c.r)
            ).group_by(sides.c.pid),
        )
    )
    first = (
        select(func.min(Exchange.claimed_at))
        .where(Exchange.gift_id == Gift.id, Exchange.course_id == Gift.course_id)
        .scalar_subquery()
    )
    session.execute(
        update(Gift)
        .where(Gift.course_id == course_id)
        .values(first_taken_at=first)
        .execution_options(synchronize_session=False)
    )
