"""Forms say what is wrong next to each field, keep what was typed, and survive an expired token."""

import re

import pytest
from sqlalchemy import func, select

from cohorts.models import Gift, Post
from lti_app.extensions import db
from tests.conftest import make_tool_app

from .cohort_client import TOKEN
from .exchange_world import browsers, publish_cohort

OFFER = "/learner/exchange/offer"
TYPED = "I can review your first chart"


@pytest.fixture
def ana(app, test_platform):
    people = browsers(app, test_platform, "learner-1", "learner-2", "learner-3")
    publish_cohort("Otters", ["learner-1", "learner-2", "learner-3"])
    return people["learner-1"]


def field_tag(html: str, name: str) -> str:
    match = re.search(rf'<(?:input|textarea|select)[^>]*name="{name}"[^>]*>', html)
    assert match, f"no field {name}"
    return match.group(0)


def test_every_error_shows_at_once_beside_its_field_and_in_a_linked_summary(ana):
    data = {"kind": "feedback", "title": "ab", "body": "x" * 4001, "ends_on": "5 Dec"}
    page = ana.post(OFFER, data)
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    summary = html[html.index('id="error-summary"') :]
    for field, words in (
        ("title", "Use 3 to 120 characters for the title."),
        ("body", "Keep the text under 4000 characters."),
        ("ends_on", "Use a date like 2026-12-05"),
    ):
        tag = field_tag(html, field)
        assert 'aria-invalid="true"' in tag
        assert f"{field}-error" in tag.split('aria-describedby="')[1].split('"')[0]
        assert f'id="{field}-error">{words}' in html
        assert f'href="#{field}"' in summary
    assert 'value="5 Dec"' in field_tag(html, "ends_on")  # what was typed stays
    assert "x" * 4001 + "</textarea>" in html
    assert db.session.scalar(select(func.count(Gift.id))) == 0


def test_long_text_is_counted_not_cut_short(ana):
    html = ana.get(OFFER).get_data(as_text=True)
    body = field_tag(html, "body")
    assert "maxlength" not in body and 'data-max="4000"' in body
    assert "body-count" in body and "Up to 4000 characters." in html


def test_an_expired_form_comes_back_with_what_was_typed_and_a_fresh_token(ana):
    page = ana.client.post(OFFER, data={"csrf_token": "stale", "kind": "feedback", "title": TYPED})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "That form had expired. Nothing was changed." in html
    assert f'value="{TYPED}"' in field_tag(html, "title")
    assert "reload" not in html.lower()
    token = TOKEN.search(html)
    assert token and token.group(1) != "stale"
    again = ana.client.post(
        OFFER, data={"csrf_token": token.group(1), "kind": "feedback", "title": TYPED}
    )
    assert again.status_code == 302
    assert db.session.scalar(select(Gift.title)) == TYPED


def test_an_expired_board_post_keeps_its_text_to_send_again(ana):
    words = "Shall we meet on Thursday evening?"
    page = ana.client.post("/learner/cohort/posts", data={"csrf_token": "", "body": words})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "reload" not in html.lower()
    assert f">{words}</textarea>" in html and "Send it again" in html
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    sent = ana.client.post("/learner/cohort/posts", data={"csrf_token": token[1], "body": words})
    assert sent.status_code == 302
    assert db.session.scalar(select(Post.body)) == words


def test_an_expired_form_after_the_visit_ended_still_shows_the_text(app):
    client = app.test_client()
    page = client.post("/learner/cohort/posts", data={"body": "Kept for copying"})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Kept for copying</textarea>" in html and "open Communitas again" in html
    assert "reload" not in html.lower()


def test_opening_the_launch_address_as_a_link_says_to_start_from_the_course(app):
    page = app.test_client().get("/lti/launch")
    html = page.get_data(as_text=True)
    assert page.status_code == 405 and "POST" in page.headers["Allow"]
    assert "Open Communitas from your course" in html and "Method Not Allowed" not in html
    other = app.test_client().get("/learner/cohort/posts")
    assert other.status_code == 405 and "cannot be opened this way" in other.get_data(True)


def test_without_a_launch_the_sandbox_tool_points_newcomers_to_the_sandbox(
    database_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("COMMUNITAS_INSTANCE_PATH", str(tmp_path))
    app = make_tool_app(database_url, SANDBOX=True)
    page = app.test_client().get("/")
    assert page.status_code == 401
    assert 'href="/sandbox/"' in page.get_data(as_text=True)
    plain = make_tool_app(database_url).test_client().get("/")
    assert plain.status_code == 401 and "/sandbox" not in plain.get_data(as_text=True)


def test_a_form_posted_from_another_site_is_not_offered_back_filled_in(ana):
    words = "Text another site wrote"
    for url, data in (
        (OFFER, {"kind": "feedback", "title": words}),
        ("/learner/cohort/posts", {"body": words}),
    ):
        page = ana.client.post(url, data=data, headers={"Origin": "https://elsewhere.example"})
        html = page.get_data(as_text=True)
        assert page.status_code == 400 and "Nothing was changed" in html
        assert words not in html and "Send it again" not in html
