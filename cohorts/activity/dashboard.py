"""What the Persistence and My rhythm pages show, gathered in a few queries."""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from cohorts.activity import alerts, cohort_measures, learner_table, measures, rules
from cohorts.activity.alerts import Flagged
from cohorts.activity.cohort_measures import CohortHealth
from cohorts.activity.learner_table import Choice, Counts, Learner, Measured
from cohorts.activity.measures import Totals
from cohorts.activity.rules import SIGNAL_LABELS, CurvePoint, LearnerFacts, SignalStats
from cohorts.activity.settings import Rules, course_rules

CURVE_WEEKS = 8
#: The alerts section lists this many learners and cohorts.
ALERT_ROWS = 50
#: Cohort health lists this many cohorts, the least active first.
HEALTH_ROWS = 50
FILTERS = learner_table.FILTERS
DEFAULT_CHOICE = Choice()
SORTS = learner_table.SORTS


@dataclass(frozen=True, slots=True)
class Persistence:
    """Everything the staff Persistence page shows but the learner table."""

    today: int
    rules: Rules
    counts: Counts
    curves: dict[str, list[CurvePoint]]
    weekly: list[tuple[date, int]]
    #: The least active published cohorts, fully measured, and how many are published.
    health: list[CohortHealth]
    cohorts: int
    #: The first alerts (quiet cohorts, then learners by name) and how many there are in all.
    flagged: list[Flagged]
    flagged_total: int
    stats: dict[str, SignalStats]
    #: The page of the learner table asked for, and how many learners its filter keeps.
    rows: list[Learner]
    matching: int


def course_persistence(
    session: Session,
    course_id: int,
    now: datetime,
    measured: Measured | None = None,
    choice: Choice = DEFAULT_CHOICE,
    number: int = 1,
    size: int = 50,
) -> Persistence:
    """Measure the course once for the Persistence page, building only the rows it shows."""
    m = measured or learner_table.measure(session, course_id, now)
    health = cohort_measures.course_health(session, course_id, now, HEALTH_ROWS)
    sheet = learner_table.sheet(session, m, choice, number, size, ALERT_ROWS)
    shown, quiet = alerts.flagged(session, course_id, health.quiet, sheet.flagged, now, ALERT_ROWS)
    counts = sheet.counts
    return Persistence(
        today=m.today,
        rules=m.rules,
        counts=counts,
        curves=measures.persistence_curves(session, course_id, now, CURVE_WEEKS),
        weekly=measures.weekly_active(session, course_id, now, CURVE_WEEKS),
        health=health.least_active,
        cohorts=health.total,
        flagged=shown,
        flagged_total=quiet + counts.flagged,
        stats=m.stats,
        rows=sheet.page,
        matching=sheet.matching,
    )


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
