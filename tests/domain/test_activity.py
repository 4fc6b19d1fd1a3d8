"""Activity is written by the services people use, and measured in SQL as staff will read it."""

from datetime import timedelta

from sqlalchemy import func, select

from cohorts import board
from cohorts.activity import alerts, cohort_measures, learner_table, measures, rules
from cohorts.activity.events import record_activity
from cohorts.activity.rules import Weights
from cohorts.courses import LaunchFacts, record_launch
from cohorts.models import ActivityEvent, ActivityWeek, AlertAction, Cohort, Membership
from tests.domain.cohort_factories import NOW, make_challenges, make_course, make_people


def world(session):
    course = make_course(session)
    ada, bo, cy = make_people(session, course, 3)
    (challenge,) = make_challenges(session, course, "Statistics")
    cohort = Cohort(course_id=course.id, challenge_id=challenge.id, name="Owls", status="published")
    session.add(cohort)
    session.flush()
    for person in (ada, bo):
        joined = NOW - timedelta(days=40)
        session.add(
            Membership(
                cohort_id=cohort.id, course_id=course.id, person_id=person.id, joined_at=joined
            )
        )
    session.flush()
    return course, cohort, ada, bo, cy


def weeks_ago(n, kind="launch"):
    return NOW - timedelta(weeks=n), kind


def record(session, course, person, *moments):
    for moment, kind in moments:
        record_activity(session, course.id, person.id, kind, moment)


def flagged(session, course_id, health):
    """The alerts the Persistence page lists, learners chosen by the SQL rules."""
    m = learner_table.measure(session, course_id, NOW)
    learners = learner_table.flagged_learners(session, m, 50)
    return alerts.flagged(session, course_id, health, learners, NOW, 50)[0]


def test_a_launch_writes_its_event_in_the_launch_transaction(session):
    facts = LaunchFacts("https://lms.example", "client-1", "d1", "c1", "sub-1", "learner")
    record_launch(session, facts, NOW)
    assert session.scalar(select(func.count(ActivityEvent.id))) == 1
    session.rollback()
    assert session.scalar(select(func.count(ActivityEvent.id))) == 0


def test_staff_launches_are_not_counted_as_learner_activity(session):
    record_launch(
        session, LaunchFacts("https://lms.example", "client-1", "d1", "c1", "t-1", "staff"), NOW
    )
    assert session.scalar(select(func.count(ActivityEvent.id))) == 0


def test_a_board_post_is_recorded_with_the_cohort(session):
    course, cohort, ada, *_ = world(session)
    board.add_post(session, course.id, ada.id, body="Hello owls", parent_id=None, now=NOW)
    event = session.scalars(select(ActivityEvent)).one()
    assert (event.kind, event.cohort_id, event.person_id) == ("post", cohort.id, ada.id)
    week = session.scalars(select(ActivityWeek)).one()
    assert (week.events, week.cohort_actions) == (1, 1)


def test_events_without_a_cohort_find_the_learners_published_cohort(session):
    course, cohort, ada, bo, cy = world(session)
    record(session, course, ada, (NOW, "pick"))
    record(session, course, cy, (NOW, "pick"))
    assert dict(
        session.execute(select(ActivityEvent.person_id, ActivityEvent.cohort_id)).all()
    ) == {
        ada.id: cohort.id,
        cy.id: None,
    }


def test_streaks_active_weeks_and_last_activity(session):
    course, _, ada, bo, cy = world(session)
    record(session, course, ada, weeks_ago(3), weeks_ago(2), weeks_ago(1), weeks_ago(0))
    record(session, course, ada, weeks_ago(6))
    record(session, course, bo, weeks_ago(5), weeks_ago(5, "post"), weeks_ago(3))
    by_id = {f.person_id: f for f in measures.learner_facts(session, course.id, NOW, Weights())}
    assert (by_id[ada.id].active_weeks, by_id[ada.id].streak) == (5, 4)
    assert by_id[ada.id].active_this_week
    assert (by_id[bo.id].active_weeks, by_id[bo.id].streak) == (2, 0)
    assert by_id[cy.id].last_day is None and by_id[cy.id].active_weeks == 0
    assert by_id[ada.id].score > by_id[cy.id].score


