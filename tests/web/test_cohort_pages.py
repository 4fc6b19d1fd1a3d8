"""Cohorts end to end through real launches: challenges, picks, forming, publishing, My cohort."""

import re

import pytest
from sqlalchemy import select

from cohorts.models import Challenge, Cohort, Membership, Person, Post
from lti_app.extensions import db

from .cohort_client import Browser

TITLES = ("Statistics anxiety", "Reading research papers", "Finding study time")


@pytest.fixture
def staff(app, test_platform):
    return Browser(app, test_platform, "instructor-1")


def add_challenges(staff):
    for title in TITLES:
        page = staff.post(
            "/instructor/challenges",
            {"title": title, "kind": "challenge", "description": f"About {title.lower()}"},
        )
        assert page.status_code == 302
    return {c.title: c.id for c in db.session.scalars(select(Challenge))}


def learners_pick(app, test_platform, ids, count=12):
    browsers = []
    for i in range(1, count + 1):
        browser = Browser(app, test_platform, f"learner-{i}")
        first = TITLES[0] if i <= 7 else TITLES[1]
        page = browser.post(
            "/learner/challenges", {"first": ids[first], "second": ids[TITLES[2]], "third": "None"}
        )
        assert page.status_code == 302, page.get_data(as_text=True)
        browsers.append(browser)
    return browsers


def test_instructor_forms_and_publishes_cohorts_learners_then_see_theirs(app, test_platform, staff):
    ids = add_challenges(staff)
    learners = learners_pick(app, test_platform, ids)
    listing = learners[0].get("/learner/challenges").get_data(as_text=True)
    assert "7 people have picked it" in listing and "Finding study time" in listing
    assert "You are not in a cohort yet" in learners[0].get("/learner/cohort").get_data(
        as_text=True
    )

    formed = staff.post(
        "/instructor/cohorts/form", form_page="/instructor/cohorts", follow_redirects=True
    )
    html = formed.get_data(as_text=True)
    assert "draft cohorts" in html and "placed on their first choice" in html
    assert "100%" in html
    assert "You are not in a cohort yet" in learners[0].get("/learner/cohort").get_data(
        as_text=True
    )

    published = staff.post(
        "/instructor/cohorts/publish", form_page="/instructor/cohorts", follow_redirects=True
    )
    assert "Published" in published.get_data(as_text=True)
    mine = learners[0].get("/learner/cohort").get_data(as_text=True)
    assert "Why this cohort" in mine and "Statistics anxiety" in mine
    assert "your first choice" in mine
    assert "ana.souza@example.edu" not in mine  # emails stay hidden unless staff allow them


def test_learner_posts_on_their_board_and_html_is_escaped(app, test_platform, staff):
    ids = add_challenges(staff)
    learners = learners_pick(app, test_platform, ids, count=6)
    staff.post("/instructor/cohorts/form", form_page="/instructor/cohorts")
    staff.post("/instructor/cohorts/publish", form_page="/instructor/cohorts")
    page = learners[0].post(
        "/learner/cohort/posts",
        {"body": "<script>hi</script>"},
        form_page="/learner/cohort",
        follow_redirects=True,
    )
    html = page.get_data(as_text=True)
    assert "&lt;script&gt;hi&lt;/script&gt;" in html and "<script>hi" not in html
    too_long = learners[0].post(
        "/learner/cohort/posts", {"body": "x" * 2001}, form_page="/learner/cohort"
    )
    assert too_long.status_code == 400
    assert "under 2000 characters" in too_long.get_data(as_text=True)


def test_a_reply_that_fails_comes_back_open_under_its_own_message(app, test_platform, staff):
    ids = add_challenges(staff)
    learners = learners_pick(app, test_platform, ids, count=6)
    staff.post("/instructor/cohorts/form", form_page="/instructor/cohorts")
    staff.post("/instructor/cohorts/publish", form_page="/instructor/cohorts")
    learners[0].post("/learner/cohort/posts", {"body": "Hello all"}, form_page="/learner/cohort")
    post_id = db.session.scalar(select(Post.id).where(Post.body == "Hello all"))
    failed = learners[0].post(
        "/learner/cohort/posts",
        {"body": "Sure! " + "x" * 2000, "parent_id": str(post_id)},
        form_page="/learner/cohort",
    )
    assert failed.status_code == 400
    html = failed.get_data(as_text=True)
    top, thread = html.split('<article class="post">', 1)
    assert "error-summary" not in top and "aria-invalid" not in top  # the new-message form
    assert "<details open>" in thread and f'href="#reply-{post_id}"' in thread
    assert f'id="reply-{post_id}-error"' in thread and 'aria-invalid="true"' in thread
    assert "Sure! xxxx" in thread  # what they typed is still there to shorten


