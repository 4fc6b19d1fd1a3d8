"""Offering, asking, taking up, giving, receiving and thanking, and every refused step."""

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cohorts.errors import DomainError, Forbidden, NotFound
from cohorts.exchange import gifts, notifications, queries, steps, visibility
from cohorts.exchange.rules import GiftClosed, GiftToSelf, IllegalStep, WeeklyCapReached
from cohorts.exchange.settings import exchange_settings, save_exchange_settings
from cohorts.models import Exchange, Profile

from .cohort_factories import NOW
from .gift_factories import LATER, ask, offer, world


def test_a_claimed_offer_goes_through_given_received_and_thanked(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    row = steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    assert (row.giver_id, row.receiver_id, row.status, row.seat) == (
        w.a[0].id,
        w.a[1].id,
        "claimed",
        1,
    )
    steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)
    assert row.status == "given"
    steps.step(session, w.course.id, w.a[1].id, row.id, "receive", helpfulness=4, now=NOW)
    assert row.status == "received" and row.helpfulness == 4
    steps.step(session, w.course.id, w.a[1].id, row.id, "thank", note="Thank you!", now=NOW)
    assert row.status == "thanked" and row.thanks_note == "Thank you!"
    kinds = [n.kind for n in notifications.recent(session, w.course.id, w.a[0].id)]
    assert sorted(kinds) == ["claimed", "thanked"]
    assert notifications.unread_count(session, w.course.id, w.a[1].id) == 1


def test_answering_an_ask_makes_the_answerer_the_giver(session):
    w = world(session)
    gift = ask(session, w, w.a[0])
    row = steps.take_up(session, w.course.id, w.a[2].id, gift.id, NOW)
    assert (row.giver_id, row.receiver_id) == (w.a[2].id, w.a[0].id)
    assert notifications.recent(session, w.course.id, w.a[0].id)[0].kind == "answered"
    with pytest.raises(GiftClosed):
        steps.take_up(session, w.course.id, w.a[3].id, gift.id, NOW)


def test_receiving_with_a_note_thanks_in_one_step(session):
    w = world(session)
    row = steps.take_up(session, w.course.id, w.a[1].id, offer(session, w, w.a[0]).id, NOW)
    steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)
    steps.step(session, w.course.id, w.a[1].id, row.id, "receive", note="Great", now=NOW)
    assert row.status == "thanked"


@pytest.mark.parametrize(
    ("actor", "action", "error"),
    [
        (0, "receive", IllegalStep),
        (1, "give", IllegalStep),
        (1, "thank", IllegalStep),
        (0, "thank", IllegalStep),
    ],
)
def test_steps_out_of_order_or_by_the_wrong_person_are_refused(session, actor, action, error):
    w = world(session)
    row = steps.take_up(session, w.course.id, w.a[1].id, offer(session, w, w.a[0]).id, NOW)
    with pytest.raises(error):
        steps.step(session, w.course.id, w.a[actor].id, row.id, action, note="x", now=NOW)


def test_the_giver_cannot_thank_their_own_gift(session):
    w = world(session)
    row = steps.take_up(session, w.course.id, w.a[1].id, offer(session, w, w.a[0]).id, NOW)
    steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)
    steps.step(session, w.course.id, w.a[1].id, row.id, "receive", now=NOW)
    with pytest.raises(GiftToSelf):
        steps.step(session, w.course.id, w.a[0].id, row.id, "thank", note="me", now=NOW)


def test_nobody_claims_their_own_offer_or_one_twice(session):
    w = world(session)
    gift = offer(session, w, w.a[0], capacity=3)
    with pytest.raises(GiftToSelf):
        steps.take_up(session, w.course.id, w.a[0].id, gift.id, NOW)
    steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    with pytest.raises(GiftClosed, match="already"):
        steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)


def test_withdrawn_and_expired_gifts_cannot_be_taken_up(session):
    w = world(session)
    gift = offer(session, w, w.a[0], capacity=None)
    row = steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    gifts.withdraw_gift(session, w.course.id, w.a[0].id, gift.id, NOW)
    assert row.status == "withdrawn"
    with pytest.raises(GiftClosed, match="withdrawn"):
        steps.take_up(session, w.course.id, w.a[2].id, gift.id, NOW)
    with pytest.raises(IllegalStep):
        steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)
    ending = offer(session, w, w.a[0], ends_at=NOW + timedelta(days=1))
    with pytest.raises(GiftClosed, match="ended"):
        steps.take_up(session, w.course.id, w.a[2].id, ending.id, LATER)


