"""What the Persistence and My rhythm pages show, gathered in a few queries."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from cohorts.activity import cohort_measures, measures, rules
from cohorts.activity.alerts import Flagged, flagged
from cohorts.activity.cohort_measures import CohortHealth
from cohorts.activity.measures import Totals
from cohorts.activity.rules import SIGNAL_LABELS, CurvePoint, LearnerFacts, SignalStats
from cohorts.activity.settings import Rules, course_rules

CURVE_WEEKS = 8
#: Learner table filters staff can choose, in words.
FILTERS = {
    "all": "All learners",
    "at_risk": "With an alert",
    "active": "Active this week",
    "no_cohort": "Not in a cohort",
}
SORTS = {
    "name": lambda f: f.name.casefold(),
    "cohort": lambda f: (f.cohort_name or "~").casefold(),
    "last_active": lambda f: f.last_day if f.last_day is not None else -1,
    "active_weeks": lambda f: f.active_weeks,
    "streak": lambda f: f.streak,
    "score": lambda f: f.score,
}


@dataclass(frozen=True, slots=True)
class Persistence:
    """Everything the staff Persistence page shows."""

    today: int
    rules: Rules
    learners: list[LearnerFacts]
    curves: dict[str, list[CurvePoint]]
    weekly: list[tuple[date, int]]
    health: list[CohortHealth]
    flagged: list[Flagged]
    stats: dict[str, SignalStats]


def course_persistence(session: Session, course_id: int, now: datetime) -> Persistence:
    """Measure the course once for the Persistence page and its CSV export."""
    course = course_rules(session, course_id)
    week = rules.week_of(rules.day_of(now))
    stats = measures.score_stats(session, course_id, week - 1)
    facts = measures.learner_facts(session, course_id, now, course.weights, stats=stats)
    health = cohort_measures.cohort_health(session, course_id, now)
    return Persistence(
        today=rules.day_of(now),
        rules=course,
        learners=facts,
        curves=measures.persistence_curves(session, course_id, now, CURVE_WEEKS),
        weekly=measures.weekly_active(session, course_id, now, CURVE_WEEKS),
        health=health,
        flagged=flagged(session, course_id, facts, health, course.inactive_days, now),
        stats=stats,
    )


def choose_learners(
    page: Persistence, show: str, query: str, sort: str, descending: bool
) -> list[LearnerFacts]:
    """Filter and sort the learner table the way staff asked; unknown choices mean the default."""
    at_risk = {f.subject_id for f in page.flagged if f.kind == "learner"}
    keep = {
        "at_risk": lambda f: f.person_id in at_risk,
        "active": lambda f: f.active_this_week,
        "no_cohort": lambda f: f.cohort_id is None,
    }.get(show, lambda f: True)
    needle = query.strip().casefold()
    rows = [f for f in page.learners if keep(f) and needle in f.name.casefold()]
    return sorted(rows, key=SORTS.get(sort, SORTS["name"]), reverse=descending)


@dataclass(frozen=True, slots=True)
class Rhythm:
    """A learner's own rhythm, told without comparing them with anyone."""

    facts: LearnerFacts | None
    totals: Totals
    today: int

    @property
    def last_week_words(self) -> list[str]:
        """Say what counted last week, only the things they did."""
        return [
            f"{count} {SIGNAL_LABELS[signal]}"
            for signal, count in self.totals.last_week.items()
            if count
        ]


def learner_rhythm(session: Session, course_id: int, person_id: int, now: datetime) -> Rhythm:
    """Measure one learner for their My rhythm page."""
    weights = course_rules(session, course_id).weights
    # The page shows no score, so the course-wide spread is not worth a query here.
    neutral = {s: SignalStats(0.0, 1.0) for s in SIGNAL_LABELS}
    facts = measures.learner_facts(
        session, course_id, now, weights, person_id=person_id, stats=neutral
    )
    totals = measures.learner_totals(session, course_id, person_id, now, CURVE_WEEKS)
    return Rhythm(facts[0] if facts else None, totals, rules.day_of(now))
