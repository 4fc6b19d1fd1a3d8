"""The learner table in SQL says what the pure rules say, and pages through ties without gaps."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from cohorts.activity import alerts, learner_table, measures, rules
from cohorts.activity.alert_sql import LEARNER_KINDS, open_kinds
from cohorts.activity.learner_table import Choice
from cohorts.activity.settings import save_rules
from cohorts.activity.summary import rebuild_summary
from cohorts.models import ActivityWeek, AlertAction, Cohort, Membership
from tests.domain.cohort_factories import NOW, make_challenges, make_course, make_people

TODAY = rules.day_of(NOW)
CURRENT = rules.week_of(TODAY)
INACTIVE = 7
#: Midnight (UTC) of the first day a member joining then is not yet lonely.
LONELY_EDGE = datetime.combine(
    rules.date_of(TODAY - rules.LONELY_DAYS + 1), datetime.min.time(), UTC
)
DISMISS_EDGE = NOW - timedelta(days=rules.DISMISS_DAYS)
SECOND = timedelta(seconds=1)


def weeks_of(session, course, person, rng):
    """Weekly rows from a first week up to now, with last days on and beside the rule edges."""
    first = CURRENT - rng.randint(0, 7)
    last_days = [TODAY - INACTIVE, TODAY - INACTIVE + 1, TODAY - INACTIVE - 1, TODAY]
    for week in range(first, CURRENT + 1):
        events = rng.choice([0, 1, 2, 3, 3, 4, 5, 6, 6, 8]) if week > first else rng.randint(1, 8)
        if not events:
            continue
        start = week * 7 - 3
        day = min(start + rng.randint(0, 6), TODAY)
        edge = [d for d in last_days if start <= d < start + 7]
        if edge and rng.random() < 0.5:
            day = rng.choice(edge)
        social = rng.choice([0, 0, 0, 1])
        session.add(
            ActivityWeek(
                course_id=course.id,
                person_id=person.id,
                week=week,
                events=events,
                sessions=events - social,
                cohort_actions=social,
                gifts_given=rng.choice([0, 0, 0, 0, 1]),
                gifts_received=0,
                asks_answered=rng.choice([0, 1]),
                last_day=day,
            )
        )
    session.flush()
    rebuild_summary(session, course.id, person.id)


def generated(session, seed, count=120):
    """A course whose learners sit on and beside every alert rule's edge."""
    rng = random.Random(seed)
    course = make_course(session, f"gen-{seed}")
    people = make_people(session, course, count)
    staff = make_people(session, course, 1, role="staff", prefix="s")[0]
    (challenge,) = make_challenges(session, course, "Statistics")
    cohorts = [
        Cohort(course_id=course.id, challenge_id=challenge.id, name=n, status=s)
        for n, s in (("Owls", "published"), ("Larks", "published"), ("Draft", "draft"))
    ]
    session.add_all(cohorts)
    session.flush()
    save_rules(
        session,
        course.id,
        weights={s: rng.choice([0.0, 1.0, 2.5]) for s in rules.SIGNALS},
        inactive_days=INACTIVE,
    )
    for person, offset in zip(people[:3], (-SECOND, 0 * SECOND, SECOND), strict=True):
        # never launched, dismissed just before, exactly at and just after the hidden span
        session.add(
            AlertAction(
                course_id=course.id,
                kind="never_launched",
                person_id=person.id,
                action="dismissed",
                by_id=staff.id,
                at=DISMISS_EDGE + offset,
            )
        )
    for person in people[3:]:
        if rng.random() < 0.85:
            weeks_of(session, course, person, rng)
        if rng.random() < 0.7:
            joined = LONELY_EDGE + rng.choice([-SECOND, 0 * SECOND, SECOND, -timedelta(days=3)])
            session.add(
                Membership(
                    cohort_id=rng.choice(cohorts).id,
                    course_id=course.id,
                    person_id=person.id,
                    joined_at=joined,
                )
            )
        for _ in range(rng.choice([0, 0, 1, 2])):
            at = DISMISS_EDGE + rng.choice([-SECOND, 0 * SECOND, SECOND, timedelta(days=3)])
            session.add(
                AlertAction(
                    course_id=course.id,
                    kind=rng.choice(LEARNER_KINDS),
                    person_id=person.id,
                    action=rng.choice(["contacted", "dismissed"]),
                    by_id=staff.id,
                    at=at,
                )
            )
    session.flush()
    return course, [p.id for p in people]


def test_sql_alerts_match_the_pure_rules_and_dismissals_on_generated_learners(session):
    course, ids = generated(session, seed=5)
    m = learner_table.measure(session, course.id, NOW)
    rows = session.execute(select(m.rows)).all()
    done = alerts.follow_ups(session, course.id, [row.person_id for row in rows])
    seen = {kind: 0 for kind in LEARNER_KINDS}
    for row in rows:
        facts = measures.facts_of(row, CURRENT, m.offset)
        said = rules.learner_alerts(facts, TODAY, INACTIVE)
        expected = {
            a.kind for a in said if not alerts.hidden(done.get((a.kind, facts.person_id)), NOW)
        }
        assert open_kinds(row) == expected, facts
        assert row.flagged == (1 if expected else 0)
        assert row.display_name == facts.name
        for kind in expected:
            seen[kind] += 1
    assert all(seen.values()), seen  # the data reached every rule
    edge = sorted((r for r in rows if r.person_id in ids[:3]), key=lambda r: r.person_id)
    assert [r.flagged for r in edge] == [1, 1, 0]
    assert learner_table.counts(session, m).flagged == sum(1 for r in rows if r.flagged)


