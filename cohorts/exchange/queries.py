"""What learners see of the exchange: open gifts, asks they could help with, their flow."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, Select, bindparam, or_, select, union
from sqlalchemy.orm import Session, joinedload

from cohorts.db import core_rows
from cohorts.exchange import rules, tags
from cohorts.exchange.exchange_lines import ExchangeLine, my_exchanges
from cohorts.exchange.flow import Flow as Flow
from cohorts.exchange.flow import cohort_flow as cohort_flow
from cohorts.exchange.flow import cohort_members as cohort_members
from cohorts.exchange.flow import flow_edges as flow_edges
from cohorts.exchange.rules import DONE
from cohorts.exchange.settings import exchange_settings
from cohorts.exchange.visibility import not_hidden, visible_to
from cohorts.membership import published_cohort_of
from cohorts.models import Exchange, Gift, Person, Profile
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
