"""The gift exchange through real launches: offer, ask, match, give, receive, thank, moderate."""

import re

import pytest
from sqlalchemy import select

from cohorts.models import Course, Exchange, Gift, ModerationCase, Post, Profile
from lti_app.extensions import db

from .exchange_world import browsers, person, publish_cohort

HOME = "/learner/exchange/"
FORM = "/learner/profile"  #: any page with a form gives the session's CSRF token
XSS = ["<script>alert(1)</script>", "[x](javascript:alert(1))", "<img src=x onerror=alert(1)>"]


@pytest.fixture
def cohort(app, test_platform):
    people = browsers(app, test_platform, "learner-1", "learner-2", "learner-3", "instructor-1")
    cohort = publish_cohort("Otters", ["learner-1", "learner-2", "learner-3"])
    return people, cohort


def gift_id(title):
    return db.session.scalars(select(Gift.id).where(Gift.title == title)).one()


def exchange_of(gift):
    return db.session.scalars(select(Exchange.id).where(Exchange.gift_id == gift)).one()


def test_a_cohort_offers_asks_matches_gives_receives_and_thanks(cohort):
    people, _ = cohort
    ana, ben, chen = people["learner-1"], people["learner-2"], people["learner-3"]
    course = db.session.scalars(select(Course.id)).one()
    db.session.add(Profile(course_id=course, person_id=person("learner-2").id, offers="statistics"))
    db.session.commit()
    page = ana.post(
        HOME + "offer",
        {
            "kind": "feedback",
            "title": "I review charts",
            "body": "**Happy** to help",
            "tags": "charts",
            "capacity": "1",
        },
        follow_redirects=True,
    )
    assert page.status_code == 200 and "<strong>Happy</strong>" in page.get_data(as_text=True)
    asked = chen.post(
        HOME + "ask",
        {
            "kind": "explanation",
            "title": "What is a p-value?",
            "tags": "statistics",
            "anonymous": "y",
        },
    )
    assert asked.status_code == 302
    listing = ben.get(HOME).get_data(as_text=True)
    assert "Matches what you offer" in listing and "A classmate" in listing
    assert "I review charts" in listing

    offer = gift_id("I review charts")
    claim = ben.post(
        f"{HOME}gifts/{offer}/take", form_page=f"{HOME}gifts/{offer}", follow_redirects=True
    )
    assert "It&#39;s yours" in claim.get_data(as_text=True)
    again = chen.post(f"{HOME}gifts/{offer}/take", form_page=FORM)
    assert again.status_code == 409
    assert "Notices (1 new)" in ana.get(HOME).get_data(as_text=True)
    notices = ana.get(HOME + "notices").get_data(as_text=True)
    assert "claimed your offer" in notices
    assert "Notices (1 new)" not in ana.get(HOME).get_data(as_text=True)

    row = exchange_of(offer)
    # Only the giver marks it given.
    assert ben.post(f"{HOME}exchanges/{row}/give", form_page=FORM).status_code == 409
    assert ana.post(f"{HOME}exchanges/{row}/give", form_page=FORM).status_code == 302
    done = ben.post(
        f"{HOME}exchanges/{row}/receive",
        {"note": "Thanks a lot!", "helpfulness": "5"},
        form_page=FORM,
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Received and thanked" in done and "5 of 5" in done
    assert "thanked you" in ana.get(HOME + "notices").get_data(as_text=True)
    flow = chen.get(HOME).get_data(as_text=True)
    assert "gave to" in flow and "hasn&#39;t received anything yet" in flow


def test_learners_report_and_staff_moderate(cohort):
    people, _ = cohort
    ana, ben, chen, staff = (
        people[u] for u in ("learner-1", "learner-2", "learner-3", "instructor-1")
    )
    ana.post(HOME + "offer", {"kind": "other", "title": "Buy my essays", "tags": ""})
    gift = gift_id("Buy my essays")
    for reporter in (ben, chen):
        answer = reporter.post(
            f"{HOME}report/gift/{gift}", {"category": "other", "details": "Selling essays"}
        )
        assert answer.status_code == 302
    assert "Buy my essays" not in ben.get(HOME).get_data(as_text=True)
    assert ben.get(f"{HOME}gifts/{gift}").status_code == 404
    queue = staff.get("/instructor/exchange/moderation").get_data(as_text=True)
    assert "Buy my essays" in queue and "Selling essays" in queue
    case = db.session.scalars(select(ModerationCase.id)).one()
    removed = staff.post(
        f"/instructor/exchange/moderation/{case}/remove", form_page="/instructor/exchange/settings"
    )
    assert removed.status_code == 302
    assert db.session.get(Gift, gift) is not None
    assert "Staff removed" in ana.get(HOME + "notices").get_data(as_text=True)


def test_a_board_post_reported_by_staff_is_hidden_at_once(cohort):
    _, team = cohort
    staff = cohort[0]["instructor-1"]
    post = Post(cohort_id=team.id, author_id=person("learner-1").id, body="Rude words")
    db.session.add(post)
    db.session.commit()
    ben = cohort[0]["learner-2"]
    board = ben.get("/learner/cohort").get_data(as_text=True)
    assert "Rude words" in board and f"report/post/{post.id}" in board
    answer = staff.post(
        f"{HOME}report/post/{post.id}", {"category": "other", "details": "Insulting"}
    )
    assert answer.status_code == 302
    assert db.session.scalars(select(ModerationCase.state)).one() == "hidden"
    board = ben.get("/learner/cohort").get_data(as_text=True)
    assert "Rude words" not in board and "hidden while course staff review" in board
    staff_view = staff.get(f"/instructor/cohorts/{team.id}/board").get_data(as_text=True)
    assert "Rude words" in staff_view and "Hidden from learners" in staff_view


def test_staff_see_reciprocity_unanswered_asks_and_the_gift_graph(cohort):
    people, _ = cohort
    ana, ben, staff = people["learner-1"], people["learner-2"], people["instructor-1"]
    ana.post(HOME + "offer", {"kind": "resource", "title": "Great stats book"})
    offer = gift_id("Great stats book")
    ben.post(f"{HOME}gifts/{offer}/take", form_page=FORM)
    ana.post(f"{HOME}exchanges/{exchange_of(offer)}/give", form_page=FORM)
    ben.post(HOME + "ask", {"kind": "explanation", "title": "Help with R loops", "tags": "r"})
    html = staff.get("/instructor/exchange/").get_data(as_text=True)
    assert "Otters: 0% gave and received" in html and "1 only gave" in html
    assert "<svg" in html and "<line" in html and "Help with R loops" in html
    assert re.search(r"\d{4}-W\d{2}</td><td>Offer</td><td>Resource or link", html)
    assert "Ana Souza" in html.split("Only gave")[1].split("Only received")[0]
    # The page's title is plain words, and its conversation list shows once, in the page.
    assert "<title>Gift exchange</title>" in html
    assert html.count('<h2 id="conversations-title">') == 1


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_every_text_field_never_comes_back_executable(cohort, payload):
    people, _ = cohort
    ana, ben, staff = people["learner-1"], people["learner-2"], people["instructor-1"]
    title = f"Title {payload}"[:120]
    ana.post(HOME + "offer", {"kind": "other", "title": title, "body": payload, "tags": "safe"})
    gift = gift_id(title)
    ben.post(f"{HOME}gifts/{gift}/take", form_page=FORM)
    row = exchange_of(gift)
    ana.post(f"{HOME}exchanges/{row}/give", form_page=FORM)
    ben.post(f"{HOME}exchanges/{row}/receive", {"note": payload[:280]}, form_page=FORM)
    ana.post(
        f"{HOME}gifts/{gift}/edit",
        {"title": title, "body": payload + " again"},
        form_page=f"{HOME}gifts/{gift}",
    )
    ben.post(f"{HOME}report/gift/{gift}", {"category": "other", "details": payload})
    pages = [
        ana.get(HOME),
        ana.get(f"{HOME}gifts/{gift}"),
        ben.get(HOME),
        ana.get(HOME + "notices"),
        staff.get("/instructor/exchange/"),
        staff.get("/instructor/exchange/moderation"),
    ]
    for page in pages:
        html = page.get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert 'href="javascript:' not in html and "onerror=alert(1)>" not in html


FORMS = [
    ("learner-1", HOME + "offer", {"kind": "other", "title": "No token"}),
    ("learner-1", HOME + "ask", {"kind": "other", "title": "No token"}),
    ("learner-2", HOME + "gifts/{gift}/take", {}),
    ("learner-1", HOME + "gifts/{gift}/withdraw", {}),
    ("learner-1", HOME + "gifts/{gift}/edit", {"title": "No token"}),
    ("learner-1", HOME + "exchanges/{row}/give", {}),
    ("learner-2", HOME + "exchanges/{row}/receive", {}),
    ("learner-2", HOME + "exchanges/{row}/thank", {"note": "x"}),
    ("learner-2", HOME + "report/gift/{gift}", {"category": "other", "details": "No token"}),
    ("instructor-1", "/instructor/exchange/settings", {"weekly_cap": "3"}),
    ("instructor-1", "/instructor/exchange/moderation/{case}/remove", {}),
]


def test_every_form_without_its_csrf_token_is_refused(cohort):
    people, _ = cohort
    ana, ben, staff = people["learner-1"], people["learner-2"], people["instructor-1"]
    ana.post(HOME + "offer", {"kind": "other", "title": "Token test", "capacity": "2"})
    gift = gift_id("Token test")
    ben.post(f"{HOME}gifts/{gift}/take", form_page=FORM)
    staff.post(f"{HOME}report/gift/{gift}", {"category": "other", "details": "check"})
    ids = {
        "gift": gift,
        "row": exchange_of(gift),
        "case": db.session.scalars(select(ModerationCase.id)).one(),
    }
    for user, path, data in FORMS:
        answer = people[user].client.post(path.format(**ids), data=data)
        assert answer.status_code == 400, path


def test_long_text_gets_a_clear_error(cohort):
    ana = cohort[0]["learner-1"]
    page = ana.post(HOME + "offer", {"kind": "other", "title": "ab", "body": "x" * 4001})
    html = page.get_data(as_text=True)
    assert page.status_code == 400
    assert "Use 3 to 120 characters" in html and "under 4000 characters" in html


def test_the_receiver_opens_the_exchange_tab_once_a_gift_is_marked_given(cohort):
    people, _ = cohort
    ana, ben = people["learner-1"], people["learner-2"]
    ana.post(HOME + "offer", {"kind": "feedback", "title": "I read drafts", "capacity": "1"})
    offer = gift_id("I read drafts")
    ben.post(f"{HOME}gifts/{offer}/take", form_page=f"{HOME}gifts/{offer}")
    ana.post(f"{HOME}exchanges/{exchange_of(offer)}/give", form_page=FORM)
    tab = ben.get(HOME)
    assert tab.status_code == 200
    assert "Marked as given: confirm you received it" in tab.get_data(as_text=True)
    assert "Confirm you received it</a>" in tab.get_data(as_text=True)
    page = ben.get(f"{HOME}exchanges/{exchange_of(offer)}").get_data(as_text=True)
    assert "I received it" in page and "Given – waiting" not in page
    confirmed = ben.post(
        f"{HOME}exchanges/{exchange_of(offer)}/receive",
        {"note": ""},
        form_page=f"{HOME}exchanges/{exchange_of(offer)}",
    )
    assert confirmed.status_code == 302


def test_an_anonymous_asker_stays_a_classmate_to_the_helper_in_every_place(cohort):
    people, _ = cohort
    ana, chen = people["learner-1"], people["learner-3"]
    chen.post(HOME + "ask", {"kind": "explanation", "title": "Explain logs", "anonymous": "y"})
    ask = gift_id("Explain logs")
    ana.post(f"{HOME}gifts/{ask}/take", form_page=f"{HOME}gifts/{ask}")
    chen_name = person("learner-3").display_name
    assert "You give</strong>" in ana.get(HOME).get_data(as_text=True)
    assert "to a classmate (anonymous ask)" in ana.get(HOME).get_data(as_text=True)
    gift_page = ana.get(f"{HOME}gifts/{ask}").get_data(as_text=True)
    assert "by A classmate" in gift_page and chen_name not in gift_page
    ana.post(f"{HOME}exchanges/{exchange_of(ask)}/give", form_page=FORM)
    chen.post(f"{HOME}exchanges/{exchange_of(ask)}/receive", {"note": "Thanks!"}, form_page=FORM)
    notices = ana.get(HOME + "notices").get_data(as_text=True)
    assert "A classmate thanked you" in notices and chen_name not in notices


def test_a_hidden_or_removed_board_message_is_unreadable_on_the_report_page(cohort):
    people, team = cohort
    ben, chen, staff = people["learner-2"], people["learner-3"], people["instructor-1"]
    post = Post(cohort_id=team.id, author_id=person("learner-1").id, body="Home address: 5 Elm")
    db.session.add(post)
    db.session.commit()
    staff.post(f"{HOME}report/post/{post.id}", {"category": "other", "details": "Personal data"})
    hidden = ben.get(f"{HOME}report/post/{post.id}")
    assert hidden.status_code == 404 and "5 Elm" not in hidden.get_data(as_text=True)
    case = db.session.scalars(select(ModerationCase.id)).one()
    staff.post(
        f"/instructor/exchange/moderation/{case}/remove", form_page="/instructor/exchange/settings"
    )
    for removed in (
        chen.get(f"{HOME}report/post/{post.id}"),
        ben.post(
            f"{HOME}report/post/{post.id}",
            {"category": "other", "details": "Still there?"},
            form_page=FORM,
        ),
    ):
        assert removed.status_code == 404 and "5 Elm" not in removed.get_data(as_text=True)
    assert "5 Elm" in staff.get(f"{HOME}report/post/{post.id}").get_data(as_text=True)
