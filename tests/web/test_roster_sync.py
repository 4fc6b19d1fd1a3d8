"""Staff sync the course roster from the platform (NRPS) and see what it changed."""

from sqlalchemy import func, select

from cohorts.models import (
    Challenge,
    Cohort,
    Course,
    Enrolment,
    Membership,
    MembershipEnd,
    Person,
    Post,
    RosterSync,
)
from lti_app.extensions import db
from lti_app.lti import http
from lti_app.lti.services import token
from sandbox.demo import USERS
from sandbox.profiles import CANVAS, CANVAS_ANONYMOUS
from sandbox.slow_peer import TricklePeer
from tests.conftest import register_profiles
from tests.web.cohort_client import Browser

PAGE = "/instructor/persistence"
SYNC = "/instructor/persistence/roster/sync"
DEMO = "demo-course-101"


def sync(staff):
    response = staff.post(SYNC, form_page=PAGE, follow_redirects=True)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def enrolment(sub):
    return db.session.scalars(
        select(Enrolment).join(Person, Person.id == Enrolment.person_id).where(Person.sub == sub)
    ).one()


def last_run():
    db.session.expire_all()
    return db.session.scalars(select(RosterSync).order_by(RosterSync.id.desc())).first()


def test_a_sync_reads_every_page_and_lists_who_never_opened_communitas(app, test_platform, roster):
    Browser(app, test_platform, "learner-1")
    Browser(app, test_platform, "learner-2")
    staff = Browser(app, test_platform, "instructor-1")
    assert "Not synced yet" in staff.get(PAGE).get_data(as_text=True)
    page = sync(staff)
    assert "Roster sync started." in page
    # 25 people in pages of at most 10: three pages were read.
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == len(USERS) == 25
    assert "22 added, 0 updated, 0 marked inactive; the LMS listed 25 people" in page
    assert "Opened Communitas: 2 of 21" in page
    never = enrolment("learner-5")
    assert (never.last_launch_at, never.role, never.active) == (None, "learner", True)
    assert db.session.scalars(select(Person.name).where(Person.sub == "learner-5")).one() == (
        "Emeka Obi"
    )
    assert "opened: 2 of 21" in staff.get("/instructor/").get_data(as_text=True)
    assert "Never launched" in staff.get(PAGE).get_data(as_text=True)


def test_one_access_token_serves_every_page_of_several_syncs(app, test_platform, roster):
    staff = Browser(app, test_platform, "instructor-1")
    before = test_platform.tokens_issued
    sync(staff)
    roster.grow(DEMO, 30)
    sync(staff)
    assert test_platform.tokens_issued == before + 1
    assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 55


def test_someone_who_left_the_course_is_marked_inactive_and_nothing_is_deleted(
    app, test_platform, roster
):
    ana = Browser(app, test_platform, "learner-1")
    staff = Browser(app, test_platform, "instructor-1")
    course = db.session.scalars(select(Course)).one()
    challenge = Challenge(course_id=course.id, title="Charts", status="active")
    db.session.add(challenge)
    db.session.flush()
    cohort = Cohort(course_id=course.id, challenge_id=challenge.id, name="Owls", status="published")
    db.session.add(cohort)
    db.session.flush()
    ana_id = enrolment("learner-1").person_id
    db.session.add(Membership(cohort_id=cohort.id, course_id=course.id, person_id=ana_id))
    db.session.commit()
    assert (
        ana.post("/learner/cohort/posts", {"body": "Hello Owls"}, "/learner/cohort").status_code
        == 302
    )
    sync(staff)
    roster.remove(DEMO, "learner-1")
    page = sync(staff)  # the platform's differences link: only what changed
    assert "0 added, 0 updated, 1 marked inactive" in page
    assert "(only the changes since the sync before)" in page
    gone = enrolment("learner-1")
    assert (gone.active, gone.left_at is not None) == (False, True)
    assert db.session.scalars(select(Membership).where(Membership.person_id == ana_id)).all() == []
    ended = db.session.scalars(select(MembershipEnd)).one()
    assert (ended.cohort_id, ended.person_id, ended.reason) == (cohort.id, ana_id, "left_course")
    assert db.session.scalars(select(Post.body)).all() == ["Hello Owls"]
    assert db.session.get(Person, ana_id).name == "Ana Souza"
    assert "Opened Communitas: 0 of 20" in page
    assert Browser(app, test_platform, "learner-1").get("/learner/").status_code == 200
    assert enrolment("learner-1").active  # launching again proves they are back


