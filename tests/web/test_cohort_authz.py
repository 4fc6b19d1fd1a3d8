"""Who may call each cohort route, and ids from another course are never found."""

import hashlib
import os

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from cohorts.models import (
    Challenge,
    Cohort,
    Post,
)
from lti_app.extensions import db


def token_for(app, client):
    """Sign a CSRF token for this client's session, as Flask-WTF does for its forms."""
    with client.session_transaction() as session:
        raw = session.setdefault("csrf_token", hashlib.sha1(os.urandom(64)).hexdigest())
    return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)


LEARNER_PAGES = [
    ("GET", "/learner/"),
    ("GET", "/learner/challenges"),
    ("GET", "/learner/privacy"),
    ("GET", "/learner/privacy/scores.csv"),
]
LEARNER_ONLY = [
    ("POST", "/learner/challenges"),
    ("GET", "/learner/profile"),
    ("GET", "/learner/cohort"),
    ("POST", "/learner/challenges/propose"),
    ("POST", "/learner/challenges/1/add"),
    ("POST", "/learner/challenges/1/up"),
    ("POST", "/learner/challenges/1/down"),
    ("POST", "/learner/challenges/1/remove"),
    ("POST", "/learner/profile/name"),
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
    ("GET", "/instructor/cohorts/publish", 200),
    ("GET", "/instructor/cohorts/{ka}/members/{pa}/remove", 200),
    ("GET", "/instructor/challenges/{ca}/archive", 200),
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
    ("POST", "/instructor/persistence/roster/sync", 302),
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
    ("GET", "/instructor/cohorts/{kb}/members/{pb}/remove", {}),
    ("GET", "/instructor/challenges/{cb}/archive", {}),
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
    card = call(app, learner, "POST", f"/learner/challenges/{ids['cb']}/add", {"rank": "1"})
    assert card.status_code == 404
