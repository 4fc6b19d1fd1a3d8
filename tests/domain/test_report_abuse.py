"""Reports cannot silence a classmate: rate-limited, counted once a day, staff told, words kept."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cohorts.errors import DomainError
from cohorts.exchange import moderation, notifications, reporting
from cohorts.exchange import settings as exchange_settings
from cohorts.limits import REPORTS_PER_DAY, REPORTS_PER_TEN_MINUTES
from cohorts.models import ModerationCase, Post, Report

from .cohort_factories import NOW
from .gift_factories import offer, world
from .test_race_caps import repeat


def posts(session, w, author, count):
    rows = [
        Post(cohort_id=w.cohort_a.id, author_id=author.id, body=f"Idea {i}", created_at=NOW)
        for i in range(count)
    ]
    session.add_all(rows)
    session.flush()
    return rows


def file(session, w, reporter, target, *, when=NOW, words="You are stupid, Ana"):
    kind = "gift" if hasattr(target, "title") else "post"
    return reporting.report(
        session,
        w.course.id,
        reporter.id,
        kind,
        target.id,
        category="unkind",
        details=words,
        staff=False,
        now=when,
    )


def test_two_members_reporting_everything_a_classmate_wrote_hide_one_item_a_day(session):
    w = world(session)
    victim, (ben, chen) = w.a[0], w.a[1:3]
    items = [
        *posts(session, w, victim, 15),
        *(offer(session, w, victim, title=f"Gift {i}") for i in range(4)),
    ]
    filed = 0
    for reporter in (ben, chen):
        for i, item in enumerate(items[:REPORTS_PER_TEN_MINUTES]):
            file(session, w, reporter, item, when=NOW + timedelta(seconds=i))
            filed += 1
    hidden = session.scalar(select(func.count()).where(ModerationCase.state == "hidden"))
    assert filed == 10 and hidden == 1  # only each reporter's first report today counted
    later = NOW + timedelta(days=1, hours=1)
    file(session, w, ben, items[7], when=later)
    file(session, w, chen, items[7], when=later)
    assert session.scalar(select(func.count()).where(ModerationCase.state == "hidden")) == 2


def test_reports_past_the_rate_are_refused(session):
    w = world(session)
    items = posts(session, w, w.a[0], REPORTS_PER_DAY + 1)
    for i, item in enumerate(items[:REPORTS_PER_TEN_MINUTES]):
        file(session, w, w.a[1], item, when=NOW + timedelta(seconds=i))
    with pytest.raises(DomainError, match="many reports lately"):
        file(session, w, w.a[1], items[REPORTS_PER_TEN_MINUTES], when=NOW + timedelta(minutes=1))
    for hour, item in enumerate(items[REPORTS_PER_TEN_MINUTES:REPORTS_PER_DAY], start=1):
        file(session, w, w.a[1], item, when=NOW + timedelta(hours=hour))
    with pytest.raises(DomainError, match="many reports lately"):
        file(session, w, w.a[1], items[-1], when=NOW + timedelta(hours=23))
    assert session.scalar(select(func.count(Report.id))) == REPORTS_PER_DAY


def test_the_author_is_told_the_category_never_the_reporters_words(session):
    w = world(session)
    gift = offer(session, w, w.a[0])
    exchange_settings.exchange_settings(session, w.course.id).report_threshold = 1
    case = file(session, w, w.a[1], gift, words="Ana copies answers, everyone knows")
    moderation.decide(session, w.course.id, w.staff.id, case.id, "remove", NOW)
    notices = [n.text for n in notifications.recent(session, w.course.id, w.a[0].id)]
    assert len(notices) == 2 and all("unkind or hurtful" in text for text in notices)
    assert not any("copies" in text or w.a[1].display_name in text for text in notices)
    queue = moderation.queue(session, w.course.id, ("removed",))[0]
    assert queue.reasons == [
        (w.a[1].display_name, "Unkind or hurtful", "Ana copies answers, everyone knows")
    ]


def test_staff_are_told_when_several_members_pile_reports_on_one_person(session):
    w = world(session)
    victim = w.a[0]
    items = posts(session, w, victim, 3)
    assert reporting.piled_on(session, w.course.id, NOW) == []
    for reporter in (w.a[1], w.a[2]):
        for item in items[:2]:
            file(session, w, reporter, item)
    piles = reporting.piled_on(session, w.course.id, NOW + timedelta(hours=1))
    names = tuple(sorted(p.display_name for p in w.a[1:3]))
    assert piles == [reporting.PileOn(victim.display_name, 4, names)]
    assert reporting.piled_on(session, w.course.id, NOW + timedelta(days=8)) == []


def test_one_reporter_racing_reports_against_one_author_counts_once(session):
    w = world(session)
    items = posts(session, w, w.a[0], 8)
    exchange_settings.exchange_settings(session, w.course.id).report_threshold = 1
    session.commit()
    course_id, reporter, ids = w.course.id, w.a[1].id, iter([p.id for p in items])

    def report(own):
        return reporting.report(
            own,
            course_id,
            reporter,
            "post",
            next(ids),
            category="spam",
            details="",
            staff=False,
            now=NOW,
        ).state

    outcomes = repeat(session, report)
    assert sum(isinstance(o, DomainError) for o in outcomes) == 8 - REPORTS_PER_TEN_MINUTES
    assert outcomes.count("hidden") == 1
    session.expire_all()
    counted = select(func.count(Report.id)).where(Report.counted_day.is_not(None))
    assert session.scalar(counted) == 1
