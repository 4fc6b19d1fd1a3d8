"""The demo course's profiles and one gift in each state, so every page has something to show."""

from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cohorts import profiles
from cohorts.errors import DomainError
from cohorts.exchange import gifts, steps
from cohorts.membership import published_cohort_of

#: (time zone, free day parts, offers, needs), handed out in turn.
PROFILES = (
    (
        "Europe/Berlin",
        ("mon-evening", "wed-evening", "sat-morning"),
        "spreadsheets, statistics",
        "python",
    ),
    ("Europe/Paris", ("mon-evening", "thu-evening"), "proofreading, python", "statistics"),
    ("Europe/Lisbon", ("wed-evening", "sat-morning"), "charts", "spreadsheets"),
    ("America/New_York", ("tue-evening", "thu-evening"), "time management", "charts"),
)


def add_profile(
    session: Session, course_id: int, person_id: int, index: int, now: datetime
) -> None:
    """Give a demo learner a profile (most of them: some never fill one in)."""
    if index % 4 == 3:
        return
    zone, parts, offers, needs = PROFILES[index % len(PROFILES)]
    profiles.save_profile(
        session,
        course_id,
        person_id,
        time_zone=zone,
        day_parts=parts,
        offers=offers,
        needs=needs,
        now=now,
    )


def _offer(session: Session, course_id: int, author: int, title: str, at: datetime, **extra: Any):
    fields: dict[str, Any] = {"capacity": 2, "ends_at": None, **extra}
    return gifts.offer_gift(
        session,
        course_id,
        author,
        kind=fields.pop("kind", "explanation"),
        title=title,
        body="Happy to help: say when suits you.",
        tags="charts, spreadsheets",
        course_wide=False,
        now=at,
        **fields,
    )


def gifts_in_every_state(
    session: Session, course_id: int, learners: Sequence[int], now: datetime
) -> int:
    """In the first cohort of three or more: open, full, claimed, given, received, thanked,
    withdrawn and expired offers, and an open and an answered ask. Returns how many were made."""
    by_cohort: dict[int, list[int]] = defaultdict(list)
    for person in learners:
        cohort = published_cohort_of(session, course_id, person) if person else None
        if cohort is not None:
            by_cohort[cohort.id].append(person)
    trio = next((people[:3] for people in by_cohort.values() if len(people) >= 3), None)
    if trio is None:
        return 0
    a, b, c = trio
    at = now - timedelta(hours=6)

    def take(gift_id: int, who: int) -> int:
        return steps.take_up(session, course_id, who, gift_id, at + timedelta(minutes=1)).id

    def step(row: int, who: int, action: str, note: str = "") -> None:
        steps.step(session, course_id, who, row, action, note=note, now=at + timedelta(minutes=2))

    made = 0
    plan: list[Callable[[], object]] = [
        lambda: _offer(session, course_id, a, "I can explain pivot tables", at),
        lambda: take(
            _offer(session, course_id, b, "One place: chart review", at, capacity=1).id, c
        ),
        lambda: take(_offer(session, course_id, c, "Study call on Thursday", at).id, a),
        lambda: step(
            take(_offer(session, course_id, a, "Feedback on your draft", at).id, b), a, "give"
        ),
        lambda: _received(
            take, step, _offer(session, course_id, b, "My statistics notes", at), c, b
        ),
        lambda: _thanked(
            take, step, _offer(session, course_id, c, "A spreadsheet template", at), a, c
        ),
        lambda: gifts.withdraw_gift(
            session,
            course_id,
            b,
            _offer(session, course_id, b, "Withdrawn: a walk-through", at).id,
            at,
        ),
        lambda: _offer(
            session,
            course_id,
            c,
            "Last week's practice quiz",
            now - timedelta(days=9),
            ends_at=now - timedelta(days=2),
        ),
        lambda: _ask(session, course_id, c, "How do I read a box plot?", at, anonymous=True),
        lambda: take(_ask(session, course_id, b, "Which chart for shares of a whole?", at).id, a),
    ]
    for make in plan:
        try:
            make()
            made += 1
        except DomainError:
            pass  # a weekly cap the real services keep: the demo skips that one
    session.flush()
    return made


def _received(
    take: Callable[[int, int], int], step: Callable[..., None], gift: Any, who: int, giver: int
) -> None:
    row = take(gift.id, who)
    step(row, giver, "give")
    step(row, who, "receive")


def _thanked(
    take: Callable[[int, int], int], step: Callable[..., None], gift: Any, who: int, giver: int
) -> None:
    row = take(gift.id, who)
    step(row, giver, "give")
    step(row, who, "receive", note="Thank you, this saved me an evening!")


def _ask(
    session: Session, course_id: int, author: int, title: str, at: datetime, anonymous: bool = False
):
    return gifts.ask_for_help(
        session,
        course_id,
        author,
        kind="explanation",
        title=title,
        body="",
        tags="charts",
        needed_by=None,
        anonymous=anonymous,
        course_wide=False,
        now=at,
    )
