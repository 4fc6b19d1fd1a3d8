"""The stored exchange figures (tallies per person, each gift's first take-up) always equal a
recount from the exchanges themselves, on SQLite and PostgreSQL, whatever people did."""

from datetime import timedelta

import pytest
from sqlalchemy import Integer, column, select, text

from cohorts import privacy
from cohorts.errors import DomainError
from cohorts.exchange import encouragement, gifts, report, steps, tally
from cohorts.exchange.rules import IllegalStep
from cohorts.models import ExchangeTally, Gift, UTCDateTime

from .cohort_factories import NOW
from .gift_factories import ask, offer, world
from .test_cohort_concurrency import race

RECOUNT = text(
    "SELECT pid, sum(g), sum(r) FROM ("
    " SELECT giver_id AS pid, 1 AS g, 0 AS r FROM exchange"
    "  WHERE course_id = :c AND status IN ('given', 'received', 'thanked')"
    " UNION ALL SELECT receiver_id, 0, 1 FROM exchange"
    "  WHERE course_id = :c AND status IN ('given', 'received', 'thanked')"
    ") AS sides GROUP BY pid"
)
FIRST = text(
    "SELECT g.id, (SELECT min(e.claimed_at) FROM exchange e WHERE e.gift_id = g.id) AS first"
    " FROM gift g WHERE g.course_id = :c"
).columns(column("id", Integer), column("first", UTCDateTime()))


def stored(session, course_id):
    rows = session.execute(
        select(ExchangeTally.person_id, ExchangeTally.gave, ExchangeTally.received).where(
            ExchangeTally.course_id == course_id,
            (ExchangeTally.gave > 0) | (ExchangeTally.received > 0),
        )
    )
    return {pid: (gave, got) for pid, gave, got in rows}


def assert_figures_recount(session, course_id):
    session.flush()
    recount = {pid: (g, r) for pid, g, r in session.execute(RECOUNT, {"c": course_id})}
    assert stored(session, course_id) == recount
    firsts = dict(
        session.execute(
            select(Gift.id, Gift.first_taken_at).where(Gift.course_id == course_id)
        ).all()
    )
    recount_firsts = dict(session.execute(FIRST, {"c": course_id}).all())
    assert firsts == recount_firsts


def test_tallies_and_first_answers_follow_every_step_withdrawal_and_erasure(session):
    w = world(session)
    a, course = w.a, w.course.id
    assert_figures_recount(session, course)
    # An offer taken by two: one is given, received and thanked, the other withdrawn.
    shared = offer(session, w, a[0], capacity=3)
    first = steps.take_up(session, course, a[1].id, shared.id, NOW + timedelta(hours=2))
    steps.take_up(session, course, a[2].id, shared.id, NOW + timedelta(hours=1))
    steps.step(session, course, a[0].id, first.id, "give", now=NOW)
    assert_figures_recount(session, course)
    steps.step(session, course, a[1].id, first.id, "receive", now=NOW)
    steps.step(session, course, a[1].id, first.id, "thank", note="Thanks!", now=NOW)
    assert_figures_recount(session, course)
    gifts.withdraw_gift(session, course, a[0].id, shared.id, NOW)
    assert_figures_recount(session, course)
    # An ask answered and given; thanked straight from "receive" with a note.
    question = ask(session, w, a[3])
    answer = steps.take_up(session, course, a[2].id, question.id, NOW + timedelta(hours=5))
    steps.step(session, course, a[2].id, answer.id, "give", now=NOW)
    steps.step(session, course, a[3].id, answer.id, "receive", note="Great", now=NOW)
    # A step the rules refuse changes nothing.
    with pytest.raises(DomainError):
        steps.step(session, course, a[2].id, answer.id, "give", now=NOW)
    # An encouragement is given as soon as it is sent.
    encouragement.encourage(session, course, a[1].id, a[0].id, NOW)
    assert_figures_recount(session, course)
    # Erasing a person keeps the counts of what they gave and received.
    privacy.erase_person(session, a[2].issuer, a[2].sub, NOW)
    assert_figures_recount(session, course)
    only_give, only_take = report.one_sided(session, course)
    assert [len(only_give), len(only_take)] == [1, 1]  # a[2] only gave, a[3] only got

    # A bulk load recounted from scratch keeps the same figures.
    before = stored(session, course)
    tally.rebuild(session, course)
    assert stored(session, course) == before
    assert_figures_recount(session, course)


def test_racing_steps_count_each_finished_exchange_once(session):
    w = world(session)
    course = w.course.id
    giver = w.a[0]
    rows = []
    for taker, title in ((w.a[1], "First help"), (w.a[2], "Second help"), (w.a[3], "Third help")):
        gift = offer(session, w, giver, title=title)
        rows.append(steps.take_up(session, course, taker.id, gift.id, NOW).id)
    session.commit()
    if session.get_bind().dialect.name == "postgresql":
        # The same exchange marked given twice at once: one step moves it, the other is refused.
        outcomes = race(
            session.get_bind(),
            lambda own: steps.step(own, course, giver.id, rows[0], "give", now=NOW).id,
        )
        assert sorted(map(type, outcomes), key=str) == sorted([int, IllegalStep], key=str)
        # Two other exchanges of the same giver given at once: both counted on one tally row.
        todo = iter(rows[1:])
        picked = {}

        def give(own):
            row = picked.setdefault(id(own), next(todo))
            return steps.step(own, course, giver.id, row, "give", now=NOW).id

        assert sorted(race(session.get_bind(), give)) == sorted(rows[1:])
    else:
        # SQLite serialises writers: the same steps one after the other.
        steps.step(session, course, giver.id, rows[0], "give", now=NOW)
        with pytest.raises(IllegalStep):
            steps.step(session, course, giver.id, rows[0], "give", now=NOW)
        for row in rows[1:]:
            steps.step(session, course, giver.id, row, "give", now=NOW)
        session.commit()
    session.expire_all()
    assert stored(session, course)[giver.id] == (3, 0)
    assert_figures_recount(session, course)
