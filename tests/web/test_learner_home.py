"""A learner's home is a status page, and challenges are picked on their cards."""

import re

from sqlalchemy import select

from cohorts.models import Choice, Course, Exchange, Gift, Profile
from lti_app.extensions import db

from .cohort_client import Browser
from .exchange_world import browsers, person, publish_cohort
from .test_cohort_pages import TITLES, add_challenges

SETTINGS = {
    "target": "3",
    "minimum": "3",
    "maximum": "3",
    "weight_preference": "1",
    "weight_availability": "1",
    "weight_complement": "1",
}


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def picks_of(sub: str, ids: dict[str, int]) -> list[str]:
    picked = db.session.scalars(
        select(Choice.challenge_id).where(Choice.person_id == person(sub).id).order_by(Choice.rank)
    ).all()
    titles = {cid: title for title, cid in ids.items()}
    return [titles[c] for c in picked]


def card_step(learner: Browser, challenge_id: int, move: str, rank: str = ""):
    """Press one button of a challenge card or of the list of picks."""
    return learner.post(
        f"/learner/challenges/{challenge_id}/{move}",
        {"rank": rank} if rank else {},
        form_page="/learner/challenges",
        follow_redirects=True,
    )


def test_a_new_learner_sees_what_to_do_first_and_the_course_cohort_sizes(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    add_challenges(staff)
    staff.post("/instructor/settings", {**SETTINGS, "target": "5", "minimum": "4", "maximum": "6"})
    learner = Browser(app, test_platform, "learner-1")
    home = text(learner.get("/learner/"))
    assert "Getting started: 0 of 4 done" in home
    assert "Pick the challenges you share" in home
    assert "4 to 6 people" in home and "3 to 8" not in home


def test_cards_add_reorder_and_remove_picks_and_home_follows(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    ids = add_challenges(staff)
    ana = Browser(app, test_platform, "learner-1")
    page = text(ana.get("/learner/challenges"))
    assert "My picks (0 of 3)" in page and "Add as 1st" in page
    assert "Add as 2nd" not in page  # nothing to come after yet
    assert re.search(r"<details class=\"card\"[^>]*>\s*<summary>Suggest a challenge", page)

    first = text(card_step(ana, ids[TITLES[0]], "add", "1"))
    assert f"“{TITLES[0]}” is now your 1st choice." in first
    second = f'action="/learner/challenges/{ids[TITLES[1]]}/add">'
    assert re.search(
        re.escape(second)
        + r'<input[^>]*csrf_token[^>]*><input type="hidden" name="rank" value="2">',
        first,
    )
    card_step(ana, ids[TITLES[1]], "add", "2")
    moved = text(card_step(ana, ids[TITLES[2]], "add", "1"))
    assert f"“{TITLES[2]}” is now your 1st choice." in moved
    assert picks_of("learner-1", ids) == [TITLES[2], TITLES[0], TITLES[1]]
    assert "My picks (3 of 3)" in moved and "Move down" in moved

    card_step(ana, ids[TITLES[2]], "down")
    assert picks_of("learner-1", ids) == [TITLES[0], TITLES[2], TITLES[1]]
    card_step(ana, ids[TITLES[1]], "up")
    assert picks_of("learner-1", ids) == [TITLES[0], TITLES[1], TITLES[2]]
    gone = text(card_step(ana, ids[TITLES[0]], "remove"))
    assert f"“{TITLES[0]}” is no longer among your picks." in gone
    assert picks_of("learner-1", ids) == [TITLES[1], TITLES[2]]

    home = text(ana.get("/learner/"))
    assert f"You picked 2 challenges: {TITLES[1]}, {TITLES[2]}" in home
    assert "Cohorts are being formed by your instructor" in home
    for cid in (TITLES[1], TITLES[2]):
        card_step(ana, ids[cid], "remove")
    assert picks_of("learner-1", ids) == []
    assert "Pick the challenges you share" in text(ana.get("/learner/"))


def test_when_every_cohort_for_a_challenge_is_full_home_says_so(app, test_platform):
    staff = Browser(app, test_platform, "instructor-1")
    ids = add_challenges(staff)
    staff.post("/instructor/settings", SETTINGS)
    for n in (1, 2, 3):
        card_step(Browser(app, test_platform, f"learner-{n}"), ids[TITLES[0]], "add", "1")
    staff.post("/instructor/cohorts/form", form_page="/instructor/cohorts")
    drafted = text(Browser(app, test_platform, "learner-1").get("/learner/"))
    assert "Your instructor has drafted cohorts and is reviewing them" in drafted
    staff.post("/instructor/cohorts/publish", form_page="/instructor/cohorts")
    late = Browser(app, test_platform, "learner-4")
    card_step(late, ids[TITLES[0]], "add", "1")
    home = text(late.get("/learner/"))
    assert f"All cohorts for “{TITLES[0]}” are full" in home
    assert "needs 3 people and 1 is waiting" in home


def test_home_lists_a_gift_to_confirm_asks_i_can_help_with_and_new_notices(app, test_platform):
    people = browsers(app, test_platform, "learner-1", "learner-2", "learner-3")
    publish_cohort("Otters", ["learner-1", "learner-2", "learner-3"])
    ana, ben, chen = people["learner-1"], people["learner-2"], people["learner-3"]
    course = db.session.scalars(select(Course.id)).one()
    db.session.add(Profile(course_id=course, person_id=person("learner-2").id, offers="charts"))
    db.session.commit()
    ana.post("/learner/exchange/offer", {"kind": "feedback", "title": "I review essays"})
    chen.post(
        "/learner/exchange/ask", {"kind": "feedback", "title": "Read my chart", "tags": "charts"}
    )
    offer = db.session.scalars(select(Gift.id).where(Gift.title == "I review essays")).one()
    ben.post(f"/learner/exchange/gifts/{offer}/take", form_page="/learner/profile")
    row = db.session.scalars(select(Exchange.id).where(Exchange.gift_id == offer)).one()
    ana.post(f"/learner/exchange/exchanges/{row}/give", form_page="/learner/profile")

    home = text(ben.get("/learner/"))
    assert "Needs you" in home
    assert "Ana Souza gave you “I review essays”" in home and "Confirm you received it" in home
    assert "Someone asks for help you offer" in home and "Read my chart" in home
    assert "1 new notice" in home
    assert "gave you" not in text(chen.get("/learner/"))
    done = text(ana.get("/learner/"))
    assert "You made your first offer or ask." in done
