"""A demo course with several weeks of history, made through the real services."""

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohorts import board, challenges
from cohorts.activity.demo_gifts import add_profile, gifts_in_every_state
from cohorts.activity.events import record_activity
from cohorts.courses import LaunchFacts, record_launch
from cohorts.errors import DomainError
from cohorts.exchange import gifts, steps
from cohorts.formation import drafts
from cohorts.membership import published_cohort_of
from cohorts.models import ActivityEvent, Challenge, Enrolment, Person

WEEKS = 6
CHALLENGES = (
    "Reading charts critically",
    "Getting started with spreadsheets",
    "Statistics anxiety",
)
HELLOS = ("Hello everyone! Happy to be here.", "Anyone up for a study call on Thursday?")


def _persona(index: int) -> str:
    """Most learners are steady; some fade after two weeks, some start late."""
    return {0: "fading", 3: "late"}.get(index % 5, "steady")


def _active(persona: str, week: int, rng: random.Random) -> bool:
    if persona == "fading":
        return week < 2
    if persona == "late":
        return week >= 3
    return rng.random() > 0.15 or week == WEEKS - 1


def seed_course(
    session: Session,
    learners: Sequence[LaunchFacts],
    staff: Sequence[LaunchFacts],
    roster_only: Sequence[tuple[str, str]],
    now: datetime,
    rng: random.Random,
) -> int:
    """Launch, pick, describe, form cohorts, visit, post and exchange gifts over ``WEEKS`` weeks."""
    start = now - timedelta(weeks=WEEKS - 1, days=now.weekday())
    course_id = record_launch(session, staff[0], start).course_id
    if session.scalar(
        select(func.count(ActivityEvent.id)).where(ActivityEvent.course_id == course_id)
    ):
        raise DomainError("This course already has activity; the demo seeds only a fresh course.")
    for facts in staff[1:]:
        record_launch(session, facts, start)
    topics = [
        challenges.create_challenge(
            session, course_id, title=t, description="", kind="challenge", now=start
        )
        for t in CHALLENGES
    ]
    ids: list[int] = []
    for i, facts in enumerate(learners):
        if _persona(i) == "late":
            ids.append(0)
            continue
        joined = _join(session, course_id, facts, start + timedelta(hours=i), topics, rng)
        add_profile(session, course_id, joined, i, start + timedelta(hours=i, minutes=5))
        ids.append(joined)
    drafts.form_draft(session, course_id, start + timedelta(days=3))
    drafts.publish_drafts(session, course_id, start + timedelta(days=3))
    for week in range(WEEKS):
        for i, facts in enumerate(learners):
            if _active(_persona(i), week, rng):
                monday = start + timedelta(weeks=week)
                room = min(timedelta(days=7), now - monday - timedelta(hours=3))
                moment = monday + room * rng.random()
                ids[i] = _week(session, course_id, facts, ids[i], moment, ids, rng)
    for sub, name in roster_only:
        _roster_member(session, course_id, learners[0].issuer, learners[0].client_id, sub, name)
    gifts_in_every_state(session, course_id, ids, now)
    session.flush()
    return course_id


def _join(
    session: Session,
    course_id: int,
    facts: LaunchFacts,
    at: datetime,
    topics: list[Challenge],
    rng: random.Random,
) -> int:
    record_launch(session, facts, at)
    person_id = session.scalars(
        select(Person.id).where(
            Person.issuer == facts.issuer,
            Person.client_id == facts.client_id,
            Person.sub == facts.sub,
        )
    ).one()
    picked = rng.sample(topics, 2)
    challenges.pick_challenges(session, course_id, person_id, [c.id for c in picked], at)
    return person_id


def _week(
    session: Session,
    course_id: int,
    facts: LaunchFacts,
    person_id: int,
    at: datetime,
    everyone: list[int],
    rng: random.Random,
) -> int:
    """One learner's visit in one week: a launch, a look at the cohort, maybe a post or a gift."""
    record_launch(session, facts, at)
    if not person_id:
        person_id = session.scalars(
            select(Person.id).where(
                Person.issuer == facts.issuer,
                Person.client_id == facts.client_id,
                Person.sub == facts.sub,
            )
        ).one()
    cohort = published_cohort_of(session, course_id, person_id)
    if cohort is None:
        return person_id
    record_activity(session, course_id, person_id, "cohort_view", at, cohort_id=cohort.id)
    try:
        if rng.random() < 0.3:
            board.add_post(
                session, course_id, person_id, body=rng.choice(HELLOS), parent_id=None, now=at
            )
        if rng.random() < 0.35:
            _gift(session, course_id, person_id, cohort.id, at, everyone, rng)
    except DomainError:
        pass  # a cap or rate limit the real services keep: the demo simply skips that step
    return person_id


def _gift(
    session: Session,
    course_id: int,
    giver: int,
    cohort_id: int,
    at: datetime,
    everyone: list[int],
    rng: random.Random,
) -> None:
    """Offer help, and have a cohort mate claim it, receive it and say thanks."""
    mates = [p for p in everyone if p and p != giver]
    rng.shuffle(mates)
    mate = next(
        (
            p
            for p in mates
            if getattr(published_cohort_of(session, course_id, p), "id", None) == cohort_id
        ),
        None,
    )
    if mate is None:
        return
    gift = gifts.offer_gift(
        session,
        course_id,
        giver,
        kind=rng.choice(("feedback", "explanation", "resource")),
        title="Happy to look over your chart",
        body="Send it my way.",
        tags="charts",
        capacity=2,
        ends_at=None,
        course_wide=False,
        now=at,
    )
    row = steps.take_up(session, course_id, mate, gift.id, at + timedelta(minutes=5))
    steps.step(session, course_id, giver, row.id, "give", now=at + timedelta(hours=1))
    steps.step(
        session,
        course_id,
        mate,
        row.id,
        "receive",
        note="Thank you, this helped!",
        now=at + timedelta(hours=2),
    )


def _roster_member(
    session: Session, course_id: int, issuer: str, client_id: str, sub: str, name: str
) -> None:
    """Someone the course roster lists who never opened Communitas."""
    person = Person(issuer=issuer, client_id=client_id, sub=sub, name=name)
    session.add(person)
    session.flush()
    session.add(Enrolment(course_id=course_id, person_id=person.id, role="learner", lti_roles=""))
