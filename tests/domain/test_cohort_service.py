"""Cohort services on a real session: form, edit, publish, late joiners, shrinking cohorts."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cohorts import board, membership, profiles
from cohorts.errors import DomainError, NotFound
from cohorts.formation import drafts, export, reports, upkeep
from cohorts.formation import settings as formation_settings
from cohorts.models import Cohort, Membership

from .cohort_factories import NOW, make_challenges, make_course, make_people, pick


def members(session, cohort_id):
    return set(
        session.scalars(select(Membership.person_id).where(Membership.cohort_id == cohort_id))
    )


def cohorts(session, course, status):
    return list(
        session.scalars(
            select(Cohort)
            .where(Cohort.course_id == course.id, Cohort.status == status)
            .order_by(Cohort.id)
        )
    )


@pytest.fixture
def course12(session):
    """A course where 7 learners put "Stats" first and 5 put "Writing" first."""
    course = make_course(session)
    stats, writing = make_challenges(session, course, "Stats", "Writing")
    people = make_people(session, course, 12)
    for person in people[:7]:
        pick(session, course, person, stats, writing)
    for person in people[7:]:
        pick(session, course, person, writing)
    return course, people, stats, writing


def test_formation_persists_a_valid_draft(session, course12):
    course, people, stats, writing = course12
    made = drafts.form_draft(session, course.id, NOW)
    assert made and all(c.status == "draft" for c in made)
    placed = [pid for c in made for pid in members(session, c.id)]
    assert sorted(placed) == sorted(p.id for p in people)
    assert all(3 <= len(members(session, c.id)) <= 8 for c in made)
    assert {c.challenge_id for c in made} == {stats.id, writing.id}
    picture = reports.formation_picture(session, course.id)
    assert picture.report["first_choice_share"] == 1.0 and picture.left_out == ()


def test_learners_without_picks_are_left_out_with_a_reason(session, course12):
    course, *_ = course12
    idle = make_people(session, course, 1, prefix="idle")[0]
    drafts.form_draft(session, course.id, NOW)
    left = reports.formation_picture(session, course.id).left_out
    assert [(x.person.id, x.reason) for x in left] == [
        (idle.id, "has not picked any challenge yet")
    ]


def test_a_learner_whose_challenge_too_few_picked_is_told_so_by_its_title(session, course12):
    course, *_ = course12
    rare = make_challenges(session, course, "Rare topic")[0]
    loner = make_people(session, course, 1, prefix="loner")[0]
    pick(session, course, loner, rare)
    drafts.form_draft(session, course.id, NOW)
    left = reports.formation_picture(session, course.id).left_out
    assert [(x.person.id, x.reason) for x in left] == [
        (
            loner.id,
            "only 1 learner chose “Rare topic” (a cohort needs at least 3) "
            "and no other choice had room",
        )
    ]


def test_the_report_says_the_placement_is_proven_best_until_staff_change_it(session, course12):
    course, people, stats, writing = course12
    made = drafts.form_draft(session, course.id, NOW)
    quality = reports.formation_picture(session, course.id).quality
    assert quality.startswith("Best possible placement (proven)")
    into = next(c for c in made if c.challenge_id == writing.id)
    drafts.move_member(session, course.id, people[0].id, into.id, NOW)
    quality = reports.formation_picture(session, course.id).quality
    assert quality.startswith("When formed, before later changes: best possible placement")


def test_move_lock_and_reform_keep_locked_cohorts_whole(session, course12):
    course, people, stats, writing = course12
    made = drafts.form_draft(session, course.id, NOW)
    kept, other = made[0], made[1]
    drafts.set_locked(session, course.id, kept.id, True)
    kept_members = members(session, kept.id)
    mover = next(iter(members(session, other.id)))
    with pytest.raises(DomainError, match="locked"):
        drafts.move_member(session, course.id, mover, kept.id, NOW)
    if len(made) > 2:
        drafts.move_member(session, course.id, mover, made[2].id, NOW)
    again = drafts.form_draft(session, course.id, NOW)
    assert kept.id not in {c.id for c in again}
    assert members(session, kept.id) == kept_members
    assert kept.locked and kept.status == "draft"
    assert {c.id for c in cohorts(session, course, "draft")} == {kept.id} | {c.id for c in again}
    total = session.scalar(select(func.count()).select_from(Membership))
    assert total == len(people)


def test_moving_into_a_full_draft_is_refused(session, course12):
    course, *_ = course12
    formation_settings.save_settings(
        session,
        course.id,
        target=3,
        minimum=3,
        maximum=3,
        weight_preference=1,
        weight_availability=1,
        weight_complement=1,
        show_emails=False,
    )
    made = drafts.form_draft(session, course.id, NOW)
    full = next(c for c in made if len(members(session, c.id)) == 3)
    outsider = next(c for c in made if c.id != full.id)
    with pytest.raises(DomainError, match="maximum is 3"):
        drafts.move_member(
            session, course.id, next(iter(members(session, outsider.id))), full.id, NOW
        )


def test_settings_must_keep_minimum_target_maximum_in_order(session):
    course = make_course(session)
    with pytest.raises(DomainError, match="minimum"):
        formation_settings.save_settings(
            session,
            course.id,
            target=2,
            minimum=3,
            maximum=8,
            weight_preference=1,
            weight_availability=1,
            weight_complement=1,
            show_emails=False,
        )


def test_publish_turns_every_draft_published_at_once_and_refuses_twice(session, course12):
    course, *_ = course12
    made = drafts.form_draft(session, course.id, NOW)
    assert drafts.publish_drafts(session, course.id, NOW) == len(made)
    assert cohorts(session, course, "draft") == []
    assert all(c.published_at is not None for c in cohorts(session, course, "published"))
    with pytest.raises(DomainError, match="no draft"):
        drafts.publish_drafts(session, course.id, NOW)


def test_reforming_after_publication_never_moves_published_members(session, course12):
    course, people, stats, writing = course12
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    before = {c.id: members(session, c.id) for c in cohorts(session, course, "published")}
    newcomers = make_people(session, course, 3, prefix="new")
    for person in newcomers:
        pick(session, course, person, writing)
    drafts.form_draft(session, course.id, NOW)
    after = {c.id: members(session, c.id) for c in cohorts(session, course, "published")}
    assert after == before


def test_late_joiner_is_placed_in_published_cohort_with_room(session, course12):
    course, people, stats, writing = course12
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    late = make_people(session, course, 1, prefix="late")[0]
    placed = upkeep.pick_and_place(session, course.id, late.id, [writing.id], NOW)
    assert placed is not None and placed.challenge_id == writing.id
    assert late.id in members(session, placed.id)
    with pytest.raises(DomainError, match="already in a cohort"):
        upkeep.pick_and_place(session, course.id, late.id, [stats.id], NOW)


def test_late_joiner_waits_when_no_cohort_fits_then_staff_form_a_new_one(session, course12):
    course, people, stats, writing = course12
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    third = make_challenges(session, course, "Brand new")[0]
    late = make_people(session, course, 3, prefix="late")
    assert upkeep.pick_and_place(session, course.id, late[0].id, [third.id], NOW) is None
    groups = upkeep.waiting_groups(session, course.id)
    assert [(g.challenge.id, g.formable) for g in groups] == [(third.id, False)]
    with pytest.raises(DomainError, match="at least 3"):
        upkeep.form_from_waiting(session, course.id, third.id, NOW)
    for person in late[1:]:
        assert upkeep.pick_and_place(session, course.id, person.id, [third.id], NOW) is None
    assert upkeep.waiting_groups(session, course.id)[0].formable
    made = upkeep.form_from_waiting(session, course.id, third.id, NOW)
    assert [c.status for c in made] == ["published"]
    assert members(session, made[0].id) == {p.id for p in late}
    assert upkeep.waiting_groups(session, course.id) == []


def test_shrinking_cohort_gets_a_merge_suggestion_staff_can_accept(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    people = make_people(session, course, 10)
    for person in people:
        pick(session, course, person, topic)
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    small, big = cohorts(session, course, "published")
    for pid in list(members(session, small.id))[:3]:
        upkeep.remove_member(session, course.id, small.id, pid)
    [suggestion] = upkeep.shrink_suggestions(session, course.id)
    assert (suggestion.cohort.id, suggestion.size, suggestion.target.id) == (small.id, 2, big.id)
    upkeep.merge_cohorts(session, course.id, small.id, big.id)
    assert small.status == "archived" and len(members(session, big.id)) == 7
    assert upkeep.shrink_suggestions(session, course.id) == []


def test_dismissed_merge_suggestion_stays_dismissed(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    for person in make_people(session, course, 4):
        pick(session, course, person, topic)
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    [only] = cohorts(session, course, "published")
    upkeep.remove_member(session, course.id, only.id, next(iter(members(session, only.id))))
    upkeep.remove_member(session, course.id, only.id, next(iter(members(session, only.id))))
    [suggestion] = upkeep.shrink_suggestions(session, course.id)
    assert suggestion.target is None
    upkeep.dismiss_merge(session, course.id, only.id)
    assert upkeep.shrink_suggestions(session, course.id) == []


def test_unique_membership_is_enforced_by_the_database(session, course12):
    course, people, *_ = course12
    made = drafts.form_draft(session, course.id, NOW)
    first, second = made[0], made[1]
    person = next(iter(members(session, first.id)))
    session.add(Membership(cohort_id=second.id, course_id=course.id, person_id=person))
    with pytest.raises(IntegrityError):
        session.flush()
    session.rollback()


def test_cohorts_of_another_course_are_not_found(session, course12):
    course, *_ = course12
    other = make_course(session, "course-b")
    made = drafts.form_draft(session, course.id, NOW)
    with pytest.raises(NotFound):
        drafts.rename_cohort(session, other.id, made[0].id, "Mine now")
    with pytest.raises(NotFound):
        drafts.set_locked(session, other.id, made[0].id, True)


def test_board_posts_stay_in_their_cohort_and_replies_thread(session, course12):
    course, *_ = course12
    made = drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    a = sorted(members(session, made[0].id))
    b = sorted(members(session, made[1].id))
    first = board.add_post(
        session, course.id, a[0], body="Hello <b>all</b>", parent_id=None, now=NOW
    )
    reply = board.add_post(
        session, course.id, a[1], body="Hi!", parent_id=first.id, now=NOW + timedelta(minutes=1)
    )
    nested = board.add_post(
        session, course.id, a[0], body="Again", parent_id=reply.id, now=NOW + timedelta(minutes=2)
    )
    assert nested.parent_id == first.id
    [thread] = board.threads(session, made[0].id)
    assert [p.body for p in thread.replies] == ["Hi!", "Again"]
    with pytest.raises(NotFound):
        board.add_post(session, course.id, b[0], body="Sneaky", parent_id=first.id, now=NOW)
    with pytest.raises(DomainError, match="2000"):
        board.add_post(session, course.id, a[0], body="x" * 2001, parent_id=None, now=NOW)
    assert board.threads(session, made[1].id) == []


def test_profile_tags_are_normalised_and_limited(session):
    course = make_course(session)
    learner = make_people(session, course, 1)[0]
    saved = profiles.save_profile(
        session,
        course.id,
        learner.id,
        time_zone="Africa/Cairo",
        day_parts=["mon-evening"],
        offers=" Python,  SQL , python",
        needs="",
        now=NOW,
    )
    assert saved.offers == "python,sql"
    with pytest.raises(DomainError, match="at most 10"):
        profiles.save_profile(
            session,
            course.id,
            learner.id,
            time_zone=None,
            day_parts=[],
            offers=",".join(f"t{i}" for i in range(11)),
            needs="",
            now=NOW,
        )
    with pytest.raises(DomainError, match="30 characters"):
        profiles.save_profile(
            session,
            course.id,
            learner.id,
            time_zone=None,
            day_parts=[],
            offers="x" * 31,
            needs="",
            now=NOW,
        )


def test_day_parts_become_utc_windows_wrapping_around_the_week():
    winter = datetime(2026, 1, 14, 12, tzinfo=UTC)
    assert profiles.availability_windows(["mon-evening"], "Etc/GMT-2", winter) == ((960, 1200),)
    # Monday 08:00 in Brisbane (UTC+10, no summer time) is Sunday 22:00 UTC: the window
    # wraps past the week's end.
    assert profiles.availability_windows(["mon-morning"], "Australia/Brisbane", winter) == (
        (0, 120),
        (10_080 - 120, 10_080),
    )


def test_why_this_cohort_explains_shared_hours_and_offers(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    me, helper, third = make_people(session, course, 3)
    for person in (me, helper, third):
        pick(session, course, person, topic)
    profiles.save_profile(
        session,
        course.id,
        me.id,
        time_zone="UTC",
        day_parts=["mon-evening", "tue-evening"],
        offers="",
        needs="sql",
        now=NOW,
    )
    profiles.save_profile(
        session,
        course.id,
        helper.id,
        time_zone="UTC",
        day_parts=["mon-evening"],
        offers="SQL",
        needs="",
        now=NOW,
    )
    formation_settings.save_settings(
        session,
        course.id,
        target=3,
        minimum=3,
        maximum=8,
        weight_preference=1,
        weight_availability=1,
        weight_complement=1,
        show_emails=True,
    )
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    cohort = membership.published_cohort_of(session, course.id, me.id)
    why = reports.why_this_cohort(session, course.id, cohort, me.id)
    mate = next(m for m in why.mates if m.person.id == helper.id)
    assert (why.your_rank, mate.overlap_hours, mate.offers_you_need) == (1, 4.0, ("sql",))
    assert mate.email == helper.email


def test_export_defuses_formulas_and_uses_the_lms_login_only(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    people = make_people(session, course, 3)
    people[0].username = "=cmd"
    people[1].username = "bcarter"  # people[2] has an email but no login: left out
    for person in people:
        pick(session, course, person, topic)
    [made] = drafts.form_draft(session, course.id, NOW)
    drafts.rename_cohort(session, course.id, made.id, "=HYPERLINK(1)")
    drafts.publish_drafts(session, course.id, NOW)
    moodle = export.moodle_csv(session, course.id).splitlines()
    assert moodle[0] == "username,course1,group1"
    assert moodle[1:] == ["'=cmd,COURSE-A,'=HYPERLINK(1)", "bcarter,COURSE-A,'=HYPERLINK(1)"]
    canvas = export.canvas_csv(session, course.id).splitlines()
    assert canvas[0] == (
        "name,canvas_user_id,user_id,login_id,sections,group_name,canvas_group_id,group_id"
    )
    assert f"{people[1].name},,,bcarter,,'=HYPERLINK(1),," in canvas
    assert len(canvas) == 3 and not any(str(people[2].email) in line for line in canvas)


def test_re_forming_never_reuses_the_name_of_a_kept_cohort(session):
    course = make_course(session)
    topic = make_challenges(session, course, "Topic")[0]
    for person in make_people(session, course, 12):
        pick(session, course, person, topic)
    first = drafts.form_draft(session, course.id, NOW)
    drafts.set_locked(session, course.id, first[-1].id, True)
    drafts.form_draft(session, course.id, NOW)
    names = session.scalars(select(Cohort.name).where(Cohort.course_id == course.id)).all()
    assert len(names) == len(set(names)) >= 2