def test_duplicate_picks_get_a_clear_message(app, test_platform, staff):
    ids = add_challenges(staff)
    learner = Browser(app, test_platform, "learner-1")
    page = learner.post(
        "/learner/challenges", {"first": ids[TITLES[0]], "second": ids[TITLES[0]], "third": "None"}
    )
    assert page.status_code == 400
    assert "You already picked this as your first choice." in page.get_data(as_text=True)
    empty = learner.post(
        "/learner/challenges", {"first": "None", "second": "None", "third": "None"}
    )
    assert "Pick your first choice." in empty.get_data(as_text=True)


def test_settings_refuse_a_target_outside_the_size_bounds(staff):
    page = staff.post(
        "/instructor/settings",
        {
            "target": 9,
            "minimum": 3,
            "maximum": 8,
            "weight_preference": 1,
            "weight_availability": 1,
            "weight_complement": 1,
        },
    )
    assert page.status_code == 400
    assert "The target must lie between the smallest (3) and the largest (8)" in page.get_data(
        as_text=True
    )
    ok = staff.post(
        "/instructor/settings",
        {
            "target": 4,
            "minimum": 3,
            "maximum": 6,
            "weight_preference": 2,
            "weight_availability": 0,
            "weight_complement": 1,
            "show_emails": "y",
        },
    )
    assert ok.status_code == 302


def test_learner_proposes_and_staff_merge_the_proposal(app, test_platform, staff):
    ids = add_challenges(staff)
    learner = Browser(app, test_platform, "learner-2")
    short = learner.post(
        "/learner/challenges/propose",
        {"title": "x", "kind": "challenge"},
        form_page="/learner/challenges",
    )
    assert short.status_code == 400 and "3 to 120" in short.get_data(as_text=True)
    sent = learner.post(
        "/learner/challenges/propose",
        {"title": "Stats fear", "kind": "challenge"},
        form_page="/learner/challenges",
        follow_redirects=True,
    )
    assert "Thank you" in sent.get_data(as_text=True)
    proposal = db.session.scalars(select(Challenge).where(Challenge.status == "proposed")).one()
    assert "Stats fear" in staff.get("/instructor/challenges").get_data(as_text=True)
    merged = staff.post(
        f"/instructor/challenges/{proposal.id}/merge",
        {"target_id": ids[TITLES[0]]},
        form_page="/instructor/challenges",
    )
    assert merged.status_code == 302
    db.session.expire_all()
    assert db.session.get(Challenge, proposal.id).status == "archived"


def test_profile_saves_time_zone_day_parts_and_tags(app, test_platform):
    learner = Browser(app, test_platform, "learner-3")
    page = learner.get("/learner/profile").get_data(as_text=True)
    assert "timezone.js" in page and 'for="availability-0"' in page
    bad = learner.post(
        "/learner/profile", {"time_zone": "Europe/Lisbon", "offers": ",".join("abcdefghijk")}
    )
    assert bad.status_code == 400 and "at most 10 offers" in bad.get_data(as_text=True)
    saved = learner.post(
        "/learner/profile",
        {
            "time_zone": "Asia/Kolkata",
            "availability": ["mon-evening", "sat-morning"],
            "offers": "Excel, R",
            "needs": "writing",
        },
        follow_redirects=True,
    )
    html = saved.get_data(as_text=True)
    assert '<option selected value="Asia/Kolkata">Asia/Kolkata (UTC+05:30 now)</option>' in html
    assert re.search(r'<input checked [^>]*value="mon-evening"', html)
    assert not re.search(r'<input checked [^>]*value="mon-morning"', html)
    assert 'value="excel, r"' in html


def test_posting_without_csrf_token_is_refused(app, test_platform, staff):
    add_challenges(staff)
    response = staff.client.post("/instructor/challenges", data={"title": "No token here"})
    assert response.status_code == 400
    learner = Browser(app, test_platform, "learner-1")
    assert learner.client.post("/learner/challenges", data={"first": 1}).status_code == 400


