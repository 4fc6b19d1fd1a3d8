"""Challenges: staff write them, learners propose and pick them, counts come from SQL."""

import pytest
from sqlalchemy import select

from cohorts import challenges
from cohorts.errors import DomainError, NotFound
from cohorts.models import Choice

from .cohort_factories import NOW, make_challenges, make_course, make_people, pick


def test_pick_counts_are_counted_per_challenge_and_first_choice(session):
    course = make_course(session)
    a, b, c = make_challenges(session, course, "Statistics anxiety", "Reading papers", "Time")
    people = make_people(session, course, 3)
    pick(session, course, people[0], a, b)
    pick(session, course, people[1], b, a)
    pick(session, course, people[2], a)
    rows = {
        r.challenge.title: (r.picks, r.first_picks)
        for r in challenges.list_challenges(session, course.id)
    }
    assert rows == {"Statistics anxiety": (3, 2), "Reading papers": (2, 1), "Time": (0, 0)}
    assert c.status == "active"


def test_picking_again_replaces_earlier_picks_in_rank_order(session):
    course = make_course(session)
    a, b, c = make_challenges(session, course, "One", "Two", "Three")
    learner = make_people(session, course, 1)[0]
    pick(session, course, learner, a, b)
    pick(session, course, learner, c, a)
    assert challenges.choices_of(session, course.id, learner.id) == [c.id, a.id]


@pytest.mark.parametrize(
    ("picked", "message"),
    [([], "at least one"), ([1, 1], "only once"), ([1, 2, 3, 4], "at most 3")],
)
def test_bad_picks_are_refused_with_a_clear_message(session, picked, message):
    course = make_course(session)
    made = make_challenges(session, course, "One", "Two", "Three", "Four")
    learner = make_people(session, course, 1)[0]
    ids = [made[i - 1].id for i in picked]
    with pytest.raises(DomainError, match=message):
        challenges.pick_challenges(session, course.id, learner.id, ids, NOW)


def test_challenges_of_another_course_or_archived_cannot_be_picked(session):
    course, other = make_course(session), make_course(session, "course-b")
    mine = make_challenges(session, course, "Mine")[0]
    theirs = make_challenges(session, other, "Theirs")[0]
    learner = make_people(session, course, 1)[0]
    with pytest.raises(NotFound):
        challenges.pick_challenges(session, course.id, learner.id, [theirs.id], NOW)
    challenges.archive_challenge(session, course.id, mine.id)
    with pytest.raises(NotFound):
        challenges.pick_challenges(session, course.id, learner.id, [mine.id], NOW)
    with pytest.raises(NotFound):
        challenges.get_challenge(session, course.id, theirs.id)


def test_proposal_waits_for_approval_then_becomes_pickable(session):
    course = make_course(session)
    learner = make_people(session, course, 1)[0]
    proposal = challenges.propose_challenge(
        session,
        course.id,
        learner.id,
        title="Group work",
        description="",
        kind="opportunity",
        now=NOW,
    )
    assert proposal.status == "proposed"
    assert challenges.list_challenges(session, course.id) == []
    challenges.approve_challenge(session, course.id, proposal.id)
    assert [r.challenge.title for r in challenges.list_challenges(session, course.id)] == [
        "Group work"
    ]


def test_a_learner_cannot_flood_staff_with_proposals(session):
    course = make_course(session)
    learner = make_people(session, course, 1)[0]
    for i in range(challenges.MAX_OPEN_PROPOSALS):
        challenges.propose_challenge(
            session,
            course.id,
            learner.id,
            title=f"Idea {i}",
            description="",
            kind="challenge",
            now=NOW,
        )
    with pytest.raises(DomainError, match="waiting"):
        challenges.propose_challenge(
            session,
            course.id,
            learner.id,
            title="One more",
            description="",
            kind="challenge",
            now=NOW,
        )


def test_merging_moves_picks_without_duplicating_them(session):
    course = make_course(session)
    source, target, other = make_challenges(session, course, "Stats fear", "Statistics", "Other")
    both, only_source = make_people(session, course, 2)
    pick(session, course, both, source, target)
    pick(session, course, only_source, other, source)
    challenges.merge_challenge(session, course.id, source.id, target.id)
    picks = session.execute(
        select(Choice.person_id, Choice.challenge_id, Choice.rank).order_by(
            Choice.person_id, Choice.rank
        )
    ).all()
    assert sorted(picks) == sorted(
        [(both.id, target.id, 2), (only_source.id, other.id, 1), (only_source.id, target.id, 2)]
    )
    assert source.status == "archived"


def test_titles_are_tidied_and_kinds_checked(session):
    course = make_course(session)
    made = challenges.create_challenge(
        session,
        course.id,
        title="  Too   many  spaces ",
        description=" x ",
        kind="challenge",
        now=NOW,
    )
    assert (made.title, made.description) == ("Too many spaces", "x")
    with pytest.raises(DomainError, match="opportunity"):
        challenges.create_challenge(
            session, course.id, title="Fine", description="", kind="party", now=NOW
        )
