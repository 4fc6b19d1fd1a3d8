"""The staff exchange figures come out of SQL the same on PostgreSQL and SQLite."""

from datetime import timedelta

from cohorts.activity import cohort_measures
from cohorts.exchange import report, steps

from .cohort_factories import NOW
from .gift_factories import ask, offer, world


def answered_after(session, w, author, answerer, hours):
    gift = ask(session, w, author, title=f"Stuck after {hours} hours")
    steps.take_up(session, w.course.id, answerer.id, gift.id, NOW + timedelta(hours=hours))


def test_the_median_time_to_a_first_answer_counts_answered_asks_only(session):
    w = world(session)
    assert report.median_hours_to_answer(session, w.course.id) is None
    answered_after(session, w, w.a[0], w.a[3], 1)
    answered_after(session, w, w.a[1], w.a[3], 10)
    answered_after(session, w, w.a[2], w.a[3], 3)
    ask(session, w, w.b[0], title="Nobody answered")
    gift = offer(session, w, w.b[1])  # offers are not asks: never counted
    steps.take_up(session, w.course.id, w.b[0].id, gift.id, NOW + timedelta(hours=100))
    assert report.median_hours_to_answer(session, w.course.id) == 3.0
    answered_after(session, w, w.b[1], w.b[0], 5.5)
    assert report.median_hours_to_answer(session, w.course.id) == 4.2  # (3 + 5.5) / 2


def test_reciprocity_counts_members_who_gave_received_or_both(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    row = steps.take_up(session, w.course.id, w.a[1].id, gift.id, NOW)
    steps.step(session, w.course.id, w.a[0].id, row.id, "give", now=NOW)
    back = offer(session, w, w.a[1], title="Back to you")
    row = steps.take_up(session, w.course.id, w.a[0].id, back.id, NOW)
    steps.step(session, w.course.id, w.a[1].id, row.id, "give", now=NOW)
    third = offer(session, w, w.a[2], title="One way")
    row = steps.take_up(session, w.course.id, w.a[3].id, third.id, NOW)
    steps.step(session, w.course.id, w.a[2].id, row.id, "give", now=NOW)
    balances = report.balance_rows(session, w.course.id)
    assert balances[w.cohort_a.id] == (4, 2, 1, 1)
    assert balances[w.cohort_b.id] == (2, 0, 0, 0)
    only_give, only_take = report.one_sided(session, w.course.id)
    assert [name for name, _ in only_give] == [w.a[2].display_name]
    assert [name for name, _ in only_take] == [w.a[3].display_name]


def test_cohort_health_counts_recent_gifts_and_members_who_gave_and_got(session):
    w = world(session)
    for giver, taker, title in ((0, 1, "There"), (1, 0, "Back again"), (2, 3, "One way")):
        gift = offer(session, w, w.a[giver], title=title)
        row = steps.take_up(session, w.course.id, w.a[taker].id, gift.id, NOW)
        steps.step(session, w.course.id, w.a[giver].id, row.id, "give", now=NOW)
    later = NOW + timedelta(days=15)  # the gifts are no longer recent; who gave and got stays
    for now, gifts in ((NOW, 3), (later, 0)):
        by_id = {c.cohort_id: c for c in cohort_measures.cohort_health(session, w.course.id, now)}
        alpha, beta = by_id[w.cohort_a.id], by_id[w.cohort_b.id]
        assert (alpha.members, alpha.gifts_14, alpha.reciprocal) == (4, gifts, 2)
        assert (beta.members, beta.gifts_14, beta.reciprocal) == (2, 0, 0)
        listed = cohort_measures.course_health(session, w.course.id, now, 2).least_active
        assert sorted(listed, key=lambda c: c.cohort_id) == sorted(
            by_id.values(), key=lambda c: c.cohort_id
        )
