"""Who may call each exchange route; ids of another cohort or course are never found."""

import pytest
from sqlalchemy import func, select

from cohorts.models import (
    Exchange,
    ExchangeMessage,
    Gift,
    ModerationCase,
    Report,
)
from lti_app.extensions import db

from .test_cohort_authz import call

E = "/learner/exchange"
LEARNER_PAGES = [("GET", E + "/")]
LEARNER_ONLY = [
    ("GET", E + "/offer"),
    ("POST", E + "/offer"),
    ("GET", E + "/ask"),
    ("POST", E + "/ask"),
    ("GET", E + "/notices"),
    ("POST", E + "/gifts/{shared}/take"),
    ("POST", E + "/gifts/{mine}/withdraw"),
    ("POST", E + "/gifts/{mine}/edit"),
    ("POST", E + "/exchanges/{row}/give"),
    ("POST", E + "/exchanges/{row}/receive"),
    ("POST", E + "/exchanges/{row}/thank"),
    ("GET", E + "/exchanges/{row}"),
    ("POST", E + "/exchanges/{row}/messages"),
]
REPORT = [
    ("GET", E + "/report/gift/{shared}"),
    ("POST", E + "/report/gift/{shared}"),
    ("GET", E + "/report/message/{message}"),
    ("POST", E + "/report/message/{message}"),
]
STAFF_ROUTES = [
    ("GET", "/instructor/exchange/", 200),
    ("GET", "/instructor/exchange/settings", 200),
    ("POST", "/instructor/exchange/settings", 400),
    ("GET", "/instructor/exchange/moderation", 200),
    ("POST", "/instructor/exchange/moderation/{case}/restore", 302),
    ("POST", "/instructor/exchange/moderation/{case}/remove", 302),
    ("GET", "/instructor/exchange/exchanges/{row}", 200),
    ("POST", "/instructor/exchange/messages/{message}/hide", 302),
]
FOREIGN_TO_LEARNER = [
    ("GET", E + "/gifts/{next}"),
    ("POST", E + "/gifts/{next}/take"),
    ("POST", E + "/gifts/{next}/edit"),
    ("POST", E + "/gifts/{next}/withdraw"),
    ("GET", E + "/report/gift/{next}"),
    ("POST", E + "/report/gift/{next}"),
    ("POST", E + "/exchanges/{next_row}/give"),
    ("POST", E + "/exchanges/{next_row}/receive"),
    ("GET", E + "/gifts/{far}"),
    ("POST", E + "/gifts/{far}/take"),
    ("POST", E + "/gifts/{far}/withdraw"),
    ("POST", E + "/report/gift/{far}"),
    ("POST", E + "/exchanges/{far_row}/give"),
    ("POST", E + "/exchanges/{far_row}/thank"),
    ("GET", E + "/exchanges/{next_row}"),
    ("POST", E + "/exchanges/{next_row}/messages"),
    ("GET", E + "/exchanges/{far_row}"),
    ("POST", E + "/exchanges/{far_row}/messages"),
    ("GET", E + "/report/message/{next_message}"),
    ("POST", E + "/report/message/{next_message}"),
    ("POST", E + "/report/message/{far_message}"),
]
FOREIGN_TO_STAFF = [
    ("GET", E + "/report/gift/{far}"),
    ("POST", E + "/report/gift/{far}"),
    ("POST", "/instructor/exchange/moderation/{far_case}/restore"),
    ("POST", "/instructor/exchange/moderation/{far_case}/remove"),
    ("GET", "/instructor/exchange/exchanges/{far_row}"),
    ("POST", "/instructor/exchange/messages/{far_message}/hide"),
    ("GET", E + "/report/message/{far_message}"),
    ("POST", E + "/report/message/{far_message}"),
]
FILLED = {
    "category": "spam",
    "details": "Not right here",
    "title": "Changed by someone else",
    "note": "hi",
    "body": "Let me in",
}


@pytest.mark.parametrize(("method", "path"), LEARNER_PAGES)
@pytest.mark.parametrize(
    ("role", "expected"), [("learner", 200), ("guest", 200), ("staff", 403), ("anonymous", 401)]
)
def test_the_exchange_page_by_role(app, world, method, path, role, expected):
    clients, _ = world
    assert call(app, clients[role], method, path).status_code == expected


