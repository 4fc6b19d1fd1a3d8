"""The stored report follows roster syncs and late joiners without rereading the whole course."""

from sqlalchemy import select

from cohorts.formation import drafts, learners, report_upkeep, stored, upkeep
from cohorts.formation.stored import course_report, stored_report
from cohorts.models import Cohort, Membership
from cohorts.roster.rules import Member
from cohorts.roster.sync import apply_roster

from .cohort_factories import NOW, make_challenges, make_course, make_people, pick


def published_course(session, count=12):
    """``count`` learners, half on "Stats" first, half on "Writing", formed and published."""
    course = make_course(session)
    stats, writing = make_challenges(session, course, "Stats", "Writing")
    people = make_people(session, course, count)
    for i, person in enumerate(people):
        pick(session, course, person, *((stats, writing) if i % 2 else (writing, stats)))
    drafts.form_draft(session, course.id, NOW)
    drafts.publish_drafts(session, course.id, NOW)
    return course, people, stats, writing


def roster_without(course, people, gone):
    return [Member(sub=p.sub, role="learner", name=p.name) for p in people if p not in gone]


def test_a_roster_sync_that_ends_memberships_updates_the_stored_report(session):
    course, people, *_ = published_course(session)
    assert stored_report(session, course.id)[0]["placed"] == 12
    gone = people[:3]
    apply_roster(
        session,
        course.id,
        course.issuer,
        course.client_id,
        roster_without(course, people, gone),
        True,
        NOW,
    )
    assert (
        session.scalar(select(Membership.id).where(Membership.person_id.in_([p.id for p in gone])))
        is None
    )
    stored = stored_report(session, course.id)[0]
    assert (stored["placed"], stored["learners"]) == (9, 9)
    assert stored == course_report(session, course.id)


def test_a_roster_sync_of_unplaced_learners_updates_the_learner_count(session):
    course, people, stats, _ = published_course(session)
    waiting = make_people(session, course, 2, prefix="w")
    for person in waiting:
        pick(session, course, person, stats)
    # The two wait: the course's cohorts were formed before they picked.
    before = course_report(session, course.id)
    assert before["learners"] == 14
    apply_roster(
        session,
        course.id,
        course.issuer,
        course.client_id,
        roster_without(course, people + waiting, waiting[:1]),
        True,
        NOW,
    )
    assert stored_report(session, course.id)[0]["learners"] == 13


def test_late_joiners_removals_and_merges_keep_the_report_a_full_count_would_give(session):
    course, people, stats, writing = published_course(session, 14)
    for i, late in enumerate(make_people(session, course, 3, prefix="late")):
        upkeep.pick_and_place(session, course.id, late.id, [(stats, writing)[i % 2].id], NOW)
        assert stored_report(session, course.id)[0] == course_report(session, course.id)
    cohort = session.scalars(select(Cohort).where(Cohort.course_id == course.id)).first()
    member = session.scalar(select(Membership.person_id).where(Membership.cohort_id == cohort.id))
    upkeep.remove_member(session, course.id, cohort.id, member, NOW)
    assert stored_report(session, course.id)[0] == course_report(session, course.id)


def test_placing_a_late_joiner_reads_only_the_cohorts_it_could_join(session, monkeypatch):
    course, people, stats, writing = published_course(session, 24)
    extra = make_challenges(session, course, "Reading")[0]
    readers = make_people(session, course, 6, prefix="r")
    for person in readers:
        pick(session, course, person, extra)
    upkeep.form_from_waiting(session, course.id, extra.id, NOW)
    read: list[tuple[str, int | None]] = []
    original = learners.load_learners

    def counting(where):
        def load(session_, course_id, only=None, at=None):
            read.append((where, None if only is None else len(only)))
            return original(session_, course_id, only, at)

        return load

    monkeypatch.setattr(upkeep, "load_learners", counting("placing"))
    monkeypatch.setattr(stored, "load_learners", counting("report"))
    late = make_people(session, course, 1, prefix="late")[0]
    placed = upkeep.pick_and_place(session, course.id, late.id, [extra.id], NOW)
    assert placed is not None and placed.challenge_id == extra.id
    # The joiner, then the six members of the only "Reading" cohort; the report then
    # recounts that cohort's seven members, never the 30 learners of the other cohorts.
    assert read == [("placing", 1), ("placing", 6), ("report", 7)]
    assert stored_report(session, course.id)[0] == course_report(session, course.id)


def member_of(session, course, status="published"):
    cohort = session.scalars(
        select(Cohort).where(Cohort.course_id == course.id, Cohort.status == status)
    ).first()
    person_id = session.scalar(
        select(Membership.person_id).where(Membership.cohort_id == cohort.id)
    )
    return cohort, person_id


def set_profile(session, course, person_id, day_part, offers=""):
    report_upkeep.update_profile(
        session,
        course.id,
        person_id,
        time_zone="UTC",
        day_parts=[day_part],
        offers=offers,
        needs="",
        now=NOW,
    )


def test_a_members_new_profile_changes_their_cohorts_stored_hours(session):
    course, people, *_ = published_course(session)
    cohort, person_id = member_of(session, course)
    for mate in session.scalars(
        select(Membership.person_id).where(Membership.cohort_id == cohort.id)
    ):
        set_profile(session, course, mate, "mon-evening")
    assert stored_report(session, course.id)[0] == course_report(session, course.id)
    before = stored_report(session, course.id)[0]
    set_profile(session, course, person_id, "sat-morning", offers="python")
    after = stored_report(session, course.id)[0]
    assert after != before  # the cohort no longer shares Monday evening with everyone
    assert after == course_report(session, course.id)


def test_changing_picks_inside_a_draft_keeps_the_stored_report_whole(session):
    course = make_course(session)
    stats, writing = make_challenges(session, course, "Stats", "Writing")
    people = make_people(session, course, 10)
    for person in people:
        pick(session, course, person, stats, writing)
    drafts.form_draft(session, course.id, NOW)
    _, person_id = member_of(session, course, "draft")
    before = stored_report(session, course.id)[0]
    upkeep.pick_and_place(session, course.id, person_id, [writing.id, stats.id], NOW)
    after = stored_report(session, course.id)[0]
    assert after != before  # one member of a Stats cohort no longer has it first
    assert after == course_report(session, course.id)


def test_new_formation_settings_are_reflected_in_the_stored_report(session):
    course, *_ = published_course(session)
    values = {
        "target": 5,
        "minimum": 3,
        "maximum": 8,
        "weight_preference": 1.0,
        "weight_availability": 1.0,
        "weight_complement": 1.0,
        "show_emails": False,
    }
    report_upkeep.update_settings(session, course.id, NOW, **{**values, "weight_preference": 3.0})
    assert stored_report(session, course.id)[0] == course_report(session, course.id)
    report_upkeep.update_settings(session, course.id, NOW, **{**values, "minimum": 6, "target": 6})
    assert stored_report(session, course.id)[0] == course_report(session, course.id)
