"""The participation column end to end: staff publish, the sandbox LMS's gradebook receives."""

from datetime import timedelta

import pytest
import requests
from sqlalchemy import delete, select, update

from cohorts.activity.events import record_activity
from cohorts.models import Course, GradeLineItem, ScorePost, utcnow
from lti_app.extensions import db
from lti_app.lti.services import ags, token
from tests.conftest import DELETE, Launcher

from .exchange_world import person
from .test_cohort_authz import call

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
PAGE = "/instructor/grades"
ON = {
    "enabled": "y",
    "score_maximum": "10",
    "target_active_weeks": "1",
    "target_cohort_actions": "0",
    "target_gifts_given": "2",
    "target_gifts_received": "0",
    "target_asks_answered": "0",
}


def gradebook(platform) -> list[dict]:
    return requests.get(platform.issuer + "/gradebook?format=json", timeout=10).json()


def fail_next(platform, status: int, times: int, retry_after: str | None = None) -> None:
    body = {"status": status, "times": times, "retry_after": retry_after}
    assert requests.post(platform.issuer + "/ags/failures", json=body, timeout=10).ok


@pytest.fixture
def lms(test_platform, tool_server):
    """The sandbox LMS with an empty gradebook, able to check the tool's service tokens."""
    requests.post(test_platform.issuer + "/ags/reset", timeout=10)
    yield test_platform
    requests.post(test_platform.issuer + "/ags/reset", timeout=10)


def launched(app, platform, *users: str, profile: str = "", claims=None) -> Launcher:
    """Launch each user (the first one last, so its client is returned signed in)."""
    first = None
    for user in reversed(users):
        first = Launcher(app.test_client(), platform, profile)
        assert first.launch(user, claims=claims).status_code == 200
    assert first is not None
    return first


def staff_with_column(app, platform, *learners: str, profile: str = "", **rule: str) -> Launcher:
    staff = launched(app, platform, "instructor-1", *learners, profile=profile)
    saved = call(app, staff.client, "POST", PAGE + "/settings", {**ON, **rule})
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return staff


def publish(app, staff: Launcher):
    return call(app, staff.client, "POST", PAGE + "/publish")


def posts() -> list[ScorePost]:
    db.session.expire_all()
    return list(db.session.scalars(select(ScorePost).order_by(ScorePost.id)))


def give(sub: str, times: int = 1) -> None:
    course_id = db.session.scalars(select(Course.id)).one()
    for _ in range(times):
        record_activity(db.session, course_id, person(sub).id, "give", utcnow())
    db.session.commit()


def test_publishing_creates_the_column_once_and_scores_only_learners(app, lms):
    staff = staff_with_column(app, lms, "learner-1", "learner-2")
    give("learner-1", 2)
    assert publish(app, staff).status_code == 302
    assert publish(app, staff).status_code == 302  # nothing changed: nothing sent again
    [column] = gradebook(lms)
    assert (column["label"], column["tag"]) == (
        "Community participation",
        "communitas-participation",
    )
    assert column["resourceLinkId"] == "communitas-link-1"
    scores = {r["userId"]: (r["scoreGiven"], r["posts"]) for r in column["results"]}
    assert scores == {"learner-1": (10.0, 1), "learner-2": (5.0, 1)}
    assert db.session.scalars(select(GradeLineItem.created)).one() is True
    page = staff.client.get(PAGE).get_data(as_text=True)
    sent = page[page.index('id="sent"') :]
    assert "Ana Souza" in sent and "Ben Carter" in sent and "Maya Okafor" not in sent
    assert "was created by Communitas" in page
    persistence = staff.client.get("/instructor/persistence").get_data(as_text=True)
    assert "“Community participation” column is on: 2 sent" in persistence
    lms_page = requests.get(lms.issuer + "/gradebook", timeout=10).text
    assert "Community participation" in lms_page and "Ana Souza" in lms_page


