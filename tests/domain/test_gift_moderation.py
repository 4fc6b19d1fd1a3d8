"""Reports hide content for staff at once or at the course's threshold; staff decide."""

import pytest

from cohorts.errors import DomainError, NotFound
from cohorts.exchange import moderation, notifications, queries, reporting, settings, visibility
from cohorts.models import Gift, Post

from .cohort_factories import NOW
from .gift_factories import offer, world


def visible_offer_ids(session, w, person):
    page = queries.learner_exchange(session, w.course.id, person.id, NOW)
    return [c.gift.id for c in page.offers]


def test_two_distinct_members_hide_a_gift_until_staff_decide(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    case = reporting.report(
        session,
        w.course.id,
        w.a[1].id,
        "gift",
        gift.id,
        category="other",
        details="Off topic",
        staff=False,
        now=NOW,
    )
    assert case.state == "open" and gift.id in visible_offer_ids(session, w, w.a[2])
    with pytest.raises(DomainError, match="already reported"):
        reporting.report(
            session,
            w.course.id,
            w.a[1].id,
            "gift",
            gift.id,
            category="other",
            details="Again",
            staff=False,
            now=NOW,
        )
    reporting.report(
        session,
        w.course.id,
        w.a[2].id,
        "gift",
        gift.id,
        category="other",
        details="Rude",
        staff=False,
        now=NOW,
    )
    assert case.state == "hidden" and visible_offer_ids(session, w, w.a[3]) == []
    notice = notifications.recent(session, w.course.id, w.a[0].id)[0]
    assert notice.kind == "moderated" and "reported as: something else" in notice.text
    assert "Rude" not in notice.text
    assert [i.case.id for i in moderation.queue(session, w.course.id)] == [case.id]
    moderation.decide(session, w.course.id, w.staff.id, case.id, "restore", NOW)
    assert visible_offer_ids(session, w, w.a[3]) == [gift.id]


def test_a_staff_report_hides_at_once_and_removal_keeps_the_row(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    case = reporting.report(
        session,
        w.course.id,
        w.staff.id,
        "gift",
        gift.id,
        category="other",
        details="Personal data",
        staff=True,
        now=NOW,
    )
    assert case.state == "hidden"
    moderation.decide(session, w.course.id, w.staff.id, case.id, "remove", NOW)
    assert case.state == "removed" and session.get(Gift, gift.id) is not None
    assert "Personal data" not in notifications.recent(session, w.course.id, w.a[0].id)[0].text
    with pytest.raises(NotFound):
        visibility.get_gift(session, w.course.id, w.a[1].id, gift.id)


def test_board_posts_can_be_reported_by_their_cohort_only(session):
    w = world(session)
    post = Post(cohort_id=w.cohort_a.id, author_id=w.a[0].id, body="Spam", created_at=NOW)
    session.add(post)
    session.flush()
    with pytest.raises(NotFound):
        reporting.report(
            session,
            w.course.id,
            w.b[0].id,
            "post",
            post.id,
            category="other",
            details="Spam!",
            staff=False,
            now=NOW,
        )
    settings.exchange_settings(session, w.course.id).report_threshold = 1
    reporting.report(
        session,
        w.course.id,
        w.a[1].id,
        "post",
        post.id,
        category="other",
        details="Spam!",
        staff=False,
        now=NOW,
    )
    assert moderation.hidden_post_ids(session, w.cohort_a.id) == {post.id}


def test_nobody_reports_their_own_gift_and_staff_of_another_course_find_nothing(session):
    w = world(session)
    other = world(session, "course-b")
    gift = offer(session, w, w.a[0])
    with pytest.raises(DomainError, match="your own"):
        reporting.report(
            session,
            w.course.id,
            w.a[0].id,
            "gift",
            gift.id,
            category="other",
            details="Oops",
            staff=False,
            now=NOW,
        )
    with pytest.raises(NotFound):
        reporting.report(
            session,
            other.course.id,
            other.staff.id,
            "gift",
            gift.id,
            category="other",
            details="Not mine",
            staff=True,
            now=NOW,
        )
    case = reporting.report(
        session,
        w.course.id,
        w.staff.id,
        "gift",
        gift.id,
        category="other",
        details="Check",
        staff=True,
        now=NOW,
    )
    with pytest.raises(NotFound):
        moderation.decide(session, other.course.id, other.staff.id, case.id, "remove", NOW)
