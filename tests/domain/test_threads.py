"""Each exchange's conversation: only its two people read it, anonymity holds, caps apply."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cohorts.errors import DomainError, NotFound
from cohorts.exchange import gifts, moderation, notifications, reporting, steps, threads
from cohorts.exchange.rules import GiftClosed
from cohorts.exchange.settings import exchange_settings
from cohorts.limits import THREAD_MESSAGES_MAX
from cohorts.models import ExchangeMessage

from .cohort_factories import NOW
from .gift_factories import ask, offer, world
from .test_race_caps import count, repeat


def take(session, w, person, gift):
    return steps.take_up(session, w.course.id, person.id, gift.id, NOW)


def write(session, w, person, row, body, minutes=0):
    return threads.post_message(
        session, w.course.id, person.id, row.id, body, NOW + timedelta(minutes=minutes)
    )


def bodies(session, row, viewer, staff=False):
    return [(v.author, v.message.body) for v in threads.thread(session, row, viewer.id, staff)]


def test_each_taker_of_an_offer_has_their_own_conversation_with_the_giver(session):
    w = world(session)
    giver, ben, chen, dana = w.a
    gift = offer(session, w, giver, capacity=3)
    with_ben, with_chen = take(session, w, ben, gift), take(session, w, chen, gift)
    write(session, w, giver, with_ben, "Ben, send me your chart")
    write(session, w, giver, with_chen, "Chen, when suits you?")
    write(session, w, ben, with_ben, "Here it is", minutes=1)
    assert bodies(session, with_ben, ben) == [
        (giver.display_name, "Ben, send me your chart"),
        ("You", "Here it is"),
    ]
    assert bodies(session, with_chen, chen) == [(giver.display_name, "Chen, when suits you?")]
    for stranger, row in ((chen, with_ben), (dana, with_ben), (w.b[0], with_chen)):
        with pytest.raises(NotFound):
            threads.open_exchange(session, w.course.id, stranger.id, row.id)
        with pytest.raises(NotFound):
            write(session, w, stranger, row, "Let me in")
    other = world(session, "course-b")
    with pytest.raises(NotFound):
        threads.open_exchange(session, other.course.id, giver.id, with_ben.id)
    with pytest.raises(NotFound):
        threads.open_exchange(session, other.course.id, other.staff.id, with_ben.id, staff=True)
    assert count(session, select(func.count(ExchangeMessage.id))) == 3


def test_the_help_comes_with_given_then_receipt_and_thanks_close_it(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    row = take(session, w, taker, offer(session, w, giver, title="Feedback on your chart"))
    steps.step(
        session,
        w.course.id,
        giver.id,
        row.id,
        "give",
        help_text="Your axis needs a label; **otherwise lovely**.",
        now=NOW,
    )
    assert row.status == "given"
    assert bodies(session, row, taker) == [
        (giver.display_name, "Your axis needs a label; **otherwise lovely**.")
    ]
    notice = notifications.recent(session, w.course.id, taker.id)[0]
    assert "as given and wrote to you" in notice.text
    assert [n.kind for n in notifications.recent(session, w.course.id, taker.id)] == ["given"]
    steps.step(session, w.course.id, taker.id, row.id, "receive", now=NOW)
    steps.step(session, w.course.id, taker.id, row.id, "thank", note="So clear, thanks", now=NOW)
    assert row.status == "thanked"
    write(session, w, giver, row, "Glad it helped", minutes=5)
    assert len(threads.thread(session, row, taker.id)) == 2


def test_an_anonymous_asker_stays_a_classmate_in_the_conversation(session):
    w = world(session)
    asker, helper = w.a[0], w.a[1]
    row = take(session, w, helper, ask(session, w, asker, anonymous=True))
    write(session, w, helper, row, "Which part is unclear?")
    write(session, w, asker, row, "The slope", minutes=1)
    assert bodies(session, row, helper) == [
        ("You", "Which part is unclear?"),
        ("A classmate", "The slope"),
    ]
    assert bodies(session, row, asker)[0] == (helper.display_name, "Which part is unclear?")
    assert bodies(session, row, w.staff, staff=True)[1] == (asker.display_name, "The slope")
    told = notifications.recent(session, w.course.id, helper.id)[0].text
    assert told.startswith("A classmate wrote to you") and asker.display_name not in told


def test_messages_count_toward_the_posting_rate(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    row = take(session, w, taker, offer(session, w, giver))
    exchange_settings(session, w.course.id).post_limit = 2  # the offer above is one post
    write(session, w, giver, row, "One")
    with pytest.raises(DomainError, match="posted 2 times"):
        write(session, w, giver, row, "Two")
    write(session, w, giver, row, "Later", minutes=11)


def test_a_conversation_holds_a_bounded_number_of_messages_even_when_both_write_at_once(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    row = take(session, w, taker, offer(session, w, giver))
    session.add_all(
        ExchangeMessage(
            course_id=w.course.id,
            exchange_id=row.id,
            author_id=giver.id,
            body=f"Old {i}",
            created_at=NOW - timedelta(days=2),
        )
        for i in range(THREAD_MESSAGES_MAX - 1)
    )
    session.commit()
    course_id, row_id = w.course.id, row.id
    writers = iter([giver.id, taker.id])
    chosen = {}

    def send(own):
        person = chosen.setdefault(id(own), next(writers))
        return threads.post_message(own, course_id, person, row_id, "Last word?", NOW).id

    outcomes = repeat(session, send, count=2)
    assert sum(isinstance(o, int) for o in outcomes) == 1
    assert [str(o) for o in outcomes if isinstance(o, DomainError)] == [
        f"This conversation has reached {THREAD_MESSAGES_MAX} messages. "
        "Carry on on your cohort board, or start a new offer or ask."
    ]
    assert count(session, select(func.count(ExchangeMessage.id))) == THREAD_MESSAGES_MAX


def test_unread_messages_are_counted_until_the_reader_opens_the_conversation(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    row = take(session, w, taker, offer(session, w, giver))
    write(session, w, giver, row, "Hello")
    write(session, w, giver, row, "Are you there?", minutes=1)
    assert threads.unread_counts(session, w.course.id, taker.id) == {row.id: 2}
    assert threads.unread_counts(session, w.course.id, giver.id) == {}
    assert [v.unread for v in threads.thread(session, row, taker.id)] == [True, True]
    threads.mark_read(session, row, taker.id, NOW + timedelta(minutes=2))
    assert threads.unread_counts(session, w.course.id, taker.id) == {}
    write(session, w, taker, row, "Yes!", minutes=3)
    assert threads.unread_counts(session, w.course.id, giver.id) == {row.id: 1}


def test_a_reported_message_is_hidden_until_staff_restore_it(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    row = take(session, w, taker, offer(session, w, giver))
    rude = write(session, w, giver, row, "You are hopeless")
    with pytest.raises(NotFound):
        moderation.find_target(session, w.course.id, w.a[2].id, "message", rude.id, False)
    case = reporting.report(
        session,
        w.course.id,
        taker.id,
        "message",
        rude.id,
        category="unkind",
        details="Mean",
        staff=False,
        now=NOW,
    )
    assert case.state == "hidden"
    for reader in (giver, taker):
        (view,) = threads.thread(session, row, reader.id)
        assert view.moderation == "hidden"
    assert threads.unread_counts(session, w.course.id, taker.id) == {}
    (item,) = moderation.queue(session, w.course.id)
    assert item.cohort == "Alpha" and item.target.written_at == NOW
    assert item.target.exchange_id == row.id and item.reasons[0][2] == "Mean"
    moderation.decide(session, w.course.id, w.staff.id, case.id, "restore", NOW)
    assert threads.thread(session, row, taker.id)[0].moderation == ""


def test_staff_hide_a_message_themselves_and_a_removed_one_leaves_the_thread(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    row = take(session, w, taker, offer(session, w, giver))
    message = write(session, w, taker, row, "My phone number is ...")
    case = moderation.hide(session, w.course.id, w.staff.id, "message", message.id, NOW)
    assert case.state == "hidden" and case.decided_by_id == w.staff.id
    with pytest.raises(DomainError, match="already hidden"):
        moderation.hide(session, w.course.id, w.staff.id, "message", message.id, NOW)
    assert "hid your message" in notifications.recent(session, w.course.id, taker.id)[0].text
    moderation.decide(session, w.course.id, w.staff.id, case.id, "remove", NOW)
    assert threads.thread(session, row, giver.id) == []
    assert threads.thread(session, row, w.staff.id, staff=True)[0].moderation == "removed"
    other = world(session, "course-b")
    with pytest.raises(NotFound):
        moderation.hide(session, other.course.id, other.staff.id, "message", message.id, NOW)


def test_a_withdrawn_exchange_closes_its_conversation(session):
    w = world(session)
    giver, taker = w.a[0], w.a[1]
    gift = offer(session, w, giver)
    row = take(session, w, taker, gift)
    gifts.withdraw_gift(session, w.course.id, giver.id, gift.id, NOW)
    with pytest.raises(GiftClosed):
        write(session, w, taker, row, "Hello?")
    with pytest.raises(DomainError, match="Write a message"):
        threads.check_body("   ")
