"""Staff pages say what each action does before it happens, and what needs attention."""

import re

from sqlalchemy import select

from cohorts.models import Choice, Cohort, Gift, Membership, ModerationCase, Post
from lti_app.extensions import db

from .cohort_client import Browser
from .exchange_world import browsers, person, publish_cohort
from .test_cohort_pages import TITLES, add_challenges, learners_pick

COHORTS = "/instructor/cohorts"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def drafted(app, test_platform, count: int) -> tuple[Browser, dict[str, int]]:
    """Staff add the challenges, ``count`` learners pick, staff form draft cohorts."""
    staff = Browser(app, test_platform, "instructor-1")
    ids = add_challenges(staff)
    learners_pick(app, test_platform, ids, count=count)
    staff.post(f"{COHORTS}/form", form_page=COHORTS)
    return staff, ids


def test_publish_and_archive_ask_first_and_say_who_notices(app, test_platform):
    staff, ids = drafted(app, test_platform, 6)
    page = text(staff.get(COHORTS))
    assert "/instructor/cohorts/publish" in page and '<button type="submit">Publish' not in page
    ask = text(staff.get(f"{COHORTS}/publish"))
    assert re.search(r"Publish \d draft cohorts?\?", ask) and "6 learners see their cohort" in ask
    assert db.session.scalar(select(Cohort.status).limit(1)) == "draft"  # asking changed nothing
    archive = text(staff.get(f"/instructor/challenges/{ids[TITLES[2]]}/archive"))
    assert f"Archive “{TITLES[2]}”?" in archive and "6 learners picked it" in archive
    assert "Learners can no longer pick it" in archive


def test_published_cards_have_no_lock_and_removing_names_the_person(app, test_platform):
    staff, ids = drafted(app, test_platform, 6)
    drafts = text(staff.get(COHORTS))
    assert "Lock" in drafts and "1st choice" in drafts and "free with" not in drafts
    staff.post(f"{COHORTS}/publish", form_page=COHORTS)
    page = text(staff.get(COHORTS))
    assert ">Lock<" not in page and "1st choice · no hours shared" in page
    cohort_id, ana = db.session.execute(
        select(Membership.cohort_id, Membership.person_id).where(
            Membership.person_id == person("learner-1").id
        )
    ).one()
    path = f"{COHORTS}/{cohort_id}/members/{ana}/remove"
    ask = text(staff.get(path))
    assert "Remove Ana Souza from" in ask and "no longer sees" in ask
    done = text(staff.post(path, form_page=COHORTS, follow_redirects=True))
    assert "Removed Ana Souza from" in done and "among the waiting learners" in done
    assert "picked challenges after the cohorts were formed" not in done
    assert "Ana Souza</strong>: was removed from a cohort" in done


def test_reforming_warns_of_manual_moves(app, test_platform):
    staff, _ = drafted(app, test_platform, 12)
    assert "manual move" not in text(staff.get(COHORTS))
    ben = person("learner-2").id
    mine = db.session.scalar(select(Membership.cohort_id).where(Membership.person_id == ben))
    other = db.session.scalar(select(Cohort.id).where(Cohort.id != mine, Cohort.status == "draft"))
    moved = staff.post(
        f"{COHORTS}/move",
        {"person_id": str(ben), "cohort_id": str(other)},
        form_page=COHORTS,
        follow_redirects=True,
    )
    page = text(moved)
    assert "Moved Ben Carter into" in page
    assert "Re-forming undoes 1 manual move." in page
    staff.post(f"{COHORTS}/form", form_page=COHORTS)
    assert "manual move" not in text(staff.get(COHORTS))


def test_waiting_learners_button_says_it_publishes(app, test_platform):
    staff, ids = drafted(app, test_platform, 3)
    staff.post(f"{COHORTS}/publish", form_page=COHORTS)
    for n in (4, 5, 6):
        Browser(app, test_platform, f"learner-{n}").post(
            f"/learner/challenges/{ids[TITLES[1]]}/add",
            {"rank": "1"},
            form_page="/learner/challenges",
        )
    page = text(staff.get(COHORTS))
    assert "Form and publish a new cohort" in page and "Its members see it at once." in page


def test_overview_says_what_needs_attention_and_the_tab_counts_reports(app, test_platform):
    people = browsers(app, test_platform, "learner-1", "learner-2", "instructor-1")
    team = publish_cohort("Otters", ["learner-1", "learner-2"])
    ana, ben, staff = people["learner-1"], people["learner-2"], people["instructor-1"]
    calm = text(staff.get("/instructor/"))
    assert "Nothing needs you right now" in calm and "Getting started" in calm
    ana.post("/learner/exchange/ask", {"kind": "feedback", "title": "Check my sums"})
    ana.post("/learner/exchange/offer", {"kind": "other", "title": "Buy my essays"})
    offer = db.session.scalars(select(Gift.id).where(Gift.title == "Buy my essays")).one()
    ben.post(f"/learner/exchange/report/gift/{offer}", {"category": "spam", "details": ""})
    page = text(staff.get("/instructor/"))
    assert "1 reported item to review" in page
    assert "1 ask for help nobody has taken up yet" in page
    badge = r'Moderation <span class="count-badge">1<span class="visually-hidden"> to review'
    assert re.search(badge, page)
    assert "Getting started" in page  # nobody has picked a challenge yet
    db.session.add(
        Choice(
            course_id=team.course_id,
            person_id=person("learner-1").id,
            challenge_id=team.challenge_id,
            rank=1,
        )
    )
    db.session.commit()
    assert "Getting started" not in text(staff.get("/instructor/"))


def test_keep_and_restore_say_different_things_and_messages_show_their_board(app, test_platform):
    people = browsers(app, test_platform, "learner-1", "learner-2", "instructor-1")
    team = publish_cohort("Otters", ["learner-1", "learner-2"])
    staff, ben = people["instructor-1"], people["learner-2"]
    first = Post(cohort_id=team.id, author_id=person("learner-1").id, body="Loud words")
    second = Post(cohort_id=team.id, author_id=person("learner-1").id, body="Rude words")
    db.session.add_all([first, second])
    db.session.commit()
    report = text(ben.get(f"/learner/exchange/report/post/{first.id}"))
    assert "If it is hidden for review or staff remove it" in report
    ben.post(
        f"/learner/exchange/report/post/{first.id}", {"category": "unkind", "details": "Mean."}
    )
    staff.post(f"/learner/exchange/report/post/{second.id}", {"category": "spam", "details": ""})
    queue = text(staff.get("/instructor/exchange/moderation"))
    assert "cohort Otters" in queue and "written <time" in queue
    assert "Unkind or hurtful</strong> — “Mean.”" in queue and ".;" not in queue
    assert "Keep it visible" in queue and "Restore it" in queue
    cases = dict(db.session.execute(select(ModerationCase.target_id, ModerationCase.id)).all())
    kept = staff.post(
        f"/instructor/exchange/moderation/{cases[first.id]}/restore",
        form_page="/instructor/exchange/settings",
        follow_redirects=True,
    )
    assert "Kept: it stays visible" in text(kept)
    restored = staff.post(
        f"/instructor/exchange/moderation/{cases[second.id]}/restore",
        form_page="/instructor/exchange/settings",
        follow_redirects=True,
    )
    assert "Restored: learners can see it again" in text(restored)
