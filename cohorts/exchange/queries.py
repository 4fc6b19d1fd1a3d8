"""What learners see of the exchange: open gifts, asks they could help with, their flow."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, union
from sqlalchemy.orm import Session, aliased, selectinload

from cohorts.exchange import rules, tags, wording
from cohorts.exchange.rules import DONE, Reciprocity
from cohorts.exchange.settings import exchange_settings
from cohorts.exchange.visibility import not_hidden, visible_to
from cohorts.membership import published_cohort_of
from cohorts.models import Exchange, Gift, Membership, Person, Profile

LIMIT = 100
#: How many of the newest gifts and profiles the tag suggestions read.
SUGGESTION_SOURCES = 500


@dataclass(frozen=True, slots=True)
class GiftCard:
    """A gift as a member sees it in a list."""

    gift: Gift
    state: str
    author_name: str
    score: int = 0
    tier: int = 1
    #: Why the ask fits the reader, in their words ("you offered statistics").
    why: str = ""


@dataclass(frozen=True, slots=True)
class LearnerExchange:
    """Everything on a learner's exchange page."""

    cohort_id: int | None
    course_wide: bool
    offers: list[GiftCard]
    asks_for_you: list[GiftCard]
    mine: list[GiftCard]
    exchanges: list[Exchange]


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


def _tags(text: str) -> list[str]:
    return [t for t in text.split(",") if t]


def tag_suggestions(session: Session, course_id: int) -> list[str]:
    """Tags in recent use in the course (the newest shown offers and asks, the latest profiles),
    one per topic, read in one statement that walks only the newest rows of each index."""
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
    texts = union(
        select(recent.subquery().c.text),
        select(profiles.c.offers).where(profiles.c.offers != ""),
        select(profiles.c.needs).where(profiles.c.needs != ""),
    )
    return tags.suggestions(session.scalars(texts))


def helper_tags(session: Session, course_id: int, person_id: int) -> tuple[set[str], set[str]]:
    """Return the person's declared offer tags and the tags of gifts they already gave."""
    offers = (
        session.scalar(
            select(Profile.offers).where(
                Profile.course_id == course_id, Profile.person_id == person_id
            )
        )
        or ""
    )
    return offer_tags(offers), past_tags(session, course_id, person_id)


def past_tags(session: Session, course_id: int, person_id: int) -> set[str]:
    """Return the tags of the gifts the person already gave."""
    past = session.scalars(
        select(Gift.tags)
        .join(Exchange, Exchange.gift_id == Gift.id)
        .where(
            Exchange.giver_id == person_id,
            Exchange.course_id == course_id,
            Exchange.status.in_(DONE),
        )
    ).all()
    return set().union(*(_tags(t) for t in past)) if past else set()


def offer_tags(offers: str) -> set[str]:
    """Return the tags a profile's offers text declares."""
    return set(_tags(offers))


def learner_exchange(
    session: Session, course_id: int, person_id: int, now: datetime
) -> LearnerExchange:
    """Load the learner's exchange page: open offers, ranked asks, their gifts and exchanges."""
    cohort = published_cohort_of(session, course_id, person_id)
    settings = exchange_settings(session, course_id)
    cohort_id = cohort.id if cohort else None
    gifts = session.scalars(
        select(Gift)
        .where(visible_to(course_id, cohort_id, settings.course_wide, person_id))
        .options(selectinload(Gift.author))
        .order_by(Gift.created_at.desc(), Gift.id.desc())
        .limit(LIMIT)
    ).all()
    taken = set(
        session.scalars(
            select(Exchange.gift_id).where(
                Exchange.claimed_by_id == person_id, Exchange.course_id == course_id
            )
        )
    )
    offered, past = helper_tags(session, course_id, person_id)
    offers, asks, mine = [], [], []
    for gift in gifts:
        state = rules.gift_state(gift.status, gift.ends_at, gift.taken, gift.capacity, now)
        card = GiftCard(gift, state, author_name(gift, person_id))
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


def my_exchanges(session: Session, course_id: int, person_id: int) -> list[Exchange]:
    """Return the exchanges the person gives or receives in, newest first."""
    return list(
        session.scalars(
            select(Exchange)
            .where(
                Exchange.course_id == course_id,
                or_(Exchange.giver_id == person_id, Exchange.receiver_id == person_id),
            )
            .options(
                selectinload(Exchange.gift).selectinload(Gift.author),
                selectinload(Exchange.giver),
                selectinload(Exchange.receiver),
            )
            .order_by(Exchange.claimed_at.desc(), Exchange.id.desc())
        )
    )


def gift_exchanges(session: Session, gift_id: int, person_id: int | None) -> list[Exchange]:
    """Return a gift's exchanges; only the ones the person is part of unless staff (None)."""
    query = select(Exchange).where(Exchange.gift_id == gift_id).order_by(Exchange.seat)
    if person_id is not None:
        query = query.where(or_(Exchange.giver_id == person_id, Exchange.receiver_id == person_id))
    return list(session.scalars(query))


def flow_edges(
    session: Session,
    course_id: int,
    cohort_id: int | Sequence[int] | None = None,
    include_anonymous: bool = True,
) -> list[tuple[int, int, int, int]]:
    """Count completed gifts between members of the same cohort: (cohort, giver, receiver, n)."""
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
    if isinstance(cohort_id, int):
        query = query.where(giver_m.cohort_id == cohort_id)
    elif cohort_id is not None:
        query = query.where(giver_m.cohort_id.in_(cohort_id))
    if not include_anonymous:
        query = query.where(Gift.anonymous.is_(False))
    return [(c, g, r, n) for c, g, r, n in session.execute(query)]


def cohort_members(session: Session, cohort_ids: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """Return (person id, name) per cohort, by name."""
    members: dict[int, list[tuple[int, str]]] = {c: [] for c in cohort_ids}
    for cohort_id, person in session.execute(
        select(Membership.cohort_id, Person)
        .join(Person, Person.id == Membership.person_id)
        .where(Membership.cohort_id.in_(cohort_ids))
    ):
        members[cohort_id].append((person.id, person.display_name))
    for rows in members.values():
        rows.sort(key=lambda item: item[1].lower())
    return members


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
    for author, words in session.execute(
        select(Gift.author_id, Gift.tags)
        .where(
            Gift.cohort_id == cohort_id,
            Gift.direction == "ask",
            Gift.status == "open",
            Gift.anonymous.is_(False),
            Gift.taken == 0,
            not_hidden("gift", Gift.id),
        )
        .order_by(Gift.created_at)
    ):
        asks.setdefault(author, []).extend(t for t in words.split(",") if t)
    notes = wording.nudges(
        dict(members), balance, {p: sorted(set(t))[:3] for p, t in asks.items()}, viewer_id
    )
    return Flow(members, edges, balance, notes)
