"""What learners see of the exchange: open gifts, asks they could help with, their flow."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, bindparam, func, or_, select, union
from sqlalchemy.orm import Session, aliased, joinedload

from cohorts.db import core_rows
from cohorts.exchange import rules, tags, wording
from cohorts.exchange.rules import DONE, Reciprocity
from cohorts.exchange.settings import exchange_settings
from cohorts.exchange.visibility import not_hidden, visible_to
from cohorts.membership import published_cohort_of
from cohorts.models import Exchange, Gift, Membership, Person, Profile
from cohorts.models.people import display_name_of

LIMIT = 100
#: How many of the newest gifts and profiles the tag suggestions read.
SUGGESTION_SOURCES = 500


@dataclass(frozen=True, slots=True)
class GiftCard:
    """A gift as a member sees it in a list: the gift's listed columns (``LISTED``), not its
    text, which lists do not show."""

    gift: Any
    state: str
    author_name: str
    score: int = 0
    tier: int = 1
    #: Why the ask fits the reader, in their words ("you offered statistics").
    why: str = ""


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


@dataclass(frozen=True, slots=True)
class LearnerExchange:
    """Everything on a learner's exchange page."""

    cohort_id: int | None
    course_wide: bool
    offers: list[GiftCard]
    asks_for_you: list[GiftCard]
    mine: list[GiftCard]
    exchanges: list[ExchangeLine]


#: The columns of a gift that a list shows and ranks by, with its author's name columns.
LISTED = (
    Gift.id,
    Gift.cohort_id,
    Gift.author_id,
    Gift.direction,
    Gift.kind,
    Gift.title,
    Gift.tags,
    Gift.capacity,
    Gift.taken,
    Gift.ends_at,
    Gift.anonymous,
    Gift.scope,
    Gift.status,
    Gift.created_at,
    Person.name.label("author_name"),
    Person.given_name.label("author_given_name"),
    Person.family_name.label("author_family_name"),
    Person.chosen_name.label("author_chosen_name"),
)


@dataclass(frozen=True, slots=True)
class Flow:
    """Who gave to whom in one cohort, with gentle notes about who has not received yet."""

    members: list[tuple[int, str]]
    edges: list[tuple[int, int, int]]
    balance: Reciprocity
    nudges: list[str]


def author_name(gift: Gift, viewer_id: int, staff: bool = False) -> str:
    """Name the author, or "A classmate" for anonymous asks seen by classmates."""
    if rules.hides_asker(gift.anonymous, gift.author_id, gift.author_id, viewer_id, staff):
        return "A classmate"
    return gift.author.display_name


_NAME_COLUMNS = select(Person.name, Person.given_name, Person.family_name, Person.chosen_name)
_NAME_OF = _NAME_COLUMNS.where(Person.id == bindparam("person_id"))


def gift_author(session: Session, gift: Gift, viewer_id: int) -> str:
    """Name a gift's author for its page, read in one statement whatever the session holds."""
    if rules.hides_asker(gift.anonymous, gift.author_id, gift.author_id, viewer_id):
        return "A classmate"
    names = core_rows(session, _NAME_OF, {"person_id": gift.author_id}).one()
    return display_name_of(gift.author_id, *names)


def listed_author(gift: Any, viewer_id: int) -> str:
    """Name the author of a listed gift (``LISTED`` columns), or "A classmate" when hidden."""
    if rules.hides_asker(gift.anonymous, gift.author_id, gift.author_id, viewer_id):
        return "A classmate"
    return display_name_of(
        gift.author_id,
        gift.author_name,
        gift.author_given_name,
        gift.author_family_name,
        gift.author_chosen_name,
    )


def _tags(text: str) -> list[str]:
    return [t for t in text.split(",") if t]


def _suggestion_texts() -> CompoundSelect:
    course_id = bindparam("course_id")
    recent = (
        select(Gift.tags.label("text"))
        .where(Gift.course_id == course_id, Gift.tags != "", not_hidden("gift", Gift.id))
        .order_by(Gift.created_at.desc())
        .limit(SUGGESTION_SOURCES)
    )
    profiles = (
        select(Profile.offers, Profile.needs)
        .where(Profile.course_id == course_id)
        .order_by(Profile.id.desc())
        .limit(SUGGESTION_SOURCES)
        .subquery()
    )
    return union(
        select(recent.subquery().c.text),
        select(profiles.c.offers).where(profiles.c.offers != ""),
        select(profiles.c.needs).where(profiles.c.needs != ""),
    )


#: Built once: the profile, offer and ask pages suggest tags on every visit.
_SUGGESTION_TEXTS = _suggestion_texts()


