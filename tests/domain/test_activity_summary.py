"""The per-learner summary gives the same measures as counting every event, in any order."""

import random
from datetime import timedelta

from sqlalchemy import select

from cohorts.activity import measures, rules
from cohorts.activity.events import record_activity
from cohorts.activity.rules import SIGNAL_OF_KIND, Weights
from cohorts.activity.summary import COLUMNS, summary_select
from cohorts.models import ACTIVITY_KINDS, ActivityLearner, ActivityWeek
from tests.domain.cohort_factories import NOW, make_course, make_people

CURRENT = rules.week_of(rules.day_of(NOW))


def history(rng: random.Random, people: list[int]) -> list[tuple[int, str, object]]:
    """Events over ten weeks with gaps and returns, shuffled so weeks arrive out of order."""
    events = []
    for pid in people[:-1]:  # the last learner never comes
        weeks = sorted(rng.sample(range(10), rng.randint(1, 7)))
        for week in weeks:
            for _ in range(rng.randint(1, 4)):
                moment = NOW - timedelta(weeks=week, hours=rng.randint(0, 100))
                events.append((pid, rng.choice(ACTIVITY_KINDS), moment))
    rng.shuffle(events)
    return events


def expected(events: list[tuple[int, str, object]], pid: int) -> dict[str, object]:
    """What the measures mean, counted from the raw events in plain Python."""
    mine = [(rules.day_of(m), kind) for p, kind, m in events if p == pid]
    if not mine:
        return {"active_weeks": 0, "streak": 0, "last_day": None, "first_week": None}
    per_week: dict[int, int] = {}
    for day, _ in mine:
        per_week[rules.week_of(day)] = per_week.get(rules.week_of(day), 0) + 1
    first, last = min(per_week), max(per_week)
    streak = 0
    if last >= CURRENT - 1:
        while last - streak in per_week:
            streak += 1
    early_weeks = min(2, CURRENT - first)
    early = sum(n for w, n in per_week.items() if w < first + 2)
    recent = per_week.get(CURRENT - 1, 0) + per_week.get(CURRENT - 2, 0)
    signal = [SIGNAL_OF_KIND.get(kind) for _, kind in mine]
    return {
        "active_weeks": len(per_week),
        "streak": streak,
        "last_day": max(day for day, _ in mine),
        "first_week": first,
        "active_this_week": CURRENT in per_week,
        "gifts": signal.count("gifts_given") + signal.count("gifts_received"),
        "cohort_actions": signal.count("cohort_actions"),
        "early_rate": early / early_weeks if early_weeks > 0 else 0.0,
        "recent_rate": recent / 2 if CURRENT - first >= 4 else 0.0,
    }


def test_summary_measures_match_counting_every_event_whatever_the_order(session):
    for seed in range(3):
        course = make_course(session, f"course-{seed}")
        people = [p.id for p in make_people(session, course, 8)]
        rng = random.Random(seed)
        events = history(rng, people)
        for pid, kind, moment in events:
            record_activity(session, course.id, pid, kind, moment)
        facts = {f.person_id: f for f in measures.learner_facts(session, course.id, NOW, Weights())}
        for pid in people:
            want = expected(events, pid)
            got = {key: getattr(facts[pid], key) for key in want}
            assert got == want, (seed, pid)


def test_the_curve_from_summaries_matches_first_and_last_weeks_of_the_events(session):
    course = make_course(session)
    people = [p.id for p in make_people(session, course, 8)]
    events = history(random.Random(5), people)
    for pid, kind, moment in events:
        record_activity(session, course.id, pid, kind, moment)
    spans: dict[tuple[int, bool], int] = {}
    for pid in people:
        weeks = [rules.week_of(rules.day_of(m)) for p, _, m in events if p == pid]
        if weeks:
            stopped = max(weeks) < CURRENT - 1
            length = (max(weeks) if stopped else CURRENT) - min(weeks) + 1
            spans[(length, stopped)] = spans.get((length, stopped), 0) + 1
    want = rules.persistence_curve(((n, s, c) for (n, s), c in spans.items()), 8)
    curves = measures.persistence_curves(session, course.id, NOW, 8)
    assert curves["Not in a cohort"] == want
    assert all(p.at_risk == 0 for p in curves["In a cohort"])


def stored_and_rebuilt(session, course_id: int) -> tuple[list, list]:
    """Every learner's kept summary next to one rebuilt from all their weeks."""
    columns = [getattr(ActivityLearner, c) for c in COLUMNS]
    stored = session.execute(
        select(*columns).where(ActivityLearner.course_id == course_id).order_by("person_id")
    ).all()
    rebuilt = session.execute(summary_select(ActivityWeek.course_id == course_id)).all()
    return [tuple(r) for r in stored], sorted(tuple(r) for r in rebuilt)


def test_the_kept_summary_equals_a_rebuild_after_random_mostly_in_order_sequences(session):
    """Writes move the summary forward week by week; gaps, returns, repeats within a week and
    the odd late event must all leave it as a rebuild from the weeks would."""
    for seed in range(4):
        course = make_course(session, f"steps-{seed}")
        people = [p.id for p in make_people(session, course, 6)]
        rng = random.Random(100 + seed)
        moment = NOW - timedelta(weeks=12)
        for _ in range(300):
            moment += timedelta(hours=rng.choice((0, 1, 5, 30, 24 * 8, 24 * 15)))
            when = moment - timedelta(weeks=rng.randint(1, 6)) if rng.random() < 0.05 else moment
            record_activity(
                session, course.id, rng.choice(people), rng.choice(ACTIVITY_KINDS), when
            )
        stored, rebuilt = stored_and_rebuilt(session, course.id)
        assert len(stored) == len(people)
        assert stored == rebuilt, seed
