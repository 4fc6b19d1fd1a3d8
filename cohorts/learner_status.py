"""Where a learner stands: what they have done, what needs them, and what they wait for."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select, true
from sqlalchemy.orm import Session

from cohorts.exchange.queries import offer_tags, past_tags
from cohorts.exchange.rules import DONE, match_score
from cohorts.exchange.visibility import visible_to
from cohorts.formation.settings import DEFAULT_MAXIMUM, DEFAULT_MINIMUM
from cohorts.models import (
    Challenge,
    Choice,
    Cohort,
    Exchange,
    ExchangeSettings,
    FormationSettings,
    Gift,
    Membership,
    Notification,
    Person,
    Profile,
)

#: Asks shown on the home page; the exchange page lists the rest.
ASKS_SHOWN = 3
_COURSE, _PERSON = bindparam("course_id"), bindparam("person_id")
_MINE = (Profile.course_id == _COURSE, Profile.person_id == _PERSON)
_SETTINGS = FormationSettings.course_id == _COURSE


def _count(column: Any, *where: Any) -> Any:
    return select(func.count(column)).where(*where).scalar_subquery()


#: The learner's published cohort (at most one: a membership per person and course).
_COHORT = (
    select(Cohort.id, Cohort.name, Challenge.title)
    .join(Membership, Membership.cohort_id == Cohort.id)
    .join(Challenge, Challenge.id == Cohort.challenge_id)
    .where(
        Membership.course_id == _COURSE,
        Membership.person_id == _PERSON,
        Cohort.status == "published",
    )
    .subquery()
)
_TO_ME = (Exchange.course_id == _COURSE, Exchange.receiver_id == _PERSON)
_BY_ME = (Exchange.course_id == _COURSE, Exchange.giver_id == _PERSON)
#: The home page's facts in one statement (built once). The counts tell which of the lists
#: need a statement of their own: for a new learner none does.
_FACTS = (
    select(
        Person.name,
        Person.given_name,
        Person.family_name,
        Person.chosen_name,
        select(Profile.availability).where(*_MINE).scalar_subquery(),
        select(Profile.offers).where(*_MINE).scalar_subquery(),
        _count(Gift.id, Gift.course_id == _COURSE, Gift.author_id == _PERSON),
        select(FormationSettings.minimum).where(_SETTINGS).scalar_subquery(),
        select(FormationSettings.maximum).where(_SETTINGS).scalar_subquery(),
        _count(
            Notification.id,
            Notification.course_id == _COURSE,
            Notification.person_id == _PERSON,
            Notification.read_at.is_(None),
        ),
        _COHORT.c.id,
        _COHORT.c.name,
        _COHORT.c.title,
        _count(Choice.id, Choice.course_id == _COURSE, Choice.person_id == _PERSON),
        _count(Exchange.id, *_TO_ME, Exchange.status == "given"),
        _count(Exchange.id, *_BY_ME, Exchange.status.in_(DONE)),
        select(ExchangeSettings.course_wide)
        .where(ExchangeSettings.course_id == _COURSE)
        .scalar_subquery(),
    )
    .outerjoin(_COHORT, true())
    .where(Person.id == _PERSON)
)
_PICKS = (
    select(Choice.challenge_id, Challenge.title)
    .join(Challenge, Challenge.id == Choice.challenge_id)
    .where(Choice.course_id == _COURSE, Choice.person_id == _PERSON)
    .order_by(Choice.rank)
)
_GIVEN_TO_ME = (
    select(Gift.id, Gift.title, Person)
    .select_from(Exchange)
    .join(Gift, Gift.id == Exchange.gift_id)
    .join(Person, Person.id == Exchange.giver_id)
    .where(*_TO_ME, Exchange.status == "given")
    .order_by(Exchange.given_at)
)


@dataclass(frozen=True, slots=True)
class CohortRef:
    """The learner's published cohort, as the home page names it."""

    id: int
    name: str
    challenge_title: str


@dataclass(frozen=True, slots=True)
class Waiting:
    """Why a learner with picks has no cohort yet, in the course's own numbers."""

    #: "forming" (no cohort published yet), "drafts" (staff are reviewing drafts) or "full".
    reason: str
    #: Titles of the picked challenges that already have published cohorts (all full).
    full: tuple[str, ...] = ()
    #: Learners waiting on the learner's first choice, and the course's minimum size.
    waiting_on_first: int = 0
    first_title: str = ""


