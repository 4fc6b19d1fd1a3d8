"""Exchange conversations, tags, status words, time zones and free hours through real pages."""

import re

import pytest
from sqlalchemy import select

from cohorts.models import Course, Exchange, ExchangeMessage, Gift, Profile
from lti_app.extensions import db

from .exchange_world import browsers, person, publish_cohort

HOME = "/learner/exchange/"
STAFF = "/instructor/exchange/"
FORM = "/learner/profile"  #: any page with a form gives the session's CSRF token


@pytest.fixture
def cohort(app, test_platform):
    people = browsers(app, test_platform, "learner-1", "learner-2", "learner-3", "instructor-1")
    return people, publish_cohort("Otters", ["learner-1", "learner-2", "learner-3"])


def only(model, column, **where):
    query = select(column)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalars(query).one()


def text(response):
    return response.get_data(as_text=True)


def test_a_gift_travels_through_its_conversation_to_thanks(cohort):
    people, _ = cohort
    ana, ben = people["learner-1"], people["learner-2"]
    ana.post(HOME + "offer", {"kind": "feedback", "title": "I review charts", "capacity": "1"})
    gift = only(Gift, Gift.id, title="I review charts")
    taken = ben.post(f"{HOME}gifts/{gift}/take", form_page=f"{HOME}gifts/{gift}")
    row = only(Exchange, Exchange.id, gift_id=gift)
    assert taken.headers["Location"].endswith(f"{HOME}exchanges/{row}")
    thread = f"{HOME}exchanges/{row}"
    sent = ben.post(
        thread + "/messages", {"body": "Here is [my chart](https://example.org/c)"}, form_page=FORM
    )
    assert sent.status_code == 302
    listing = text(ana.get(HOME))
    assert "1 new message" in listing and "Write your help and mark it as given" in listing
    page = text(ana.get(thread))
    assert '<a href="https://example.org/c" rel="noopener noreferrer nofollow">my chart</a>' in page
    assert "New</span>" in page and "Taken up: give it when you are ready" in page
    assert "1 new message" not in text(ana.get(HOME))
    given = ana.post(
        thread + "/give",
        {"help_text": "The axis needs a label. <script>alert(1)</script> **Nice colours.**"},
        form_page=FORM,
        follow_redirects=True,
    )
    page = text(given)
    assert "<strong>Nice colours.</strong>" in page and "<script>alert" not in page
    assert "Marked as given: waiting for them to confirm" in page
    receiver = text(ben.get(thread))
    assert "Marked as given: confirm you received it" in receiver and "I received it" in receiver
    assert "The axis needs a label." in receiver
    ben.post(thread + "/receive", {"helpfulness": "5"}, form_page=FORM)
    thanked = ben.post(
        thread + "/thank", {"note": "So helpful!"}, form_page=FORM, follow_redirects=True
    )
    assert "Received and thanked" in text(thanked) and "So helpful!" in text(thanked)
    mine = text(ana.get(f"{HOME}gifts/{gift}"))
    assert "Edit or withdraw" not in mine and "You gave</strong>" in mine
    assert "Received, and they thanked you" in mine and "You give</strong>" not in mine
    assert only(ExchangeMessage, ExchangeMessage.body, author_id=person("learner-1").id)


def test_an_anonymous_asker_is_answered_without_being_named_and_staff_can_hide(cohort):
    people, _ = cohort
    ana, chen, staff = people["learner-1"], people["learner-3"], people["instructor-1"]
    chen_name = person("learner-3").display_name
    chen.post(HOME + "ask", {"kind": "explanation", "title": "Explain logs", "anonymous": "y"})
    ask = only(Gift, Gift.id, title="Explain logs")
    ana.post(f"{HOME}gifts/{ask}/take", form_page=f"{HOME}gifts/{ask}")
    row = only(Exchange, Exchange.id, gift_id=ask)
    thread = f"{HOME}exchanges/{row}"
    ana.post(thread + "/messages", {"body": "Which part of logs?"}, form_page=FORM)
    chen.post(thread + "/messages", {"body": "Why log(1) is 0"}, form_page=FORM)
    helper_view = text(ana.get(thread))
    assert "A classmate</strong>" in helper_view and chen_name not in helper_view
    assert chen_name not in text(ana.get(HOME + "notices"))
    assert "you asked anonymously" in text(chen.get(thread))
    staff_view = text(staff.get(f"{STAFF}exchanges/{row}"))
    assert chen_name in staff_view and "Why log(1) is 0" in staff_view
    assert "Explain logs" in text(staff.get(STAFF))  # listed under latest conversations
    message = only(ExchangeMessage, ExchangeMessage.id, body="Why log(1) is 0")
    hidden = staff.post(f"{STAFF}messages/{message}/hide", form_page=f"{STAFF}settings")
    assert hidden.status_code == 302
    for reader in (ana, chen):
        page = text(reader.get(thread))
        assert "Why log(1) is 0" not in page and "hidden while course staff review it" in page
    queue = text(staff.get(STAFF + "moderation"))
    assert "Why log(1) is 0" in queue and "cohort Otters" in queue
    assert "Read the whole conversation" in queue


