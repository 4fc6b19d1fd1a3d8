"""A cohort's gift flow: who gave to whom, its balance and gentle nudges."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select
from sqlalchemy.orm import Session, aliased

from cohorts.db import core_rows
from cohorts.exchange import rules, wording
from cohorts.exchange.rules import DONE, Reciprocity
from cohorts.exchange.visibility import not_hidden
from cohorts.models import Exchange, Gift, Membership, Person
from cohorts.models.people import display_name_of


@dataclass(frozen=True, slots=True)
class Flow:
    """Who gave to whom in one cohort, with gentle notes about who has not received yet."""

    members: list[tuple[int, str]]
    edges: list[tuple[int, int, int]]
    balance: Reciprocity
    nudges: list[str]


def _flow_select(course_id: Any, include_anonymous: bool) -> tuple[Select[Any], Any]:
    """Completed gifts between members of the same cohort, grouped by (cohort, giver,
    receiver); returns the query and the giver's membership, to filter cohorts on."""
    giver_m, receiver_m = aliased(Membership), aliased(Membership)
    query = (
        select(giver_m.cohort_id, Exchange.giver_id, Exchange.receiver_id, func.count(Exchange.id))
        .join(
            giver_m,
            and_(giver_m.person_id == Exchange.giver_id, giver_m.course_id == Exchange.course_id),
        )
        .join(
            receiver_m,
            and_(
                receiver_m.person_id == Exchange.receiver_id,
                receiver_m.cohort_id == giver_m.cohort_id,
            ),
        )
        .join(Gift, Gift.id == Exchange.gift_id)
        .where(Exchange.course_id == course_id, Exchange.status.in_(DONE))
        .group_by(giver_m.cohort_id, Exchange.giver_id, Exchange.receiver_id)
    )
    if not include_anonymous:
        query = query.where(Gift.anonymous.is_(False))
    return query, giver_m


def _one_cohort_flow(include_anonymous: bool) -> Select[Any]:
    query, giver_m = _flow_select(bindparam("course_id"), include_anonymous)
    return query.where(giver_m.cohort_id == bindparam("cohort_id"))


#: One cohort's flow, with and without anonymous asks, built once: a learner's exchange page
#: asks for it on every visit, and building it cost more than running it.
_ONE_COHORT_FLOW = {anonymous: _one_cohort_flow(anonymous) for anonymous in (True, False)}


def flow_edges(
    session: Session,
    course_id: int,
    cohort_id: int | Sequence[int] | None = None,
    include_anonymous: bool = True,
) -> list[tuple[int, int, int, int]]:
    """Count completed gifts between members of the same cohort: (cohort, giver, receiver, n)."""
    if isinstance(cohort_id, int):
        params = {"course_id": course_id, "cohort_id": cohort_id}
        rows = core_rows(session, _ONE_COHORT_FLOW[include_anonymous], params)
        return [(c, g, r, n) for c, g, r, n in rows]
    query, giver_m = _flow_select(course_id, include_anonymous)
    if cohort_id is not None:
        query = query.where(giver_m.cohort_id.in_(cohort_id))
    return [(c, g, r, n) for c, g, r, n in session.execute(query)]


_MEMBERS = (
    select(
        Membership.cohort_id,
        Person.id,
        Person.name,
        Person.given_name,
        Person.family_name,
        Person.chosen_name,
    )
    .join(Person, Person.id == Membership.person_id)
    .where(Membership.cohort_id.in_(bindparam("cohort_ids", expanding=True)))
)


def cohort_members(session: Session, cohort_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """Return (person id, name) per cohort, by name."""
    members: dict[int, list[tuple[int, str]]] = {c: [] for c in cohort_ids}
    for cohort_id, person_id, *names in core_rows(
        session, _MEMBERS, {"cohort_ids": list(cohort_ids)}
    ):
        members[cohort_id].append((person_id, display_name_of(person_id, *names)))
    for rows in members.values():
        rows.sort(key=lambda item: item[1].lower())
    return members


#: A cohort's open, named asks nobody took yet, oldest first: what its nudges mention.
_OPEN_ASKS = (
    select(Gift.author_id, Gift.tags)
    .where(
        Gift.cohort_id == bindparam("cohort_id"),
        Gift.direction == "ask",
        Gift.status == "open",
        Gift.anonymous.is_(False),
        Gift.taken == 0,
        not_hidden("gift", Gift.id),
    )
    .order_by(Gift.created_at)
)


def cohort_flow(
    session: Session,
    course_id: int,
    cohort_id: int,
    include_anonymous: bool = False,
    viewer_id: int | None = None,
) -> Flow:
    """Return a cohort's gift flow, reciprocity and nudges (anonymous asks left out for peers)."""
    members = cohort_members(session, [cohort_id])[cohort_id]
    edges = [
        (g, r, n) for _, g, r, n in flow_edges(session, course_id, cohort_id, include_anonymous)
    ]
    balance = rules.reciprocity([p for p, _ in members], [(g, r) for g, r, _ in edges])
    asks: dict[int, list[str]] = {}
    for author, words in core_rows(session, _OPEN_ASKS, {"cohort_id": cohort_id}):
        asks.setdefault(author, []).extend(t for t in words.split(",") if t)
    notes = wording.nudges(
        dict(members), balance, {p: sorted(set(t))[:3] for p, t in asks.items()}, viewer_id
    )
    return Flow(members, edges, balance, notes)
