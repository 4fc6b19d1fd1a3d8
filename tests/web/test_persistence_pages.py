"""Staff see who keeps coming back; learners see their own rhythm; quiet members get a nudge."""

import csv
import io
import json

from sqlalchemy import func, select

from cohorts.activity.summary import rebuild_summary
from cohorts.models import (
    ActivityEvent,
    ActivityWeek,
    AlertAction,
    Challenge,
    Cohort,
    Course,
    Enrolment,
    Exchange,
    Membership,
    Notification,
    Person,
    Post,
)
from lti_app.extensions import db
from tests.web.cohort_client import Browser


def person(sub):
    return db.session.scalars(select(Person).where(Person.sub == sub)).one()


def cohort_of(*subs):
    """Put these launched learners into one published cohort."""
    course = db.session.scalars(select(Course)).one()
    challenge = Challenge(course_id=course.id, title="Charts", status="active")
    db.session.add(challenge)
    db.session.flush()
    cohort = Cohort(course_id=course.id, challenge_id=challenge.id, name="Owls", status="published")
    db.session.add(cohort)
    db.session.flush()
    for sub in subs:
        db.session.add(
            Membership(cohort_id=cohort.id, course_id=course.id, person_id=person(sub).id)
        )
    db.session.commit()
    return cohort


def roster_member(sub, name):
    """Someone enrolled who never opened Communitas."""
    course = db.session.scalars(select(Course)).one()
    row = Person(issuer=course.issuer, client_id=course.client_id, sub=sub, name=name)
    db.session.add(row)
    db.session.flush()
    db.session.add(Enrolment(course_id=course.id, person_id=row.id, role="learner"))
    db.session.commit()
    return row