def test_only_the_author_withdraws_or_edits_and_edits_keep_history(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    with pytest.raises(Forbidden):
        gifts.withdraw_gift(session, w.course.id, w.a[1].id, gift.id, NOW)
    with pytest.raises(Forbidden):
        gifts.edit_gift(session, w.course.id, w.a[1].id, gift.id, title="Mine", body="", now=NOW)
    gifts.edit_gift(
        session, w.course.id, w.a[0].id, gift.id, title="Better title", body="New body", now=NOW
    )
    gifts.edit_gift(
        session, w.course.id, w.a[0].id, gift.id, title="Best title", body="Newest", now=LATER
    )
    history = gifts.edits_of(session, gift.id)
    assert [(e.previous_title, e.previous_body) for e in history] == [
        ("Better title", "New body"),
        ("Help with statistics", "Ask me"),
    ]


def test_the_weekly_cap_stops_taking_up_more_until_next_week(session):
    w = world(session)
    exchange_settings(session, w.course.id).weekly_cap = 2
    offers = [offer(session, w, w.a[0], title=f"Offer {i}", now=NOW) for i in range(3)]
    for gift in offers[:2]:
        steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    with pytest.raises(WeeklyCapReached):
        steps.take_up(session, w.course.id, w.a[1].id, offers[2].id, NOW)
    assert steps.take_up(session, w.course.id, w.a[1].id, offers[2].id, LATER)


def test_posting_too_often_is_refused(session):
    w = world(session)
    settings = exchange_settings(session, w.course.id)
    settings.post_limit = 2
    offer(session, w, w.a[0], title="One")
    ask(session, w, w.a[0], title="Two")
    with pytest.raises(DomainError, match="wait"):
        offer(session, w, w.a[0], title="Three")
    assert offer(session, w, w.a[0], title="Later", now=NOW + timedelta(minutes=11))


def test_gifts_stay_within_the_cohort_unless_the_course_allows_course_wide(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    with pytest.raises(NotFound):
        steps.take_up(session, w.course.id, w.b[0].id, gift.id, NOW)
    with pytest.raises(Forbidden):
        offer(session, w, w.a[0], course_wide=True)
    save_exchange_settings(
        session, w.course.id, course_wide=True, weekly_cap=10, report_threshold=2
    )
    wide = offer(session, w, w.a[0], title="For everyone", course_wide=True)
    assert steps.take_up(session, w.course.id, w.b[0].id, wide.id, NOW)


def test_ids_from_another_course_are_not_found(session):
    w = world(session)
    other = world(session, "course-b")
    gift = offer(session, other, other.a[0])
    with pytest.raises(NotFound):
        visibility.get_gift(session, w.course.id, w.a[0].id, gift.id, staff=True)
    row = steps.take_up(session, other.course.id, other.a[1].id, gift.id, NOW)
    with pytest.raises(NotFound):
        steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)


def test_matching_asks_come_first_for_members_who_offer_those_tags(session):
    w = world(session)
    session.add(Profile(course_id=w.course.id, person_id=w.a[3].id, offers="statistics"))
    plain = ask(session, w, w.a[0], title="Essay structure", tags="writing")
    stats = ask(
        session, w, w.a[1], title="Stats help", tags="statistics", now=NOW - timedelta(hours=1)
    )
    page = queries.learner_exchange(session, w.course.id, w.a[3].id, NOW)
    assert [c.gift.id for c in page.asks_for_you] == [stats.id, plain.id]
    assert page.asks_for_you[0].score == 2 and page.asks_for_you[0].tier == 0


def test_anonymous_asks_hide_the_author_from_classmates_only(session):
    w = world(session)
    gift = ask(session, w, w.a[0], anonymous=True)
    page = queries.learner_exchange(session, w.course.id, w.a[1].id, NOW)
    assert page.asks_for_you[0].author_name == "A classmate"
    assert queries.author_name(gift, w.staff.id, staff=True) == w.a[0].display_name


def test_the_cohort_flow_shows_who_gave_to_whom_and_nudges_gently(session):
    w = world(session)
    row = steps.take_up(session, w.course.id, w.a[1].id, offer(session, w, w.a[0]).id, NOW)
    steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)
    ask(session, w, w.a[0], title="Need R help", tags="r")
    flow = queries.cohort_flow(session, w.course.id, w.cohort_a.id)
    assert flow.edges == [(w.a[0].id, w.a[1].id, 1)]
    assert flow.balance.only_give == {w.a[0].id} and flow.balance.only_take == {w.a[1].id}
    assert (
        f"{w.a[0].display_name} hasn't received anything yet; their ask is about r." in flow.nudges
    )
    assert len(flow.nudges) == 3


def test_a_claim_row_cannot_reuse_a_seat(session):
    w = world(session)
    gift = offer(session, w, w.a[0], capacity=2)
    steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    session.commit()
    session.add(
        Exchange(
            gift_id=gift.id,
            course_id=w.course.id,
            seat=1,
            giver_id=w.a[0].id,
            receiver_id=w.a[2].id,
            claimed_by_id=w.a[2].id,
            claimed_at=NOW,
        )
    )
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()
    assert len(session.scalars(select(Exchange)).all()) == 1