def test_staff_export_published_cohorts_for_moodle_and_canvas(app, test_platform, staff):
    ids = add_challenges(staff)
    learners_pick(app, test_platform, ids, count=6)
    staff.post("/instructor/cohorts/form", form_page="/instructor/cohorts")
    assert "nothing to export yet" in staff.get("/instructor/export").get_data(as_text=True)
    staff.post("/instructor/cohorts/publish", form_page="/instructor/cohorts")
    moodle = staff.get("/instructor/export/moodle.csv")
    assert moodle.mimetype == "text/csv"
    # The lenient sandbox sends no LMS login: nobody is exported under an email instead.
    assert moodle.get_data(as_text=True).splitlines() == ["username,course1,group1"]
    page = staff.get("/instructor/export").get_data(as_text=True)
    assert "6 members left out: no LMS login known" in page
    canvas = staff.get("/instructor/export/canvas.csv").get_data(as_text=True)
    assert canvas.startswith("name,canvas_user_id,user_id,login_id,sections,group_name,")


def test_late_joiner_is_placed_automatically_after_publication(app, test_platform, staff):
    ids = add_challenges(staff)
    learners_pick(app, test_platform, ids, count=6)
    staff.post("/instructor/cohorts/form", form_page="/instructor/cohorts")
    staff.post("/instructor/cohorts/publish", form_page="/instructor/cohorts")
    late = Browser(app, test_platform, "learner-20")
    page = late.post(
        "/learner/challenges",
        {"first": ids[TITLES[0]], "second": "None", "third": "None"},
        follow_redirects=True,
    )
    assert "You joined a cohort" in page.get_data(as_text=True)
    person = db.session.scalars(select(Person).where(Person.sub == "learner-20")).one()
    cohort = db.session.scalars(
        select(Cohort)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .where(Membership.person_id == person.id)
    ).one()
    assert cohort.status == "published"


def test_a_large_course_shows_its_cohorts_one_challenge_at_a_time(launch_as, client):
    from sqlalchemy import select

    from cohorts.formation import drafts
    from cohorts.models import Course
    from lti_app.extensions import db
    from tests.domain.cohort_factories import NOW, make_challenges, make_people, pick

    launch_as("instructor-1")
    course = db.session.scalars(select(Course)).one()
    big, small = make_challenges(db.session, course, "Big topic", "Small topic")
    for i, person in enumerate(make_people(db.session, course, 330)):
        pick(db.session, course, person, big if i < 300 else small)
    drafts.form_draft(db.session, course.id, NOW)
    db.session.commit()

    page = client.get("/instructor/cohorts").get_data(as_text=True)
    assert "shown one challenge at a time" in page
    assert "Big topic 1" in page and "Small topic 1" not in page
    assert "Publish 66 draft cohorts" in page
    assert "Best possible placement (proven)" in page
    other = client.get(f"/instructor/cohorts?challenge={small.id}").get_data(as_text=True)
    assert "Small topic 1" in other and "Big topic 1" not in other


def test_a_challenge_with_many_cohorts_is_shown_a_page_at_a_time(launch_as, client):
    from sqlalchemy import select

    from cohorts.formation import drafts
    from cohorts.models import Cohort, Course
    from lti_app.extensions import db
    from tests.domain.cohort_factories import NOW, make_challenges, make_people, pick

    launch_as("instructor-1")
    course = db.session.scalars(select(Course)).one()
    (big,) = make_challenges(db.session, course, "Big topic")
    people = make_people(db.session, course, 340)
    for person in people[:330]:
        pick(db.session, course, person, big)
    drafts.form_draft(db.session, course.id, NOW)
    db.session.commit()
    names = set(db.session.scalars(select(Cohort.name).where(Cohort.course_id == course.id)))
    assert len(names) == 66

    pages = [client.get("/instructor/cohorts").get_data(as_text=True)]
    pages += [
        client.get(f"/instructor/cohorts?challenge={big.id}&page={n}").get_data(as_text=True)
        for n in (2, 3)
    ]
    assert [p.count('<li class="card cohort">') for p in pages] == [30, 30, 6]
    assert "Cohorts 1–30 of 66" in pages[0] and "Next cohorts" in pages[0]
    assert "Previous cohorts" in pages[2] and "Next cohorts" not in pages[2]
    assert "Publish 66 draft cohorts" in pages[2]
    assert "10</span> learners left out" in pages[0]
    assert {n for n in names if any(f"<h3>{n}</h3>" in p for p in pages)} == names
    assert client.get("/instructor/cohorts?page=abc").status_code == 200
    assert client.get("/instructor/cohorts?page=999").status_code == 200
