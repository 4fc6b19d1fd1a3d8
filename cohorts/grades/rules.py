"""Pure rules of the participation grade: what counts, how it becomes points, said in words.

The grade rewards keeping at it, not outdoing classmates: each counted signal earns an equal
share of the maximum, in full once the learner reaches its target and in part before, so a
learner's score never depends on anyone else's.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

#: Signals the grade may count, read from the weekly activity rollup.
SIGNALS = ("active_weeks", "cohort_actions", "gifts_given", "gifts_received", "asks_answered")
SIGNAL_WORDS = {
    "active_weeks": ("week with a visit", "weeks with a visit"),
    "cohort_actions": ("action in the cohort space", "actions in the cohort space"),
    "gifts_given": ("gift given", "gifts given"),
    "gifts_received": ("gift received", "gifts received"),
    "asks_answered": ("ask answered", "asks answered"),
}
#: Persistence and reciprocity by default: coming back, giving and receiving.
DEFAULT_TARGETS = {
    "active_weeks": 6,
    "cohort_actions": 0,
    "gifts_given": 3,
    "gifts_received": 3,
    "asks_answered": 0,
}
MAX_TARGET = 100
MIN_MAXIMUM, MAX_MAXIMUM = 1.0, 1000.0


@dataclass(frozen=True, slots=True)
class GradeRule:
    """Points out of ``maximum``; a target of 0 leaves that signal out."""

    maximum: float = 10.0
    targets: Mapping[str, int] = field(default_factory=lambda: dict(DEFAULT_TARGETS))

    @property
    def counted(self) -> list[str]:
        return [s for s in SIGNALS if self.targets.get(s, 0) > 0]


def rule_problem(rule: GradeRule) -> str | None:
    """Say what is wrong with a rule staff typed, or None when it can be used."""
    if not MIN_MAXIMUM <= rule.maximum <= MAX_MAXIMUM:
        return f"The maximum goes from {MIN_MAXIMUM:g} to {MAX_MAXIMUM:g} points."
    if set(rule.targets) - set(SIGNALS):
        return "Unknown signal in the rule."
    if any(not 0 <= rule.targets.get(s, 0) <= MAX_TARGET for s in SIGNALS):
        return f"Each target goes from 0 (not counted) to {MAX_TARGET}."
    if not rule.counted:
        return "Count at least one signal (give it a target above 0)."
    return None


def participation_score(counts: Mapping[str, int], rule: GradeRule) -> float:
    """Return one learner's points: an equal share per counted signal, capped at its target."""
    counted = rule.counted
    if not counted:
        return 0.0
    share = sum(min(max(counts.get(s, 0), 0) / rule.targets[s], 1.0) for s in counted)
    return round(rule.maximum * share / len(counted), 2)


def _words(signal: str, n: int) -> str:
    one, many = SIGNAL_WORDS[signal]
    return f"{n} {one if n == 1 else many}"


def describe(rule: GradeRule) -> list[str]:
    """Say the rule in sentences, as staff and (if asked) learners read it."""
    counted = rule.counted
    if not counted:
        return ["No signal is counted, so no score can be given."]
    share = rule.maximum / len(counted)
    parts = [f"{_words(s, rule.targets[s])} ({share:.3g} points)" for s in counted]
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    first = counted[0]
    half = max(rule.targets[first] // 2, 1)
    part = participation_score({first: half}, GradeRule(share, {first: rule.targets[first]}))
    return [
        f"Out of {rule.maximum:g} points, shared equally: full points for {listed}.",
        f"Less earns part of a share: {_words(first, half)} earns {part:g} of its "
        f"{share:.3g} points. Counts run over the whole course so far.",
        "Only learners get a score; instructors and other staff never do. Scores depend on "
        "each learner's own activity, never on classmates'.",
    ]


@dataclass(frozen=True, slots=True)
class LearnerCounts:
    """One person's activity totals in a course, with their role there."""

    person_id: int
    #: The platform's user id (``sub``), which AGS scores name.
    user_id: str
    role: str
    counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class LearnerScore:
    """The points one learner gets under the course's rule."""

    person_id: int
    user_id: str
    score: float
    maximum: float


def learner_scores(people: Iterable[LearnerCounts], rule: GradeRule) -> list[LearnerScore]:
    """Score every learner (and nobody else) under ``rule``."""
    return [
        LearnerScore(p.person_id, p.user_id, participation_score(p.counts, rule), rule.maximum)
        for p in people
        if p.role == "learner"
    ]