def test_the_curve_censors_learners_still_active_and_splits_by_cohort(session):
    course, _, ada, bo, cy = world(session)
    record(session, course, ada, weeks_ago(2), weeks_ago(1), weeks_ago(0))
    record(session, course, bo, weeks_ago(4), weeks_ago(3))  # stopped after 2 weeks
    record(session, course, cy, weeks_ago(1))  # not in a cohort, still within its window
    curves = measures.persistence_curves(session, course.id, NOW, weeks=4)
    in_cohort, alone = curves["In a cohort"], curves["Not in a cohort"]
    assert [p.at_risk for p in in_cohort] == [2, 2, 1, 0]
    assert [round(p.still_active, 2) for p in in_cohort][:3] == [1.0, 0.5, 0.5]
    assert in_cohort[2].censored == 1
    assert [p.at_risk for p in alone][:3] == [1, 1, 0]
    assert alone[1].censored == 1 and alone[1].still_active == 1.0


def test_weekly_active_learners_count_each_learner_once_a_week_and_never_staff(session):
    course, _, ada, bo, _ = world(session)
    staff = make_people(session, course, 1, role="staff", prefix="s")[0]
    record(session, course, ada, weeks_ago(1), weeks_ago(1, "post"), weeks_ago(0))
    record(session, course, bo, weeks_ago(1))
    record(session, course, staff, weeks_ago(1), weeks_ago(0))
    assert [n for _, n in measures.weekly_active(session, course.id, NOW, 3)] == [0, 2, 1]


def test_cohort_health_and_quiet_cohort_alerts(session):
    course, cohort, ada, bo, cy = world(session)
    record(session, course, ada, (NOW - timedelta(days=9), "launch"))
    (health,) = cohort_measures.cohort_health(session, course.id, NOW)
    assert (health.members, health.active_7, health.gifts_14) == (2, 0, 0)
    found = flagged(session, course.id, [health])
    kinds = {(f.kind, f.subject_id): [a.kind for a in f.alerts] for f in found}
    assert kinds[("cohort", cohort.id)] == ["quiet_cohort"]
    assert kinds[("learner", ada.id)] == ["lonely"]
    assert kinds[("learner", cy.id)] == ["never_launched"]


def test_dismissed_alerts_stay_hidden_and_contacts_are_shown(session):
    course, _, ada, bo, cy = world(session)
    staff = make_people(session, course, 1, role="staff", prefix="s")[0]
    alerts.answer_alert(
        session,
        course.id,
        staff.id,
        kind="never_launched",
        subject_id=cy.id,
        action="dismissed",
        now=NOW,
    )
    alerts.answer_alert(
        session,
        course.id,
        staff.id,
        kind="never_launched",
        subject_id=bo.id,
        action="contacted",
        now=NOW,
    )
    found = {f.subject_id: f for f in flagged(session, course.id, [])}
    assert cy.id not in found
    assert found[bo.id].follow_up["never_launched"].action == "contacted"
    assert session.scalar(select(func.count(AlertAction.id))) == 2


def test_course_health_lists_the_least_active_in_full_and_every_quiet_cohort(session):
    course, cohort, ada, bo, cy = world(session)
    (challenge,) = make_challenges(session, course, "Writing")
    busy = Cohort(course_id=course.id, challenge_id=challenge.id, name="Busy", status="published")
    empty = Cohort(course_id=course.id, challenge_id=challenge.id, name="Empty", status="published")
    session.add_all([busy, empty])
    session.flush()
    session.add(Membership(cohort_id=busy.id, course_id=course.id, person_id=cy.id, joined_at=NOW))
    session.flush()
    record(session, course, cy, (NOW - timedelta(days=1), "launch"))
    record(session, course, ada, (NOW - timedelta(days=9), "launch"))
    every = cohort_measures.cohort_health(session, course.id, NOW)
    least = sorted(every, key=lambda c: (c.share_active, c.name))
    for limit in (1, 2, 5):
        health = cohort_measures.course_health(session, course.id, NOW, limit)
        assert health.total == len(every)
        assert health.least_active == least[:limit]
        quiet = [c for c in every if rules.quiet_cohort_alert(c.last_day, rules.day_of(NOW))]
        assert [(q.cohort_id, q.name, q.last_day) for q in health.quiet] == [
            (c.cohort_id, c.name, c.last_day) for c in quiet
        ]
    assert [c.name for c in least] == ["Empty", "Owls", "Busy"]
    assert [c.name for c in quiet] == ["Empty", "Owls"]


def test_score_statistics_leave_staff_activity_out(session):
    course, _, ada, bo, _ = world(session)
    record(session, course, ada, weeks_ago(1), weeks_ago(1, "post"))
    last_week = rules.week_of(rules.day_of(NOW)) - 1
    before = measures.score_stats(session, course.id, last_week)
    assert before["sessions"].mean > 0
    staff = make_people(session, course, 1, role="staff", prefix="s")[0]
    record(session, course, staff, weeks_ago(1), weeks_ago(1), weeks_ago(1, "post"))
    assert measures.score_stats(session, course.id, last_week) == before
