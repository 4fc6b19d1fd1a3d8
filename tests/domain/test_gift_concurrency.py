"""Two members racing for the last place on an offer: exactly one gets it."""

from sqlalchemy import func, select

from cohorts.errors import DomainError
from cohorts.exchange import steps
from cohorts.exchange.rules import GiftClosed
from cohorts.models import Exchange, Gift

from .cohort_factories import NOW
from .gift_factories import offer, world
from .test_cohort_concurrency import race


def test_two_members_claiming_the_last_place_at_once_get_it_once(session):
    w = world(session)
    gift = offer(session, w, w.a[0], capacity=2)
    steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    session.commit()
    course_id, gift_id = w.course.id, gift.id
    racers = iter([w.a[2].id, w.a[3].id])
    chosen = {}
    if session.get_bind().dialect.name == "postgresql":

        def claim(own):
            person = chosen.setdefault(id(own), next(racers))
            return steps.take_up(own, course_id, person, gift_id, NOW).seat

        outcomes = race(session.get_bind(), claim)
        assert sorted(o for o in outcomes if isinstance(o, int)) == [2]
        assert sum(isinstance(o, GiftClosed) for o in outcomes) == 1
    else:
        # SQLite serialises writers, so the second claim sees the counter at capacity.
        assert steps.take_up(session, course_id, w.a[2].id, gift_id, NOW).seat == 2
        session.commit()
        try:
            steps.take_up(session, course_id, w.a[3].id, gift_id, NOW)
        except DomainError as error:
            assert isinstance(error, GiftClosed)
        else:
            raise AssertionError("the second claim of the last place was accepted")
        session.rollback()
    session.expire_all()
    assert session.scalar(select(func.count(Exchange.id))) == 2
    assert session.get(Gift, gift_id).taken == 2


def test_the_counter_check_stops_a_stale_claim_that_skips_the_rules(session):
    w = world(session)
    gift = offer(session, w, w.a[0], capacity=1)
    steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    session.commit()
    # A request that read the gift before the claim would still try the conditional update.
    moved = session.execute(
        Gift.__table__.update()
        .where(Gift.id == gift.id, Gift.taken < Gift.capacity)
        .values(taken=Gift.taken + 1)
    ).rowcount
    assert moved == 0
