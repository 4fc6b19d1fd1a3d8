"""The staff view of a course's exchange, aggregated in SQL."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from cohorts.exchange import rules
from cohorts.exchange.queries import cohort_members, flow_edges
from cohorts.exchange.rules import Node
from cohorts.exchange.visibility import not_hidden
from cohorts.models import (
    Cohort,
    Exchange,
    ExchangeMessage,
    ExchangeTally,
    Gift,
    Membership,
    Person,
)
from cohorts.models.people import display_name_of


@dataclass(frozen=True, slots=True)
class CohortBalance:
    """Reciprocity of one cohort, with its gift picture."""

    cohort: Cohort
    members: int
    both: int
    only_give: int
    only_take: int
    nodes: list[Node]
    edges: list[tuple[Node, Node, int]]
    names: dict[int, str]

    @property
    def share_both(self) -> float:
        return self.both / self.members if self.members else 0.0


#: Cohorts shown on one page of the staff exchange; names and asks listed at most.
COHORTS_PER_PAGE = 30
LISTED = 50


@dataclass(frozen=True, slots=True)
class CourseExchange:
    """Everything on the staff exchange page: one page of cohorts, the first names and asks."""

    by_week: list[tuple[str, str, str, int]]
    cohorts: list[CohortBalance]
    only_give: list[tuple[str, str]]
    only_take: list[tuple[str, str]]
    median_hours: float | None
    unanswered: list[Gift]
    conversations: list["Conversation"]
    cohort_total: int = 0
    page: int = 1
    one_sided_totals: tuple[int, int] = (0, 0)
    unanswered_total: int = 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.cohort_total // COHORTS_PER_PAGE))


@dataclass(frozen=True, slots=True)
class Conversation:
    """An exchange's thread as staff list it: who, about what, how long, how recent."""

    exchange: Exchange
    messages: int
    last_at: datetime


def gifts_by_kind_and_week(session: Session, course_id: int) -> list[tuple[str, str, str, int]]:
    """Count offers and asks by ISO week and kind: (week, direction, kind, count), the latest
    week first.

    Grouped in the order of the course/week/direction/kind index, read backwards, so the
    database counts as it walks the index (no hashing of every gift, no look at the table);
    the few groups are then put in the page's order here.
    """
    rows = session.execute(
        select(Gift.iso_week, Gift.direction, Gift.kind, func.count())
        .where(Gift.course_id == course_id)
        .group_by(Gift.iso_week, Gift.direction, Gift.kind)
        .order_by(Gift.iso_week.desc(), Gift.direction.desc(), Gift.kind.desc())
    ).all()
    by_kind = sorted(((w, d, k, n) for w, d, k, n in rows), key=lambda r: (r[1], r[2]))
    return sorted(by_kind, key=lambda r: r[0], reverse=True)


def balance_rows(
    session: Session, course_id: int, cohort_ids: Sequence[int] | None = None
) -> dict[int, tuple[int, int, int, int]]:
    """Per published cohort (or these): (members, gave and received, only gave, only got),
    from the members' stored tallies."""
    T = ExchangeTally
    gave, got = func.coalesce(T.gave, 0) > 0, func.coalesce(T.received, 0) > 0
    query = (
        select(
            Membership.cohort_id,
            func.count(Membership.id),
            func.sum(case((gave & got, 1), else_=0)),
            func.sum(case((gave & ~got, 1), else_=0)),
            func.sum(case((~gave & got, 1), else_=0)),
        )
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .outerjoin(T, and_(T.course_id == course_id, T.person_id == Membership.person_id))
        .where(Membership.course_id == course_id, Cohort.status == "published")
        .group_by(Membership.cohort_id)
    )
    if cohort_ids is not None:
        query = query.where(Membership.cohort_id.in_(cohort_ids))
    rows = session.execute(query)
    return {c: (m, int(b or 0), int(g or 0), int(t or 0)) for c, m, b, g, t in rows}


def _one_sided_people(course_id: int) -> Any:
    """People on one side only of the course's finished exchanges, with whether they gave:
    read from the stored tallies (the partial index holds just these people)."""
    T = ExchangeTally
    return (
        select(T.person_id.label("pid"), (T.gave > 0).label("gave"))
        .where(T.course_id == course_id, (T.gave > 0) != (T.received > 0))
        .subquery()
    )


