"""Pure rules of persistence: weeks, the engagement score, the curve and the alerts in words."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from math import sqrt

EPOCH = date(1970, 1, 1)
#: The rollup column each kind of event counts towards (other kinds count only as events).
SIGNAL_OF_KIND = {
    "launch": "sessions",
    "cohort_view": "cohort_actions",
    "post": "cohort_actions",
    "give": "gifts_given",
    "receive": "gifts_received",
    "answer": "asks_answered",
}
SIGNALS = ("sessions", "cohort_actions", "gifts_given", "gifts_received", "asks_answered")
SIGNAL_LABELS = {
    "sessions": "visits",
    "cohort_actions": "cohort space activity",
    "gifts_given": "gifts given",
    "gifts_received": "gifts received",
    "asks_answered": "asks answered",
}
LONELY_DAYS = 10
QUIET_COHORT_DAYS = 7
#: A member this long without activity shows as quiet to their cohort.
QUIET_MEMBER_DAYS = 7
FALLING_RATIO = 0.5
#: Early weeks need this many events a week before a fall means anything.
FALLING_MIN_EARLY = 3.0
#: A dismissed alert stays hidden this long unless it comes back afterwards.
DISMISS_DAYS = 14


def day_of(moment: datetime) -> int:
    """Return the UTC day number (days since 1970-01-01) of an aware moment."""
    return (moment.astimezone(UTC).date() - EPOCH).days


def week_of(day: int) -> int:
    """Return the Monday-based week number of a day number (1970-01-01 was a Thursday)."""
    return (day + 3) // 7


def date_of(day: int) -> date:
    """Return the calendar date of a day number."""
    return date.fromordinal(EPOCH.toordinal() + day)


@lru_cache(maxsize=4096)
def day_text(day: int) -> str:
    """The ISO date of a day number (cached: a table of learners repeats a few hundred)."""
    return date_of(day).isoformat()


def week_start(week: int) -> date:
    """Return the Monday a week number starts on."""
    return date.fromordinal(EPOCH.toordinal() + week * 7 - 3)


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each standardized signal counts towards the weekly engagement score."""

    sessions: float = 1.0
    cohort_actions: float = 1.0
    gifts_given: float = 1.0
    gifts_received: float = 1.0
    asks_answered: float = 1.0

    def of(self, signal: str) -> float:
        return float(getattr(self, signal))


@dataclass(frozen=True, slots=True)
class SignalStats:
    """Mean and spread of one signal over all learners of a course in one week."""

    mean: float
    spread: float


def signal_stats(total: float, total_squares: float, learners: int) -> SignalStats:
    """Standardize over every learner, counting those with no activity as zeros."""
    if learners <= 0:
        return SignalStats(0.0, 1.0)
    mean = total / learners
    variance = max(total_squares / learners - mean * mean, 0.0)
    return SignalStats(mean, sqrt(variance) or 1.0)


def linear_score(
    stats: Mapping[str, SignalStats], weights: Weights
) -> tuple[dict[str, float], float]:
    """Return per-signal coefficients and an offset: score = sum(coef * count) + offset."""
    coefficients = {s: weights.of(s) / stats[s].spread for s in SIGNALS}
    offset = -sum(weights.of(s) * stats[s].mean / stats[s].spread for s in SIGNALS)
    return coefficients, offset