def test_a_column_already_in_the_gradebook_is_found_by_its_tag(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    publish(app, staff)
    db.session.execute(delete(GradeLineItem))  # as after a reinstall: the LMS still has it
    db.session.commit()
    give("learner-1")
    publish(app, staff)
    assert len(gradebook(lms)) == 1
    assert db.session.scalars(select(GradeLineItem.created)).one() is False
    assert "was found in the gradebook" in staff.client.get(PAGE).get_data(as_text=True)


def test_a_busy_platform_is_retried_until_the_score_is_sent(app, lms):
    app.config["GRADES_RETRY_BASE_SECONDS"] = 0
    staff = staff_with_column(app, lms, "learner-1")
    fail_next(lms, 503, 2)
    fail_next(lms, 429, 1, retry_after="0")
    publish(app, staff)
    [post] = posts()
    assert (post.status, post.attempts, post.answer_status) == ("sent", 4, 204)
    [column] = gradebook(lms)
    assert [(r["userId"], r["posts"]) for r in column["results"]] == [("learner-1", 1)]


def test_retry_after_is_honoured_and_the_next_run_sends_the_score(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    fail_next(lms, 429, 1, retry_after="3600")
    publish(app, staff)
    [post] = posts()
    assert (post.status, post.attempts, post.answer_status) == ("pending", 1, 429)
    assert post.next_attempt_at >= utcnow() + timedelta(seconds=3500)
    page = staff.client.get(PAGE).get_data(as_text=True)
    assert "Waiting to be tried again" in page and "asked to slow down (429)" in page
    db.session.execute(update(ScorePost).values(next_attempt_at=utcnow()))  # an hour later
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["grades", "retry"])
    assert "1 sent" in result.output, result.output
    [post] = posts()
    assert (post.status, post.attempts) == ("sent", 2)


def test_timestamps_increase_for_each_learner_and_column(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    publish(app, staff)
    give("learner-1")
    publish(app, staff)  # within the same second: the platform still sees a later timestamp
    first, second = posts()
    assert (first.status, second.status) == ("sent", "sent")
    assert second.timestamp > first.timestamp
    [column] = gradebook(lms)
    assert column["results"][0]["posts"] == 2


def test_a_refused_score_is_kept_with_the_reason_and_not_retried(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    publish(app, staff)
    # Someone grades by hand in the LMS: the platform now holds a newer grade.
    line_item = db.session.scalars(select(GradeLineItem.url)).one()
    registration = token.registration_of(db.session, lms.issuer, lms.client_id)
    bearer = token.access_token(registration, [ags.SCOPE_SCORE])
    later = utcnow() + timedelta(days=1)
    assert (
        ags.post_score(bearer, line_item, ags.score_body("learner-1", 1, 10, later)).status == 204
    )
    give("learner-1")
    publish(app, staff)
    refused = posts()[-1]
    assert (refused.status, refused.attempts, refused.answer_status) == ("failed", 1, 409)
    assert "newer grade for this learner" in refused.reason
    page = staff.client.get(PAGE).get_data(as_text=True)
    assert "Refused by the platform" in page and "newer grade for this learner" in page
    assert call(app, staff.client, "POST", PAGE + "/retry").status_code == 302
    assert posts()[-1].status == "failed"  # tried again at once, refused again


def test_publishing_needs_the_form_token(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    assert staff.client.post(PAGE + "/publish").status_code == 400
    assert posts() == [] and gradebook(lms) == []


def test_a_course_without_the_grade_service_says_what_to_enable(app, lms):
    staff = launched(app, lms, "instructor-1", "learner-1", claims={AGS_CLAIM: DELETE})
    call(app, staff.client, "POST", PAGE + "/settings", ON)
    page = staff.client.get(PAGE).get_data(as_text=True)
    assert "The LMS has not given Communitas its gradebook yet" in page
    assert "Use this service for grade sync and column management" in page
    assert "Can create and update submission results" in page
    refused = publish(app, staff)
    assert refused.status_code == 400
    assert "grade service" in refused.get_data(as_text=True)
    assert posts() == []


def test_moodle_scores_go_to_its_line_item_url_with_the_tool_type(app, lms, moodle):
    staff = staff_with_column(app, lms, "learner-1", profile="moodle")
    publish(app, staff)
    [column] = gradebook(lms)
    assert column["id"].endswith("/lineitem?type_id=2")
    assert [r["userId"] for r in column["results"]] == ["learner-1"]
    assert [p.status for p in posts()] == ["sent"]


def test_the_publish_command_sends_the_scores_of_courses_with_the_column_on(app, lms):
    staff_with_column(app, lms, "learner-1", "learner-2")
    result = app.test_cli_runner().invoke(args=["grades", "publish"])
    assert "Scores: 2 sent, 0 pending, 0 failed." in result.output, result.output
    off = app.test_cli_runner().invoke(args=["grades", "publish", "--course", "999"])
    assert off.exit_code != 0 and "No course has the participation column on" in off.output


def test_a_learners_privacy_page_and_download_list_their_own_scores_only(app, lms):
    staff = staff_with_column(app, lms, "learner-1", "learner-2", target_gifts_given="4")
    give("learner-1", 3)
    give("learner-2", 1)
    publish(app, staff)
    ana = launched(app, lms, "learner-1")
    page = ana.client.get("/learner/privacy").get_data(as_text=True)
    scores = page[page.index('id="scores-title"') : page.index('id="rights-title"')]
    assert "8.75 / 10" in scores and "Accepted by the platform (204)" in scores
    assert "6.25 / 10" not in scores  # Ben's score
    download = ana.client.get("/learner/privacy/scores.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    lines = download.get_data(as_text=True).splitlines()
    assert lines[0] == "Score,Out of,Status,Queued (UTC),Sent (UTC),Platform's answer"
    assert len(lines) == 2 and lines[1].startswith("8.75,10,Sent,")
    assert lines[1].endswith("Accepted by the platform (204).")


def test_a_refused_score_shows_the_platforms_words_on_the_learners_privacy_page(app, lms):
    staff = staff_with_column(app, lms, "learner-1")
    fail_next(lms, 403, 1)
    publish(app, staff)
    ana = launched(app, lms, "learner-1")
    page = ana.client.get("/learner/privacy").get_data(as_text=True)
    assert "Refused by the platform" in page
    assert "does not let Communitas post this score" in page
