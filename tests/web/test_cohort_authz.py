"""Who may call each cohort route, and ids from another course are never found."""

import hashlib
import os

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from cohorts.models import (
    Challenge,
    Cohort,
    Course,
    Enrolment,
    Membership,
    Person,
    Post,
    utcnow,
)
from lti_app.extensions import db
from tests.conftest import Launcher


def token_for(app, client):
    """Sign a CSRF token for this client's session, as Flask-WTF does for its forms."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


@pytest.fixture
def world(app, test_platform):
    """Launched clients per role in the demo course, its objects, and a second course."""
    clients = {}
    for role, user in (("staff", "instructor-1"), ("learner", "learner-1"), ("guest", "mentor-1")):
        launcher = Launcher(app.test_client(), test_platform)
        assert launcher.launch(user).status_code == 303
        clients[role] = launcher.client
    clients["anonymous"] = app.test_client()
    course = db.session.scalars(select(Course)).one()
    me = db.session.scalars(select(Person).where(Person.sub == "learner-1")).one()
    ids = {"pa": me.id}
    for key, status in (("ca", "active"), ("cp", "proposed"), ("cx", "active")):
        row = Challenge(course_id=course.id, title=f"Challenge {key}", status=status)
        db.session.add(row)
        db.session.flush()
        ids[key] = row.id
    own = Cohort(course_id=course.id, challenge_id=ids["ca"], name="Own", status="published")
    db.session.add(own)
    db.session.flush()
    db.session.add(Membership(cohort_id=own.id, course_id=course.id, person_id=me.id))
    ids["ka"] = own.id
    other = Course(issuer="https://other.example", deployment_id="x", context_id="b")
    stranger = Person(issuer="https://other.example", sub="s1", name="Stranger")
    db.session.add_all([other, stranger])
    db.session.flush()
    db.session.add(Enrolment(course_id=other.id, person_id=stranger.id, role="learner"))
    theirs = Challenge(course_id=other.id, title="Their challenge", status="proposed")
    db.session.add(theirs)
    db.session.flush()
    cohort = Cohort(course_id=other.id, challenge_id=theirs.id, name="Theirs", status="published")
    db.session.add(cohort)
    db.session.flush()
    db.session.add(Membership(cohort_id=cohort.id, course_id=other.id, person_id=stranger.id))
    post = Post(
        cohort_id=cohort.id, author_id=stranger.id, body="Private words", created_at=utcnow()
    )
    db.session.add(post)
    db.session.commit()
    ids |= {"cb": theirs.id, "kb": cohort.id, "pb": stranger.id, "post_b": post.id}
    return clients, ids


LEARNER_PAGES = [("GET", "/learner/"), ("GET", "/learner/challenges"), ("GET", "/learner/privacy")]
LEARNER_ONLY = [
    ("GET", "/learner/profile"),
    ("GET", "/learner/cohort"),
    ("POST", "/learner/challenges/propose"),
    ("POST", "/learner/cohort/posts"),
    ("POST", "/learner/profile"),
    ("GET", "/learner/rhythm"),
    ("POST", "/learner/cohort/members/1/encourage"),
]
STAFF_ROUTES = [
    ("GET", "/instructor/", 200),
    ("GET", "/instructor/challenges", 200),
    ("POST", "/instructor/challenges", 400),
    ("GET", "/instructor/challenges/{ca}/edit", 200),
    ("POST", "/instructor/challenges/{ca}/edit", 302),  # absent fields keep their values
    ("POST", "/instructor/challenges/{cp}/approve", 302),
    ("POST", "/instructor/challenges/{cx}/archive", 302),
    ("POST", "/instructor/challenges/{ca}/merge", 400),
    ("GET", "/instructor/settings", 200),
    ("POST", "/instructor/settings", 400),
    ("GET", "/instructor/cohorts", 200),
    ("POST", "/instructor/cohorts/form", 302),
    ("POST", "/instructor/cohorts/move", 400),
    ("POST", "/instructor/cohorts/{ka}/lock", 302),
    ("POST", "/instructor/cohorts/{ka}/unlock", 302),
    ("POST", "/instructor/cohorts/{ka}/rename", 400),
    ("POST", "/instructor/cohorts/publish", 400),
    ("POST", "/instructor/cohorts/{ka}/merge", 400),
    ("POST", "/instructor/cohorts/{ka}/dismiss", 302),
    ("POST", "/instructor/waiting/{ca}/form", 400),
    ("POST", "/instructor/cohorts/{ka}/members/{pa}/remove", 302),
    ("GET", "/instructor/cohorts/{ka}/board", 200),
    ("GET", "/instructor/export", 200),
    ("GET", "/instructor/export/moodle.csv", 200),
    ("GET", "/instructor/export/canvas.csv", 200),
    ("GET", "/instructor/persistence", 200),
    ("GET", "/instructor/persistence/learners.csv", 200),
    ("POST", "/instructor/persistence/alerts", 400),
    ("GET", "/instructor/persistence/settings", 200),
    ("POST", "/instructor/persistence/settings", 400),
]
FOREIGN = [
    ("GET", "/instructor/cohorts/{kb}/board", {}),
    ("GET", "/instructor/challenges/{cb}/edit", {}),
    ("POST", "/instructor/challenges/{cb}/edit", {"title": "Taken", "kind": "challenge"}),
    ("POST", "/instructor/challenges/{cb}/approve", {}),
    ("POST", "/instructor/challenges/{cb}/archive", {}),
    ("POST", "/instructor/challenges/{cb}/merge", {"target_id": "{ca}"}),
    ("POST", "/instructor/cohorts/{kb}/lock", {}),
    ("POST", "/instructor/cohorts/{kb}/unlock", {}),
    ("POST", "/instructor/cohorts/{kb}/rename", {"name": "Mine now"}),
    ("POST", "/instructor/cohorts/{kb}/dismiss", {}),
    ("POST", "/instructor/cohorts/{kb}/merge", {"target_id": "{ka}"}),
    ("POST", "/instructor/cohorts/{ka}/merge", {"target_id": "{kb}"}),
    ("POST", "/instructor/cohorts/{kb}/members/{pb}/remove", {}),
    ("POST", "/instructor/waiting/{cb}/form", {}),
    (
        "POST",
        "/instructor/persistence/alerts",
        {"kind": "inactive", "subject_id": "{pb}", "action": "contacted"},
    ),
    (
        "POST",
        "/instructor/persistence/alerts",
        {"kind": "quiet_cohort", "subject_id": "{kb}", "action": "dismissed"},
    ),
]


def call(app, client, method, path, data=None):
    if method == "GET":
        return client.get(path)
    return client.post(path, data={"csrf_token": token_for(app, client), **(data or {})})


@pytest.mark.parametrize(("method", "path"), LEARNER_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"), [("learner", 200), ("guest", 200), ("staff", 403), ("anonymous", 401)]
)
def test_learner_pages_by_role(app, world, method, path, role, expected):
    clients, _ = world
    assert call(app, clients[role], method, path).status_code == expected


@pytest.mark.parametrize(("method", "path"), LEARNER_ONLY)
@pytest.mark.parametrize(("role", "expected"), [("guest", 403), ("staff", 403), ("anonymous", 401)])
def test_learner_only_routes_refuse_other_roles(app, world, method, path, role, expected):
    clients, _ = world
    assert call(app, clients[role], method, path).status_code == expected


def test_guests_cannot_save_picks(app, world):
    clients, ids = world
    response = call(app, clients["guest"], "POST", "/learner/challenges", {"first": ids["ca"]})
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "path", "expected"), STAFF_ROUTES)
def test_staff_routes_by_role(app, world, method, path, expected):
    clients, ids = world
    url = path.format(**ids)
    assert call(app, clients["staff"], method, url).status_code == expected, url
    for role, status in (("learner", 403), ("guest", 403), ("anonymous", 401)):
        assert call(app, clients[role], method, url).status_code == status, (role, url)


@pytest.mark.parametrize(("method", "path", "data"), FOREIGN)
def test_ids_from_another_course_are_not_found_for_staff(app, world, method, path, data):
    clients, ids = world
    body = {k: v.format(**ids) for k, v in data.items()}
    response = call(app, clients["staff"], method, path.format(**ids), body)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(Cohort, ids["kb"]).name == "Theirs"
    assert db.session.get(Cohort, ids["kb"]).status == "published"
    assert db.session.get(Challenge, ids["cb"]).status == "proposed"


def test_learners_never_reach_another_cohort_board(app, world):
    clients, ids = world
    learner = clients["learner"]
    page = learner.get("/learner/cohort").get_data(as_text=True)
    assert "Own" in page and "Private words" not in page
    reply = call(
        app,
        learner,
        "POST",
        "/learner/cohort/posts",
        {"body": "Hello", "parent_id": str(ids["post_b"])},
    )
    assert reply.status_code == 404
    assert db.session.scalars(select(Post).where(Post.body == "Hello")).all() == []
    nudge = call(app, learner, "POST", f"/learner/cohort/members/{ids['pb']}/encourage")
    assert nudge.status_code == 404
    picks = call(app, learner, "POST", "/learner/challenges", {"first": ids["cb"]})
    assert picks.status_code in (400, 404)
