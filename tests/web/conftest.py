"""One world for authorization tests: two cohorts and a second course, with a client per role."""

from typing import Any

import pytest
from sqlalchemy import select

from cohorts.models import (
    Challenge,
    Cohort,
    Course,
    Enrolment,
    Exchange,
    ExchangeMessage,
    Gift,
    Membership,
    ModerationCase,
    Person,
    Post,
    utcnow,
)
from lti_app.extensions import db
from tests.conftest import Launcher

from .exchange_world import person

ROLES = {
    "staff": "instructor-1",
    "learner": "learner-1",
    "guest": "mentor-1",
    "peer": "learner-2",
    "other": "learner-3",
    "other2": "learner-4",
}


def add(row: Any) -> Any:
    db.session.add(row)
    db.session.flush()
    return row


def add_gift(course_id: int, cohort_id: int, author_id: int, title: str) -> Gift:
    return add(
        Gift(
            course_id=course_id,
            cohort_id=cohort_id,
            author_id=author_id,
            direction="offer",
            kind="other",
            title=title,
            body="",
            tags="",
            capacity=2,
            iso_week="2026-W10",
        )
    )


def add_exchange(gift: Gift, giver_id: int, receiver_id: int) -> Exchange:
    return add(
        Exchange(
            gift_id=gift.id,
            course_id=gift.course_id,
            seat=1,
            giver_id=giver_id,
            receiver_id=receiver_id,
            claimed_by_id=receiver_id,
            status="claimed",
        )
    )


def add_message(row: Exchange, author_id: int, body: str) -> ExchangeMessage:
    return add(
        ExchangeMessage(course_id=row.course_id, exchange_id=row.id, author_id=author_id, body=body)
    )


def cohort_of(course_id: int, challenge_id: int, name: str, members: list[int]) -> Cohort:
    cohort = add(
        Cohort(course_id=course_id, challenge_id=challenge_id, name=name, status="published")
    )
    for member in members:
        db.session.add(Membership(cohort_id=cohort.id, course_id=course_id, person_id=member))
    return cohort


def other_course() -> dict[str, int]:
    """A second course: its own challenges, cohort, board post, gift, exchange and case."""
    course = add(
        Course(issuer="https://other.example", client_id="c", deployment_id="x", context_id="b")
    )
    s1 = add(Person(issuer="https://other.example", client_id="c", sub="s1", name="Stranger"))
    s2 = add(
        Person(issuer="https://other.example", client_id="c", sub="s2", name="Second stranger")
    )
    for p in (s1, s2):
        db.session.add(Enrolment(course_id=course.id, person_id=p.id, role="learner"))
    proposed = add(Challenge(course_id=course.id, title="Their challenge", status="proposed"))
    topic = add(Challenge(course_id=course.id, title="Their topic", status="active"))
    cohort = cohort_of(course.id, topic.id, "Theirs", [s1.id, s2.id])
    post = add(
        Post(cohort_id=cohort.id, author_id=s1.id, body="Private words", created_at=utcnow())
    )
    gift = add_gift(course.id, cohort.id, s1.id, "Their offer")
    row = add_exchange(gift, s1.id, s2.id)
    message = add_message(row, s1.id, "Their private conversation")
    case = add(
        ModerationCase(
            course_id=course.id,
            target_type="gift",
            target_id=gift.id,
            state="hidden",
            author_id=s1.id,
        )
    )
    return {
        "cb": proposed.id,
        "kb": cohort.id,
        "pb": s1.id,
        "post_b": post.id,
        "far": gift.id,
        "far_row": row.id,
        "far_message": message.id,
        "far_case": case.id,
    }


@pytest.fixture
def world(app, test_platform):
    """Launched clients per role in the demo course, its objects, and a second course."""
    clients = {}
    for role, user in ROLES.items():
        launcher = Launcher(app.test_client(), test_platform)
        assert launcher.launch(user).status_code == 200
        clients[role] = launcher.client
    clients["anonymous"] = app.test_client()
    me, peer = person("learner-1").id, person("learner-2").id
    o3, o4 = person("learner-3").id, person("learner-4").id
    course_id = db.session.scalars(select(Course.id).where(Course.context_id != "b")).one()
    ids = {"pa": me}
    for key, status in (("ca", "active"), ("cp", "proposed"), ("cx", "active")):
        ids[key] = add(Challenge(course_id=course_id, title=f"Challenge {key}", status=status)).id
    own = cohort_of(course_id, ids["ca"], "Own", [me, peer])
    theirs = cohort_of(course_id, ids["cx"], "Next door", [o3, o4])
    mine = add_gift(course_id, own.id, me, "My offer")
    shared = add_gift(course_id, own.id, peer, "Peer offer")
    next_door = add_gift(course_id, theirs.id, o3, "Next door offer")
    case = add(
        ModerationCase(
            course_id=course_id,
            target_type="gift",
            target_id=shared.id,
            state="open",
            author_id=peer,
        )
    )
    row = add_exchange(mine, me, peer)
    next_row = add_exchange(next_door, o3, o4)
    ids |= {
        "ka": own.id,
        "mine": mine.id,
        "row": row.id,
        "message": add_message(row, peer, "Thanks for offering").id,
        "shared": shared.id,
        "case": case.id,
        "next": next_door.id,
        "next_row": next_row.id,
        "next_message": add_message(next_row, o3, "Next door words").id,
        **other_course(),
    }
    db.session.commit()
    return clients, ids


@pytest.fixture
def roster(test_platform, tool_server):
    """The platform's roster service in pages of 10, reset after the test."""
    from lti_app.lti.services import token

    token.forget()
    test_platform.roster.max_page = 10
    yield test_platform.roster
    test_platform.roster.reset()
    test_platform.roster.max_page = 100
    token.forget()