@pytest.mark.parametrize(("method", "path"), LEARNER_ONLY)
@pytest.mark.parametrize(("role", "expected"), [("guest", 403), ("staff", 403), ("anonymous", 401)])
def test_learner_routes_refuse_other_roles(app, world, method, path, role, expected):
    clients, ids = world
    assert call(app, clients[role], method, path.format(**ids)).status_code == expected


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("learner", 200),
        ("peer", 200),
        ("other", 404),
        ("guest", 404),
        ("staff", 403),
        ("anonymous", 401),
    ],
)
def test_a_gift_page_is_seen_by_its_cohort_only(app, world, role, expected):
    clients, ids = world
    assert call(app, clients[role], "GET", f"{E}/gifts/{ids['mine']}").status_code == expected


@pytest.mark.parametrize(("method", "path"), REPORT)
@pytest.mark.parametrize(("role", "expected"), [("guest", 403), ("anonymous", 401)])
def test_guests_and_strangers_cannot_report(app, world, method, path, role, expected):
    clients, ids = world
    assert call(app, clients[role], method, path.format(**ids)).status_code == expected


@pytest.mark.parametrize(("method", "path", "expected"), STAFF_ROUTES)
def test_staff_routes_by_role(app, world, method, path, expected):
    clients, ids = world
    url = path.format(**ids)
    assert call(app, clients["staff"], method, url).status_code == expected, url
    for role, status in (("learner", 403), ("guest", 403), ("anonymous", 401)):
        assert call(app, clients[role], method, url).status_code == status, (role, url)


@pytest.mark.parametrize(("method", "path"), FOREIGN_TO_LEARNER)
def test_a_learner_never_reaches_another_cohort_or_course(app, world, method, path):
    clients, ids = world
    response = call(app, clients["learner"], method, path.format(**ids), FILLED)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.scalars(select(Exchange.status)).all() == ["claimed"] * 3
    assert {g.title for g in db.session.scalars(select(Gift))} >= {"Next door offer", "Their offer"}
    assert all(g.status == "open" for g in db.session.scalars(select(Gift)))
    assert db.session.scalar(select(func.count(ExchangeMessage.id))) == 3
    assert db.session.scalar(select(func.count(Report.id))) == 0


@pytest.mark.parametrize(("method", "path"), FOREIGN_TO_STAFF)
def test_staff_never_reach_another_course(app, world, method, path):
    clients, ids = world
    response = call(app, clients["staff"], method, path.format(**ids), FILLED)
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ModerationCase, ids["far_case"]).state == "hidden"


def test_a_member_cannot_step_into_an_exchange_between_two_others(app, world):
    clients, ids = world
    for action in ("give", "receive", "thank"):
        answer = call(app, clients["other"], "POST", f"{E}/exchanges/{ids['row']}/{action}", FILLED)
        assert answer.status_code == 404
    assert (
        call(app, clients["peer"], "POST", f"{E}/gifts/{ids['mine']}/withdraw").status_code == 403
    )


def test_only_the_two_people_of_an_exchange_read_and_write_its_conversation(app, world):
    clients, ids = world
    thread = f"{E}/exchanges/{ids['row']}"
    for role in ("learner", "peer"):
        page = call(app, clients[role], "GET", thread)
        assert page.status_code == 200 and "Thanks for offering" in page.get_data(as_text=True)
    stranger = call(app, clients["other"], "GET", thread)
    assert stranger.status_code == 404 and "Thanks for offering" not in stranger.get_data(
        as_text=True
    )
    assert call(app, clients["other"], "POST", thread + "/messages", FILLED).status_code == 404
    assert call(app, clients["guest"], "POST", thread + "/messages", FILLED).status_code == 403
    report = f"{E}/report/message/{ids['message']}"
    assert call(app, clients["other"], "GET", report).status_code == 404
    db.session.expire_all()
    assert db.session.scalar(select(func.count(ExchangeMessage.id))) == 3
