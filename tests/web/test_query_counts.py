"""Pages issue the same number of SQL statements in a course ten times larger (no N+1)."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from cohorts import challenges, profiles
from cohorts.exchange import gifts, steps
from cohorts.formation import drafts
from cohorts.models import Challenge, Cohort, Course, Enrolment, Gift, Membership, Person, utcnow
from lti_app.extensions import db

from .cohort_client import Browser
from .exchange_world import person

LEARNER_PAGES = [
    "/learner/",
    "/learner/challenges",
    "/learner/profile",
    "/learner/cohort",
    "/learner/exchange/",
    "/learner/exchange/notices",
    "/learner/rhythm",
    "/learner/privacy",
]
STAFF_PAGES = [
    "/instructor/",
    "/instructor/challenges",
    "/instructor/settings",
    "/instructor/cohorts",
    "/instructor/export",
    "/instructor/exchange/",
    "/instructor/exchange/moderation",
    "/instructor/persistence",
    "/instructor/persistence/settings",
]


@contextmanager
def counting() -> Iterator[list[str]]:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        # One session lookup per request whatever the course's size; whether it also renews
        # the idle clock depends on the time since the last request, not on the page.
        if "launch_session" not in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def grow(course: Course, topics: list[Challenge], start: int, count: int) -> None:
    """Add ``count`` learners who pick, describe themselves and offer help, then publish."""
    now = utcnow()
    people = [
        Person(
            issuer=course.issuer, client_id=course.client_id, sub=f"extra-{i}", name=f"Extra {i}"
        )
        for i in range(start, start + count)
    ]
    db.session.add_all(people)
    db.session.flush()
    db.session.add_all(
        Enrolment(course_id=course.id, person_id=p.id, role="learner") for p in people
    )
    for i, someone in enumerate(people):
        ranked = [topics[(i + k) % len(topics)].id for k in range(3)]
        challenges.pick_challenges(db.session, course.id, someone.id, ranked, now)
        profiles.save_profile(
            db.session,
            course.id,
            someone.id,
            time_zone="Africa/Lagos",
            day_parts=["mon-evening"],
            offers="statistics",
            needs="writing",
            now=now,
        )
    drafts.form_draft(db.session, course.id, now)
    drafts.publish_drafts(db.session, course.id, now)
    for someone in people:
        gifts.offer_gift(
            db.session,
            course.id,
            someone.id,
            kind="feedback",
            title=f"Feedback from {someone.name}",
            body="",
            tags="statistics",
            capacity=2,
            ends_at=None,
            course_wide=True,
            now=now,
        )
    db.session.commit()


def counts(browser: Browser, pages: list[str]) -> dict[str, int]:
    found = {}
    for page in pages:
        with counting() as statements:
            assert browser.get(page).status_code == 200, page
        found[page] = len(statements)
    return found


def test_no_page_issues_more_statements_when_the_course_grows(app, test_platform):
    learner = Browser(app, test_platform, "learner-1")
    staff = Browser(app, test_platform, "instructor-1")
    course = db.session.scalars(select(Course)).one()
    settings_page = staff.post(
        "/instructor/exchange/settings",
        {"course_wide": "y", "weekly_cap": "10", "report_threshold": "2"},
    )
    assert settings_page.status_code == 302
    topics = [
        challenges.create_challenge(
            db.session,
            course.id,
            title=f"Topic {t}",
            description="",
            kind="challenge",
            now=utcnow(),
        )
        for t in "ABC"
    ]
    me = person("learner-1")
    challenges.pick_challenges(db.session, course.id, me.id, [topics[0].id], utcnow())
    grow(course, topics, 0, 9)
    first = db.session.scalars(select(Person).where(Person.sub == "extra-0")).one()
    offer = db.session.scalars(select(Gift).where(Gift.author_id == first.id)).one()
    steps.take_up(db.session, course.id, me.id, offer.id, utcnow())
    db.session.commit()
    in_cohort = (
        select(Membership)
        .join(Cohort)
        .where(Membership.person_id == me.id, Cohort.status == "published")
    )
    assert db.session.scalars(in_cohort).one_or_none() is not None
    assert "Feedback from Extra" in learner.get("/learner/exchange/").get_data(as_text=True)
    small = counts(learner, LEARNER_PAGES) | counts(staff, STAFF_PAGES)
    grow(course, topics, 9, 90)
    large = counts(learner, LEARNER_PAGES) | counts(staff, STAFF_PAGES)
    assert large == small