def one_sided(
    session: Session, course_id: int
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Return (name, cohort) of learners who only give, and of those who only receive."""
    people = _one_sided_people(course_id)
    out: tuple[list[tuple[str, str]], list[tuple[str, str]]] = ([], [])
    for pid, name, given, family, chosen, cohort_name, gives in session.execute(
        select(
            Person.id,
            Person.name,
            Person.given_name,
            Person.family_name,
            Person.chosen_name,
            Cohort.name,
            people.c.gave,
        )
        .select_from(Membership)
        .join(people, people.c.pid == Membership.person_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.course_id == course_id)
    ):
        shown = display_name_of(pid, name, given, family, chosen)
        out[0 if gives else 1].append((shown, cohort_name))
    return sorted(out[0]), sorted(out[1])


def hours_between(session: Session, start: Any, end: Any) -> Any:
    """Hours from ``start`` to ``end`` as a SQL expression (SQLite has no interval type)."""
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 24.0
    return func.extract("epoch", end - start) / 3600.0


def median_hours_to_answer(session: Session, course_id: int) -> float | None:
    """Median hours from an ask to its first answer, all in one SQL statement.

    Each ask keeps the moment it was first taken up (the earliest answer). PostgreSQL takes
    the median with ``percentile_cont`` (one sort); elsewhere it is the mean of the middle
    one or two of those numbered by a window function.
    """
    answered = (
        select(Gift.created_at.label("asked"), Gift.first_taken_at.label("answered"))
        .where(
            Gift.course_id == course_id,
            Gift.direction == "ask",
            Gift.first_taken_at.is_not(None),
        )
        .subquery()
    )
    hours = hours_between(session, answered.c.asked, answered.c.answered)
    if session.get_bind().dialect.name == "postgresql":
        value = session.scalar(select(func.percentile_cont(0.5).within_group(hours)))
    else:
        numbered = select(
            hours.label("hours"),
            func.row_number().over(order_by=hours).label("position"),
            func.count().over().label("total"),
        ).subquery()
        value = session.scalar(
            select(func.avg(numbered.c.hours)).where(
                numbered.c.position.in_([(numbered.c.total + 1) // 2, (numbered.c.total + 2) // 2])
            )
        )
    return round(float(value), 1) if value is not None else None


def unanswered_asks(
    session: Session, course_id: int, now: datetime, limit: int | None = None
) -> tuple[list[Gift], int]:
    """Open asks nobody answered yet, the oldest ``limit`` of them, and how many in all."""
    unanswered = (
        Gift.course_id == course_id,
        Gift.direction == "ask",
        Gift.status == "open",
        Gift.taken == 0,
        not_hidden("gift", Gift.id),
    )
    rows = session.scalars(
        select(Gift)
        .where(*unanswered)
        .options(selectinload(Gift.author))
        .order_by(Gift.created_at, Gift.id)
        .limit(limit)
    ).all()
    total = len(rows)
    if limit is not None and total == limit:
        total = session.scalar(select(func.count(Gift.id)).where(*unanswered)) or 0
    return list(rows), total


def recent_conversations(session: Session, course_id: int, limit: int = 20) -> list[Conversation]:
    """The course's exchange threads with the latest messages first, counted in SQL."""
    rows = session.execute(
        select(Exchange, func.count(ExchangeMessage.id), func.max(ExchangeMessage.created_at))
        .join(ExchangeMessage, ExchangeMessage.exchange_id == Exchange.id)
        .where(Exchange.course_id == course_id)
        .group_by(Exchange.id)
        .order_by(func.max(ExchangeMessage.created_at).desc())
        .limit(limit)
        .options(
            selectinload(Exchange.gift),
            selectinload(Exchange.giver),
            selectinload(Exchange.receiver),
        )
    ).all()
    return [Conversation(row, count, last) for row, count, last in rows]


def course_exchange(
    session: Session, course_id: int, now: datetime, page: int = 1
) -> CourseExchange:
    """Load the staff exchange page for a course, one page of cohorts by name."""
    published = (Cohort.course_id == course_id, Cohort.status == "published")
    total = session.scalar(select(func.count(Cohort.id)).where(*published)) or 0
    page = min(max(page, 1), max(1, -(-total // COHORTS_PER_PAGE)))
    cohorts = session.scalars(
        select(Cohort)
        .where(*published)
        .order_by(Cohort.name, Cohort.id)
        .limit(COHORTS_PER_PAGE)
        .offset((page - 1) * COHORTS_PER_PAGE)
    ).all()
    ids = [c.id for c in cohorts]
    members = cohort_members(session, ids)
    balances = balance_rows(session, course_id, ids)
    edges: dict[int, list[tuple[int, int, int]]] = {}
    for cohort_id, giver, receiver, count in flow_edges(session, course_id, ids):
        edges.setdefault(cohort_id, []).append((giver, receiver, count))
    cards = []
    for cohort in cohorts:
        nodes = rules.circle_layout(members[cohort.id])
        at = {n.person_id: n for n in nodes}
        lines = [(at[g], at[r], n) for g, r, n in edges.get(cohort.id, []) if g in at and r in at]
        total_members, both, give, take = balances.get(cohort.id, (0, 0, 0, 0))
        cards.append(
            CohortBalance(
                cohort, total_members, both, give, take, nodes, lines, dict(members[cohort.id])
            )
        )
    only_give, only_take = one_sided(session, course_id)
    unanswered, unanswered_total = unanswered_asks(session, course_id, now, LISTED)
    return CourseExchange(
        gifts_by_kind_and_week(session, course_id),
        cards,
        only_give[:LISTED],
        only_take[:LISTED],
        median_hours_to_answer(session, course_id),
        unanswered,
        recent_conversations(session, course_id),
        cohort_total=total,
        page=page,
        one_sided_totals=(len(only_give), len(only_take)),
        unanswered_total=unanswered_total,
    )
