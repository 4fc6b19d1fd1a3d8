"""Pages issue the same number of SQL statements in a course ten times larger (no N+1)."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select

from cohorts import challenges, profiles
from cohorts.exchange import gifts, steps
from cohorts.formation import drafts
from cohorts.models import Challenge, Cohort, Course, Enrolment, Gift, Membership, Person, utcnow
from lti_app.extensions import db
from tests.conftest import Launcher

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
    "/instructor/persistence?show=at_risk&sort=score&dir=desc&page=2",
    "/instructor/persistence?q=extra&sort=cohort",
    "/instructor/persistence/settings",
    "/instructor/persistence/learners.csv",
    "/instructor/persistence/learners.csv?show=active&sort=streak",
    "/instructor/export/canvas.csv",
    "/instructor/export/moodle.csv",
    "/instructor/exchange/settings",
    "/instructor/exchange/?page=2",
    "/instructor/grades",
    "/instructor/cohorts/publish",
]


@contextmanager
def counting(everything: bool = False) -> Iterator[list[str]]:
    statements: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        # One session lookup per request whatever the course's size; whether it also renews
        # the idle clock depends on the time since the last request, not on the page.
        if everything or "launch_session" not in statement:
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
    taken = steps.take_up(db.session, course.id, me.id, offer.id, utcnow())
    db.session.commit()
    # A gift and a conversation the learner takes part in: both pages must stay as cheap.
    own_pages = [
        f"/learner/exchange/gifts/{offer.id}",
        f"/learner/exchange/exchanges/{taken.id}",
    ]
    in_cohort = (
        select(Membership)
        .join(Cohort)
        .where(Membership.person_id == me.id, Cohort.status == "published")
    )
    assert db.session.scalars(in_cohort).one_or_none() is not None
    assert "Feedback from Extra" in learner.get("/learner/exchange/").get_data(as_text=True)
    small = counts(learner, LEARNER_PAGES + own_pages) | counts(staff, STAFF_PAGES)
    grow(course, topics, 9, 90)
    large = counts(learner, LEARNER_PAGES + own_pages) | counts(staff, STAFF_PAGES)
    assert large == small


#: What a learner's return visit may cost: the login, and the launch, which answers with the
#: page it lands on (SQLite writes the activity event, its week and the learner's summary as
#: three statements, PostgreSQL as one; the learner's status page reads its scalar facts in
#: one statement).
VISIT_BUDGET = {"login": 1, "launch and its page": 8}
#: Database connections each step takes from the pool: the launch writes its records and its
#: session on one and commits them together, then its page takes one to read.
CONNECTIONS_BUDGET = {"login": 1, "launch and its page": 2}


def test_a_return_visit_stays_within_its_statement_and_connection_budgets(
    app, test_platform, monkeypatch
):
    # The occasional sweep of expired logins and sessions is left out of the count.
    monkeypatch.setattr("random.random", lambda: 1.0)
    Launcher(app.test_client(), test_platform).launch("learner-1")  # the first visit
    browser = Launcher(app.test_client(), test_platform)  # a new browser, as after a day away
    counted: dict[str, int] = {}
    connections: dict[str, int] = {}

    def count(step: str, request: Callable[[], Any]) -> Any:
        checkouts: list[object] = []

        def checked_out(*args: Any) -> None:
            checkouts.append(args)

        event.listen(db.engine, "checkout", checked_out)
        try:
            with counting(everything=True) as statements:
                response = request()
        finally:
            event.remove(db.engine, "checkout", checked_out)
        counted[step], connections[step] = len(statements), len(checkouts)
        return response

    auth = count("login", lambda: browser.login("learner-1"))
    form = test_platform.authorize(auth)
    page = count("launch and its page", lambda: browser.client.post("/lti/launch", data=form))
    assert page.status_code == 200
    assert "Welcome" in page.get_data(as_text=True)
    assert all(counted[step] <= budget for step, budget in VISIT_BUDGET.items()), counted
    assert connections == CONNECTIONS_BUDGET
