"""Which cohorts have gone quiet though still full enough, and which cohort they could join.

Pure: plain cohort figures in, suggestions out. A cohort shrinks in activity when fewer of its
members were active in the last seven days than the course's minimum cohort size; cohorts
below the minimum in members are suggested elsewhere and are left out here.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CohortPulse:
    """One published cohort's size and how many of its members were active lately."""

    cohort_id: int
    name: str
    challenge_id: int
    members: int
    active_7: int
    locked: bool = False
    dismissed: bool = False


@dataclass(frozen=True, slots=True)
class ActivityMerge:
    """A cohort gone quiet and the cohort of the same challenge its members could join."""

    cohort: CohortPulse
    partner: CohortPulse | None


def quiet_cohorts(cohorts: Iterable[CohortPulse], minimum: int) -> list[CohortPulse]:
    """Cohorts with enough members but fewer active ones than ``minimum``, quietest first."""
    found = [
        c
        for c in cohorts
        if c.members >= minimum and c.active_7 < minimum and not c.locked and not c.dismissed
    ]
    return sorted(found, key=lambda c: (c.active_7, c.name, c.cohort_id))


def activity_merges(
    cohorts: Sequence[CohortPulse], minimum: int, maximum: int
) -> list[ActivityMerge]:
    """Suggest, for each quiet cohort, the unlocked same-challenge cohort with room that has
    the most active members (then the smallest); none when no such cohort has anyone active.
    """
    by_challenge: dict[int, list[CohortPulse]] = {}
    for c in cohorts:
        if not c.locked and c.active_7 > 0:
            by_challenge.setdefault(c.challenge_id, []).append(c)
    for partners in by_challenge.values():
        partners.sort(key=lambda p: (-p.active_7, p.members, p.cohort_id))
    out = []
    for quiet in quiet_cohorts(cohorts, minimum):
        partner = next(
            (
                p
                for p in by_challenge.get(quiet.challenge_id, ())
                if p.cohort_id != quiet.cohort_id and p.members + quiet.members <= maximum
            ),
            None,
        )
        out.append(ActivityMerge(quiet, partner))
    return out