@dataclass(frozen=True, slots=True)
class LearnerStatus:
    """Everything a learner's home page says about them, as plain values."""

    picks: tuple[str, ...]
    profile_done: bool
    cohort: CohortRef | None
    gifts_made: int
    needs_name: bool
    minimum: int
    maximum: int
    #: Gifts given to the learner that they should confirm: (gift id, title, giver's name).
    to_confirm: tuple[tuple[int, str, str], ...] = ()
    #: Open asks that match what the learner offers: (gift id, title).
    matching_asks: tuple[tuple[int, str], ...] = ()
    unread: int = 0
    waiting: Waiting | None = None
    steps: tuple[tuple[str, bool], ...] = field(default=())


def _waiting(session: Session, course_id: int, person_id: int, picks: list[int]) -> Waiting:
    published = select(Cohort).where(Cohort.course_id == course_id, Cohort.status == "published")
    if not session.scalar(select(func.count()).select_from(published.subquery())):
        drafts = session.scalar(
            select(func.count(Membership.id))
            .join(Cohort, Cohort.id == Membership.cohort_id)
            .where(Membership.person_id == person_id, Cohort.course_id == course_id)
        )
        return Waiting("drafts" if drafts else "forming")
    full = session.scalars(
        select(Challenge.title)
        .join(Cohort, Cohort.challenge_id == Challenge.id)
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .where(Challenge.id.in_(picks))
        .group_by(Challenge.id, Challenge.title)
    ).all()
    placed = select(Membership.person_id).where(Membership.course_id == course_id)
    waiting_first = session.scalar(
        select(func.count(Choice.id)).where(
            Choice.course_id == course_id,
            Choice.challenge_id == picks[0],
            Choice.person_id.not_in(placed),
        )
    )
    first = session.get_one(Challenge, picks[0]).title
    return Waiting("full", tuple(full), waiting_first or 0, first)


def _matching_asks(
    session: Session,
    course_id: int,
    person_id: int,
    cohort_id: int | None,
    course_wide: bool,
    helped: set[str],
    past: set[str],
) -> tuple[tuple[int, str], ...]:
    rows = session.execute(
        select(Gift.id, Gift.title, Gift.tags)
        .where(visible_to(course_id, cohort_id, course_wide, person_id))
        .where(Gift.direction == "ask", Gift.status == "open", Gift.taken == 0)
        .where(Gift.author_id != person_id)
        .order_by(Gift.created_at.desc())
        .limit(50)
    ).all()
    asks = [
        (gid, title)
        for gid, title, tag_text in rows
        if match_score({t for t in tag_text.split(",") if t}, helped, past)
    ]
    return tuple(asks[:ASKS_SHOWN])


def learner_status(session: Session, course_id: int, person_id: int) -> LearnerStatus:
    """Read a learner's progress and what waits for them: one statement for a new learner."""
    params = {"course_id": course_id, "person_id": person_id}
    # Always one statement: a Person in the identity map would make it zero on some pages.
    (
        name,
        given,
        family,
        chosen,
        availability,
        offers,
        gifts,
        minimum,
        maximum,
        unread,
        cohort_id,
        cohort_name,
        challenge_title,
        pick_count,
        to_confirm,
        helped_count,
        course_wide,
    ) = session.execute(_FACTS, params).one()
    cohort = CohortRef(cohort_id, cohort_name, challenge_title) if cohort_id else None
    profile_done = bool(availability or offers)
    lms_named = bool(name or given or family)
    if minimum is None or maximum is None:  # no saved settings: the defaults, never written
        minimum, maximum = DEFAULT_MINIMUM, DEFAULT_MAXIMUM
    pick_rows = session.execute(_PICKS, params).all() if pick_count else []
    confirm = (
        tuple(
            (gid, title, giver.display_name)
            for gid, title, giver in session.execute(_GIVEN_TO_ME, params)
        )
        if to_confirm
        else ()
    )
    helped = offer_tags(offers or "")
    past = past_tags(session, course_id, person_id) if helped_count else set()
    asks = (
        _matching_asks(session, course_id, person_id, cohort_id, bool(course_wide), helped, past)
        if helped or past
        else ()
    )
    picks = [cid for cid, _ in pick_rows]
    waiting = None if cohort or not picks else _waiting(session, course_id, person_id, picks)
    steps = (
        *((("name", bool(chosen)),) if not lms_named else ()),
        ("picks", bool(picks)),
        ("profile", profile_done),
        ("cohort", cohort is not None),
        ("gift", bool(gifts)),
    )
    return LearnerStatus(
        picks=tuple(title for _, title in pick_rows),
        profile_done=profile_done,
        cohort=cohort,
        gifts_made=gifts or 0,
        needs_name=not lms_named and not chosen,
        minimum=minimum,
        maximum=maximum,
        to_confirm=confirm,
        matching_asks=asks,
        unread=unread or 0,
        waiting=waiting,
        steps=steps,
    )