def test_tags_are_suggested_and_a_match_says_why(cohort):
    people, _ = cohort
    ana, ben = people["learner-1"], people["learner-2"]
    course = db.session.scalars(select(Course.id)).one()
    db.session.add(Profile(course_id=course, person_id=person("learner-1").id, offers="statistics"))
    db.session.commit()
    ben.post(HOME + "ask", {"kind": "explanation", "title": "P-values please", "tags": "stats"})
    form = text(ben.get(HOME + "offer"))
    assert '<datalist id="tag-suggestions">' in form and '<option value="statistics">' in form
    assert 'list="tag-suggestions"' in form
    assert "Matches what you offer: you offered statistics" in text(ana.get(HOME))


def test_nobody_reads_about_themselves_in_the_third_person(cohort):
    people, _ = cohort
    ana = people["learner-1"]
    name = person("learner-1").display_name
    page = text(ana.get(HOME))
    assert "You haven&#39;t received anything yet" in page
    assert f"{name} hasn&#39;t received" not in page
    assert "You have not given anything yet" in page


def test_an_empty_course_exchange_does_not_claim_every_ask_is_answered(cohort):
    people, _ = cohort
    page = text(people["instructor-1"].get(STAFF))
    assert "Every ask has an answer" not in page and "No asks yet" in page
    assert "Nobody only gives" not in page and "No completed gifts yet" in page


def test_the_profile_takes_a_named_zone_and_refuses_a_made_up_one(cohort):
    people, _ = cohort
    ben = people["learner-2"]
    page = text(ben.get("/learner/profile"))
    assert '<option value="Europe/Lisbon">Europe/Lisbon (UTC' in page
    bad = ben.post("/learner/profile", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 400 and "not a time zone we know" in text(bad)
    saved = ben.post(
        "/learner/profile",
        {"time_zone": "Europe/Lisbon", "availability": ["mon-evening"]},
        follow_redirects=True,
    )
    assert re.search(r'<option selected value="Europe/Lisbon">', text(saved))
    course = db.session.scalars(select(Course.id)).one()
    stored = db.session.scalars(select(Profile).where(Profile.course_id == course)).one()
    stored.time_zone = "Etc/GMT-1"
    db.session.commit()
    again = text(ben.get("/learner/profile"))
    assert "a fixed offset from before" in again
    assert '<option selected value="Etc/GMT-1">UTC+01:00, all year' in again


def test_the_cohort_page_says_when_everyone_is_free_in_the_readers_zone(cohort):
    people, _ = cohort
    ana, ben, chen = people["learner-1"], people["learner-2"], people["learner-3"]
    lonely = text(ana.get("/learner/cohort"))
    assert "When you are all free" in lonely and "fewer than two of you" in lonely
    for browser, zone, parts in (
        (ana, "Europe/Lisbon", ["mon-evening", "tue-evening"]),
        (ben, "Europe/Lisbon", ["mon-evening"]),
        (chen, "Europe/Lisbon", ["mon-evening", "wed-morning"]),
    ):
        browser.post("/learner/profile", {"time_zone": zone, "availability": parts})
    page = text(ana.get("/learner/cohort"))
    assert "All 3 of you who gave your hours are free together 4 hours a week" in page
    assert "Mon 18:00–22:00 (your time, Europe/Lisbon)" in page
    ben.post("/learner/profile", {"time_zone": "Europe/Lisbon", "availability": ["sat-morning"]})
    none = text(ana.get("/learner/cohort"))
    assert "no hour in the week when all 3 of you" in none and "Add more free times" in none