def python_order(learners, sort, descending):
    """The order the table promises: the chosen column, then name, then enrolment order."""
    key = {
        "name": lambda f: f.name.casefold(),
        "cohort": lambda f: (f.cohort_name or "~").casefold(),
        "last_active": lambda f: f.last_day if f.last_day is not None else -1,
        "active_weeks": lambda f: f.active_weeks,
        "streak": lambda f: f.streak,
        "score": lambda f: f.score,
    }[sort]
    by_name = sorted(learners, key=lambda f: (f.name.casefold(), f.person_id))
    return [f.person_id for f in sorted(by_name, key=key, reverse=descending)]


def test_every_sort_pages_through_ties_without_gaps_or_repeats(session):
    course, _ = generated(session, seed=9, count=40)
    m = learner_table.measure(session, course.id, NOW)
    learners = [learner.facts for learner in learner_table.every(session, m, Choice())]
    assert len(learners) == 40
    for sort in learner_table.SORTS:
        for descending in (False, True):
            choice = Choice(sort=sort, descending=descending)
            paged = [
                learner.facts.person_id
                for number in range(1, 8)
                for learner in learner_table.page(session, m, choice, number, 7)
            ]
            streamed = [x.facts.person_id for x in learner_table.every(session, m, choice)]
            if sort == "score":  # equal shown scores may differ in the last float digits
                assert sorted(paged) == sorted(streamed) == sorted(f.person_id for f in learners)
                scores = [f.score for f in sorted(learners, key=lambda f: paged.index(f.person_id))]
                assert scores == sorted(scores, reverse=descending)
            else:
                assert paged == streamed == python_order(learners, sort, descending), sort


def test_filters_and_search_count_what_they_list(session):
    course, _ = generated(session, seed=3, count=30)
    m = learner_table.measure(session, course.id, NOW)
    everyone = [x.facts for x in learner_table.every(session, m, Choice())]
    for show in learner_table.FILTERS:
        for query in ("", "person 1", "PERSON 2", "%", "_"):
            choice = Choice(show=show, query=query)
            listed = list(learner_table.every(session, m, choice))
            assert learner_table.matching(session, m, choice) == len(listed)
            assert all(query.casefold() in x.facts.name.casefold() for x in listed)
            if show == "no_cohort":
                assert all(x.facts.cohort_id is None for x in listed)
            if show == "active":
                assert all(x.facts.active_this_week for x in listed)
            if show == "at_risk":
                assert all(x.alerts for x in listed)
    named = [f for f in everyone if "person 1" in f.name.casefold()]
    assert len(named) == learner_table.matching(session, m, Choice(query=" Person 1 "))
    assert learner_table.matching(session, m, Choice(query="%")) == 0


def test_the_one_statement_sheet_says_what_the_separate_queries_say(session):
    course, _ = generated(session, seed=11, count=45)
    m = learner_table.measure(session, course.id, NOW)
    figures = learner_table.counts(session, m)
    first_flagged = learner_table.flagged_learners(session, m, 6)
    for show in learner_table.FILTERS:
        for sort in ("name", "streak", "cohort"):
            for number in (1, 3, 20):
                choice = Choice(show=show, query="person", sort=sort, descending=number == 3)
                sheet = learner_table.sheet(session, m, choice, number, 7, 6)
                assert sheet.counts == figures
                assert sheet.matching == learner_table.matching(session, m, choice)
                assert sheet.flagged == first_flagged
                assert sheet.page == learner_table.page(session, m, choice, number, 7)
    nobody = learner_table.sheet(session, m, Choice(query="nobody by that name"), 1, 7, 0)
    assert (nobody.counts, nobody.matching, nobody.flagged, nobody.page) == (figures, 0, [], [])


def test_the_learner_csv_rows_say_what_the_table_says(session):
    course, _ = generated(session, seed=4, count=30)
    m = learner_table.measure(session, course.id, NOW)
    choice = Choice(sort="score", descending=True)
    expected = [
        (
            x.facts.name,
            x.facts.cohort_name or "",
            "" if x.facts.last_day is None else rules.day_text(x.facts.last_day),
            x.facts.active_weeks,
            x.facts.streak,
            x.facts.score,
            "; ".join(a.reason for a in x.alerts),
        )
        for x in learner_table.every(session, m, choice)
    ]
    assert list(learner_table.csv_rows(session, m, choice)) == expected
    assert any(row[-1] for row in expected) and any(not row[-1] for row in expected)
