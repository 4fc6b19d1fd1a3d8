"""First writes and per-person caps hold when the same request arrives many times at once."""

from sqlalchemy import func, select

from cohorts import board, challenges, profiles
from cohorts.errors import DomainError
from cohorts.exchange import settings as exchange_settings
from cohorts.formation import settings as formation_settings
from cohorts.formation import upkeep
from cohorts.models import Challenge, Choice, FormationSettings, Membership, Post, Profile

from .cohort_factories import NOW, make_challenges, make_course, make_people
from .gift_factories import world
from .test_cohort_concurrency import published_course, race

RACERS = 8


def on_postgres(session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def repeat(session, work, count=RACERS):
    """Run ``work`` ``count`` times: at once in threads on PostgreSQL, one after another on
    SQLite (which serialises writers); return the outcomes (results or domain errors)."""
    if on_postgres(session):
        return race(session.get_bind(), work, count)
    outcomes = []
    for _ in range(count):
        try:
            outcomes.append(work(session))
            session.commit()
        except DomainError as error:
            session.rollback()
            outcomes.append(error)
    return outcomes


def count(session, query):
    session.expire_all()
    return session.scalar(query)


def test_double_submitted_first_picks_keep_one_set_of_picks(session):
    course = make_course(session)
    topics = make_challenges(session, course, "Rivers", "Forests")
    learner = make_people(session, course, 1)[0]
    session.commit()
    course_id, person_id, ids = course.id, learner.id, [t.id for t in topics]
    outcomes = repeat(
        session, lambda own: challenges.pick_challenges(own, course_id, person_id, ids, NOW)
    )
    assert outcomes == [ids] * RACERS
    assert count(session, select(func.count(Choice.id))) == 2


def test_the_first_profile_saved_many_times_at_once_is_one_profile(session):
    course = make_course(session)
    learner = make_people(session, course, 1)[0]
    session.commit()
    course_id, person_id = course.id, learner.id

    def save(own):
        return profiles.save_profile(
            own,
            course_id,
            person_id,
            time_zone="Africa/Lagos",
            day_parts=[],
            offers="maths",
            needs="",
            now=NOW,
        ).offers

    assert repeat(session, save) == ["maths"] * RACERS
    assert count(session, select(func.count(Profile.id))) == 1


def test_the_first_visit_to_the_settings_many_times_at_once_creates_them_once(session):
    course = make_course(session)
    session.commit()
    course_id = course.id
    outcomes = repeat(session, lambda own: formation_settings.get_settings(own, course_id).maximum)
    assert outcomes == [8] * RACERS
    assert count(session, select(func.count(FormationSettings.id))) == 1


def test_proposals_past_the_cap_are_refused_even_when_sent_at_once(session):
    course = make_course(session)
    learner = make_people(session, course, 1)[0]
    session.commit()
    course_id, person_id = course.id, learner.id

    def propose(own):
        return challenges.propose_challenge(
            own,
            course_id,
            person_id,
            title="Shared bikes",
            description="",
            kind="challenge",
            now=NOW,
        ).id

    outcomes = repeat(session, propose)
    assert (
        sum(isinstance(o, DomainError) for o in outcomes) == RACERS - challenges.MAX_OPEN_PROPOSALS
    )
    assert count(session, select(func.count(Challenge.id))) == challenges.MAX_OPEN_PROPOSALS


def test_board_posts_past_the_rate_limit_are_refused_even_when_sent_at_once(session):
    w = world(session)
    rules = exchange_settings.exchange_settings(session, w.course.id)
    rules.post_limit = 3
    session.commit()
    course_id, person_id = w.course.id, w.a[0].id

    def post(own):
        return board.add_post(own, course_id, person_id, body="Hello", parent_id=None, now=NOW).id

    outcomes = repeat(session, post)
    assert sum(isinstance(o, DomainError) for o in outcomes) == RACERS - 3
    assert count(session, select(func.count(Post.id))) == 3


def test_late_joiners_racing_for_the_last_seats_never_overfill_a_cohort(session):
    course_id, _ = published_course(session, late_count=RACERS)
    sizes = dict(
        session.execute(
            select(Membership.cohort_id, func.count()).group_by(Membership.cohort_id)
        ).all()
    )
    maximum = max(sizes.values()) + 1
    formation_settings.get_settings(session, course_id).maximum = maximum
    free = sum(maximum - size for size in sizes.values())
    late = list(
        session.scalars(
            select(Choice.person_id).where(Choice.person_id.not_in(select(Membership.person_id)))
        )
    )
    session.commit()
    people = iter(late)
    outcomes = repeat(
        session, lambda own: upkeep.place_late_joiner(own, course_id, next(people), NOW)
    )
    assert sum(o is not None for o in outcomes) == free
    session.expire_all()
    after = session.execute(
        select(Membership.cohort_id, func.count()).group_by(Membership.cohort_id)
    )
    assert all(size <= maximum for _, size in after)