def tag_suggestions(session: Session, course_id: int) -> list[str]:
    """Tags in recent use in the course (the newest shown offers and asks, the latest profiles),
    one per topic, read in one statement that walks only the newest rows of each index."""
    texts = core_rows(session, _SUGGESTION_TEXTS, {"course_id": course_id}).scalars()
    return tags.suggestions(texts)


_OFFERS_OF = select(Profile.offers).where(
    Profile.course_id == bindparam("course_id"), Profile.person_id == bindparam("person_id")
)
_GIVEN_TAGS = (
    select(Gift.tags)
    .join(Exchange, Exchange.gift_id == Gift.id)
    .where(
        Exchange.giver_id == bindparam("person_id"),
        Exchange.course_id == bindparam("course_id"),
        Exchange.status.in_(DONE),
    )
)


def helper_tags(session: Session, course_id: int, person_id: int) -> tuple[set[str], set[str]]:
    """Return the person's declared offer tags and the tags of gifts they already gave."""
    params = {"course_id": course_id, "person_id": person_id}
    offers = core_rows(session, _OFFERS_OF, params).scalar() or ""
    return offer_tags(offers), past_tags(session, course_id, person_id)


def past_tags(session: Session, course_id: int, person_id: int) -> set[str]:
    """Return the tags of the gifts the person already gave."""
    params = {"course_id": course_id, "person_id": person_id}
    past = core_rows(session, _GIVEN_TAGS, params).scalars().all()
    return set().union(*(_tags(t) for t in past)) if past else set()


def offer_tags(offers: str) -> set[str]:
    """Return the tags a profile's offers text declares."""
    return set(_tags(offers))


def _listed_gifts(in_cohort: bool, course_wide: bool) -> Select[Any]:
    cohort_id = bindparam("cohort_id") if in_cohort else None
    shown = visible_to(bindparam("course_id"), cohort_id, course_wide, bindparam("person_id"))
    return (
        select(*LISTED)
        .join(Person, Person.id == Gift.author_id)
        .where(shown)
        .order_by(Gift.created_at.desc(), Gift.id.desc())
        .limit(LIMIT)
    )


#: The newest gifts a member may see, by (in a cohort, course-wide gifts shown), built once.
_LISTED_GIFTS = {
    (in_cohort, course_wide): _listed_gifts(in_cohort, course_wide)
    for in_cohort in (True, False)
    for course_wide in (True, False)
}
_TAKEN = select(Exchange.gift_id).where(
    Exchange.claimed_by_id == bindparam("person_id"),
    Exchange.course_id == bindparam("course_id"),
)


def learner_exchange(
    session: Session, course_id: int, person_id: int, now: datetime
) -> LearnerExchange:
    """Load the learner's exchange page: open offers, ranked asks, their gifts and exchanges."""
    cohort = published_cohort_of(session, course_id, person_id)
    settings = exchange_settings(session, course_id)
    cohort_id = cohort.id if cohort else None
    params = {"course_id": course_id, "person_id": person_id, "cohort_id": cohort_id}
    listed = _LISTED_GIFTS[cohort_id is not None, settings.course_wide]
    gifts = core_rows(session, listed, params).all()
    taken = set(core_rows(session, _TAKEN, params).scalars())
    offered, past = helper_tags(session, course_id, person_id)
    offers, asks, mine = [], [], []
    for gift in gifts:
        state = rules.gift_state(gift.status, gift.ends_at, gift.taken, gift.capacity, now)
        card = GiftCard(gift, state, listed_author(gift, person_id))
        if gift.author_id == person_id:
            mine.append(card)
        elif state != "open" or gift.id in taken:
            continue
        elif gift.direction == "offer":
            offers.append(card)
        else:
            score = rules.match_score(_tags(gift.tags), offered, past)
            tier = rules.audience_tier(score, gift.cohort_id == cohort_id)
            why = tags.explain_match(_tags(gift.tags), offered, past) if score else ""
            asks.append(GiftCard(gift, state, card.author_name, score, tier, why))
    asks.sort(key=lambda c: (c.tier, -c.score, -c.gift.created_at.timestamp()))
    return LearnerExchange(
        cohort_id,
        settings.course_wide,
        offers,
        asks,
        mine,
        my_exchanges(session, course_id, person_id),
    )


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


def gift_exchanges(session: Session, gift_id: int, person_id: int | None) -> list[Exchange]:
    """Return a gift's exchanges; only the ones the person is part of unless staff (None).

    Their gift and both people come in the same statement, whatever the session already
    holds, so the page costs the same statements every time."""
    query = (
        select(Exchange)
        .where(Exchange.gift_id == gift_id)
        .options(
            joinedload(Exchange.gift), joinedload(Exchange.giver), joinedload(Exchange.receiver)
        )
        .order_by(Exchange.seat)
    )
    if person_id is not None:
        query = query.where(or_(Exchange.giver_id == person_id, Exchange.receiver_id == person_id))
    return list(session.scalars(query))


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