def test_staff_see_the_curve_alerts_and_learners_after_real_launches(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    Browser(app, test_platform, "learner-2")
    staff = Browser(app, test_platform, "instructor-1")
    cohort_of("learner-1")
    roster_member("roster-9", "Vera Novak")
    ana.get("/learner/cohort")
    page = staff.get("/instructor/persistence").get_data(as_text=True)
    assert "Still coming back, by week since their first visit" in page
    assert "100% (1)" in page  # one learner followed in each group, still active
    assert "<strong>Never launched</strong>: has never opened Communitas" in page
    assert "Vera Novak" in page and "Ana Souza" in page and "Owls" in page
    assert 'role="img"' in page and "solid line, circles" in page
    assert db.session.scalar(select(func.count(ActivityEvent.id))) == 3  # 2 launches, 1 view


def test_the_learner_table_sorts_filters_and_exports(app, test_platform):
    Browser(app, test_platform, "learner-1")
    Browser(app, test_platform, "learner-2")
    staff = Browser(app, test_platform, "instructor-1")
    cohort_of("learner-2")
    page = staff.get("/instructor/persistence?sort=name&dir=desc").get_data(as_text=True)
    assert page.index("Ben Carter") < page.index("Ana Souza")
    alone = staff.get("/instructor/persistence?show=no_cohort").get_data(as_text=True)
    assert "1 learner" in alone and "Ben Carter</td>" not in alone
    response = staff.get("/instructor/persistence/learners.csv?sort=name")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["name", "cohort", "last active"]
    assert [r[0] for r in rows[1:]] == ["Ana Souza", "Ben Carter"]
    assert rows[2][1] == "Owls" and rows[2][3] == "1"
    odd = staff.get("/instructor/persistence?show=%3Cx%3E&sort=nope&page=zz")
    assert odd.status_code == 200


def test_staff_mark_an_alert_contacted_and_dismiss_another(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    vera = roster_member("roster-9", "Vera Novak")
    yusuf = roster_member("roster-8", "Yusuf Demir")
    for who, action in ((vera, "contacted"), (yusuf, "dismissed")):
        data = {"kind": "never_launched", "subject_id": str(who.id), "action": action}
        answer = staff.post("/instructor/persistence/alerts", data, "/instructor/persistence")
        assert answer.status_code == 302
    page = staff.get("/instructor/persistence").get_data(as_text=True)
    assert "(Contacted by Maya Okafor on" in page
    assert "Yusuf Demir</strong>" not in page  # dismissed for two weeks
    assert db.session.scalar(select(func.count(AlertAction.id))) == 2
    bad = {"kind": "made-up", "subject_id": str(vera.id), "action": "contacted"}
    refused = staff.post("/instructor/persistence/alerts", bad, "/instructor/persistence")
    assert refused.status_code == 400


def test_staff_change_the_engagement_weights_within_range(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    weights = {
        "weight_sessions": "2",
        "weight_cohort": "1",
        "weight_given": "3",
        "weight_received": "0.5",
        "weight_answered": "0",
        "inactive_days": "14",
    }
    saved = staff.post("/instructor/persistence/settings", weights)
    assert saved.status_code == 302
    page = staff.get("/instructor/persistence").get_data(as_text=True)
    assert "visits × 2, cohort space activity × 1, gifts given × 3" in page
    assert "no activity for 14 days" in page
    too_much = staff.post("/instructor/persistence/settings", weights | {"weight_given": "9"})
    assert too_much.status_code == 400


def test_a_learner_sees_their_own_rhythm_without_anyone_else(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    Browser(app, test_platform, "learner-2")
    page = ana.get("/learner/rhythm").get_data(as_text=True)
    assert "You are here this week: that is what counts." in page
    assert "week with a visit" in page and "0</span> gifts given" in page
    assert "Ben Carter" not in page and "rank" not in page.lower()


def test_a_learner_sees_what_communitas_records_about_them(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    page = ana.get("/learner/privacy").get_data(as_text=True)
    assert "What Communitas records about you" in page
    assert "<td>Activity</td>" in page and "never what you wrote" in page


def test_a_quiet_member_gets_a_one_click_encouragement(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    Browser(app, test_platform, "learner-2")
    cohort_of("learner-1", "learner-2")
    ben = person("learner-2")
    db.session.execute(  # Ben's only visit moves to a month ago
        ActivityWeek.__table__.update()
        .where(ActivityWeek.person_id == ben.id)
        .values(week=ActivityWeek.week - 5, last_day=ActivityWeek.last_day - 30)
    )
    rebuild_summary(db.session, db.session.scalars(select(Course.id)).one(), ben.id)
    db.session.commit()
    page = ana.get("/learner/cohort").get_data(as_text=True)
    assert "hasn't been around for a while" in page
    path = f"/learner/cohort/members/{ben.id}/encourage"
    sent = ana.post(path, {}, "/learner/cohort")
    assert sent.status_code == 302
    given = db.session.scalars(select(Exchange)).one()
    assert (given.receiver_id, given.status) == (ben.id, "given")
    notice = db.session.scalars(select(Notification).where(Notification.person_id == ben.id)).one()
    assert "sent you some encouragement" in notice.text
    again = ana.post(path, {}, "/learner/cohort")
    assert again.status_code == 400
    assert "already encouraged Ben Carter this week" in again.get_data(as_text=True)


def test_learners_cannot_encourage_someone_outside_their_cohort(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    Browser(app, test_platform, "learner-2")
    cohort_of("learner-1")
    path = f"/learner/cohort/members/{person('learner-2').id}/encourage"
    assert ana.post(path, {}, "/learner/cohort").status_code == 404
    assert db.session.scalar(select(func.count(Exchange.id))) == 0


def test_privacy_export_and_erase_from_the_command_line(app, test_platform):
    ana = Browser(app, test_platform, "learner-1")
    cohort_of("learner-1")
    ana.post("/learner/cohort/posts", {"body": "My private thoughts"}, "/learner/cohort")
    runner = app.test_cli_runner()
    args = ["--issuer", test_platform.issuer, "--sub", "learner-1"]
    exported = runner.invoke(args=["privacy", "export", *args])
    assert exported.exit_code == 0, exported.output
    data = json.loads(exported.output)
    assert data["person"]["email"] == "ana.souza@example.edu"
    assert data["Board messages"][0]["body"] == "My private thoughts"
    erased = runner.invoke(args=["privacy", "erase", *args, "--yes"])
    assert erased.exit_code == 0, erased.output
    db.session.expire_all()
    post = db.session.scalars(select(Post)).one()
    assert post.body == "[removed at the author's request]"
    gone = db.session.get(Person, post.author_id)
    assert gone.name is None and gone.email is None and gone.sub.startswith("erased-")
    assert db.session.scalar(select(func.count(ActivityEvent.id))) >= 2  # counts are kept
    missing = runner.invoke(args=["privacy", "export", *args])
    assert missing.exit_code != 0 and "No person learner-1" in missing.output


def test_demo_seed_makes_a_course_with_weeks_of_history(app, test_platform):
    runner = app.test_cli_runner()
    seeded = runner.invoke(args=["demo", "seed"])
    assert seeded.exit_code == 0, seeded.output
    weeks = db.session.scalar(select(func.count(func.distinct(ActivityEvent.day // 7))))
    assert weeks >= 5
    assert db.session.scalar(select(func.count(Cohort.id)).where(Cohort.status == "published"))
    assert db.session.scalar(select(func.count(Exchange.id))) > 0
    again = runner.invoke(args=["demo", "seed"])
    assert again.exit_code != 0 and "already has activity" in again.output