def contributions(
    counts: Mapping[str, int], stats: Mapping[str, SignalStats], weights: Weights
) -> list[tuple[str, int, float]]:
    """Return (label, count, points) per signal: what pushed one learner's score up or down."""
    return [
        (
            SIGNAL_LABELS[s],
            counts.get(s, 0),
            weights.of(s) * (counts.get(s, 0) - stats[s].mean) / stats[s].spread,
        )
        for s in SIGNALS
    ]


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One week of the persistence curve: who was followed, who stopped, the share still here."""

    week: int
    at_risk: int
    stopped: int
    censored: int
    still_active: float


def persistence_curve(durations: Iterable[tuple[int, bool, int]], weeks: int) -> list[CurvePoint]:
    """Kaplan-Meier over (weeks persisted, stopped?, learners); the still-active are censored."""
    stopped: dict[int, int] = {}
    censored: dict[int, int] = {}
    total = 0
    for length, has_stopped, count in durations:
        target = stopped if has_stopped else censored
        target[length] = target.get(length, 0) + count
        total += count
    points, at_risk, share = [], total, 1.0
    for week in range(1, weeks + 1):
        gone, left = stopped.get(week, 0), censored.get(week, 0)
        if at_risk:
            share *= 1 - gone / at_risk
        points.append(CurvePoint(week, at_risk, gone, left, share))
        at_risk -= gone + left
    return points


@dataclass(frozen=True, slots=True)
class LearnerFacts:
    """What the measures say about one learner, as of one day."""

    person_id: int
    name: str
    cohort_id: int | None
    cohort_name: str | None
    first_week: int | None
    last_day: int | None
    active_weeks: int
    streak: int
    active_this_week: bool
    joined_day: int | None
    gifts: int
    cohort_actions: int
    early_rate: float
    recent_rate: float
    score: float


ALERT_TITLES = {
    "lonely": "Lonely learner",
    "quiet_cohort": "Quiet cohort",
    "never_launched": "Never launched",
    "inactive": "Inactive",
    "falling": "Falling activity",
}


@dataclass(frozen=True, slots=True)
class Alert:
    """Why a learner or a cohort may need a word from staff."""

    kind: str
    reason: str

    @property
    def title(self) -> str:
        return ALERT_TITLES[self.kind]


NEVER_LAUNCHED = "has never opened Communitas in this course."


@lru_cache(maxsize=512)
def inactive_reason(idle: int, inactive_days: int) -> str:
    """The words of an inactive alert (cached: a whole course shares a few dozen)."""
    return f"not active for {idle} days (rule: {inactive_days})."


@lru_cache(maxsize=512)
def lonely_reason(days: int) -> str:
    """The words of a lonely alert, after ``days`` in a cohort."""
    return (
        f"in a cohort for {days} days with no gift given or received and "
        "no activity in the cohort space."
    )


@lru_cache(maxsize=2048)
def falling_reason(recent_rate: float, early_rate: float) -> str:
    """The words of a falling alert, from the recent and early weekly rates."""
    recent = (
        "nothing in the last two full weeks"
        if recent_rate == 0
        else f"about {recent_rate:g} {'action' if recent_rate == 1 else 'actions'}"
        " a week in the last two full weeks"
    )
    return f"{recent}, against {early_rate:g} a week in their first two."


def learner_alerts(facts: LearnerFacts, today: int, inactive_days: int) -> list[Alert]:
    """Say in words which alert rules this learner meets today."""
    if facts.last_day is None:
        return [Alert("never_launched", NEVER_LAUNCHED)]
    alerts = []
    idle = today - facts.last_day
    if idle >= inactive_days:
        alerts.append(Alert("inactive", inactive_reason(idle, inactive_days)))
    joined = facts.joined_day
    if (
        joined is not None
        and today - joined >= LONELY_DAYS
        and facts.gifts == 0
        and facts.cohort_actions == 0
    ):
        alerts.append(Alert("lonely", lonely_reason(today - joined)))
    falling = facts.recent_rate < FALLING_RATIO * facts.early_rate
    if idle < inactive_days and facts.early_rate >= FALLING_MIN_EARLY and falling:
        alerts.append(Alert("falling", falling_reason(facts.recent_rate, facts.early_rate)))
    return alerts


def quiet_cohort_alert(last_day: int | None, today: int) -> Alert | None:
    """A cohort is quiet when no member has been active for a week."""
    if last_day is None:
        return Alert("quiet_cohort", "no member has been active since the cohort was formed.")
    idle = today - last_day
    if idle >= QUIET_COHORT_DAYS:
        return Alert("quiet_cohort", f"no member active for {idle} days.")
    return None