def test_a_full_sync_from_the_command_line_retires_who_the_roster_leaves_out(
    app, test_platform, roster
):
    Browser(app, test_platform, "instructor-1")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["roster", "sync"])
    assert first.exit_code == 0, first.output
    assert "24 added" in first.output
    roster.remove(DEMO, "learner-3")
    roster.remove(DEMO, "ta-1")
    second = runner.invoke(args=["roster", "sync", "--full"])
    assert second.exit_code == 0, second.output
    assert "23 listed, 0 added, 0 updated, 2 marked inactive" in second.output
    assert not enrolment("learner-3").active and not enrolment("ta-1").active


def test_the_command_line_refuses_a_course_it_cannot_sync_in_one_line(app, test_platform):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["roster", "sync", "--course", "999"])
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "Error: no course with id 999"
    bad = runner.invoke(args=["roster", "sync", "--course", "abc"])
    assert bad.exit_code == 2 and "is not a valid integer" in bad.output


def test_canvas_rosters_sync_and_anonymous_ones_store_no_names(app, test_platform, roster):
    register_profiles(test_platform)
    for profile in ("canvas", "canvas-anonymous"):
        staff = Browser(app, test_platform, "instructor-1", profile)
        page = sync(staff)  # Canvas refuses calls without a User-Agent; ours name the tool
        assert "24 added" in page
    names = dict(
        db.session.execute(
            select(Course.context_id, func.count(Person.name))
            .join(Enrolment, Enrolment.course_id == Course.id)
            .join(Person, Person.id == Enrolment.person_id)
            .group_by(Course.context_id)
        ).all()
    )
    # The two learners whose LMS shares no names (and everyone under the anonymous level).
    assert names == {CANVAS.context_id: 23, CANVAS_ANONYMOUS.context_id: 0}


def keep_roster_token(test_platform, value):
    """Put an access token in the cache so the sync goes straight to the roster call."""
    registration = token.registration_of(db.session, test_platform.issuer, test_platform.client_id)
    key = token.cache_key(
        registration, ["https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"]
    )
    token._keep(key, value, 3600)


def test_a_refused_token_is_shown_in_words(app, test_platform, roster):
    staff = Browser(app, test_platform, "instructor-1")
    keep_roster_token(test_platform, "a-token-the-platform-never-issued")
    page = sync(staff)
    assert "Last sync failed" in page
    assert "the platform refused Communitas&#39;s access" in page and "HTTP 401" in page
    assert last_run().status == "failed"


def test_a_platform_that_does_not_answer_in_time_is_shown_in_words(
    app, test_platform, roster, monkeypatch
):
    staff = Browser(app, test_platform, "instructor-1")
    # Only the roster call trickles: a busy machine must not spend the short limit on the token.
    keep_roster_token(test_platform, "a-token-for-the-slow-roster")
    monkeypatch.setattr(http, "DEADLINE_SECONDS", 0.5)
    with TricklePeer(interval=1.0) as peer:
        course = db.session.scalars(select(Course)).one()
        course.nrps_url = peer.url + "/nrps"
        db.session.commit()
        page = sync(staff)
    assert "the platform did not answer in time" in page
    assert last_run().error == "roster: the platform did not answer in time (0.5-second limit)"


def test_a_second_sync_is_refused_while_one_runs(app, test_platform, roster):
    staff = Browser(app, test_platform, "instructor-1")
    course = db.session.scalars(select(Course)).one()
    db.session.add(RosterSync(course_id=course.id, trigger="daily", status="running"))
    db.session.commit()
    response = staff.post(SYNC, form_page=PAGE)
    assert response.status_code == 409
    assert "A roster sync is already running" in response.get_data(as_text=True)


def test_the_sync_button_needs_the_page_s_csrf_token(app, test_platform, roster):
    staff = Browser(app, test_platform, "instructor-1")
    response = staff.client.post(SYNC, data={})
    assert response.status_code == 400
    assert db.session.scalars(select(RosterSync)).all() == []
