"""Formation's plain data: learners, settings, cohorts, reports, and the prepared member."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import NamedTuple

WEEK_MINUTES = 7 * 24 * 60
SLOT_MINUTES = 30
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES
NEUTRAL = 0.5

#: Why a learner was left out; `words.reason_words` turns a code into a sentence.
NO_CHOICES = "no_choices"
TOO_FEW = "too_few"
CANNOT_SPLIT = "cannot_split"
NO_ROOM = "no_room"


@dataclass(frozen=True, slots=True)
class Learner:
    """One learner's wishes; availability is weekly UTC minutes from Monday 00:00."""

    learner_id: str
    choices: tuple[str, ...]
    utc_offset: float | None = None
    availability: tuple[tuple[int, int], ...] = ()
    offers: frozenset[str] = frozenset()
    needs: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Settings:
    """Size bounds and score weights; validated so the algorithm can trust them."""

    target: int = 5
    minimum: int = 3
    maximum: int = 8
    weight_preference: float = 1.0
    weight_availability: float = 1.0
    weight_complement: float = 1.0
    seed: int = 1

    def __post_init__(self) -> None:
        sizes = (self.minimum, self.target, self.maximum)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in sizes):
            raise ValueError("minimum, target and maximum must be whole numbers")
        if not 1 <= self.minimum <= self.target <= self.maximum:
            raise ValueError(
                "cohort sizes must satisfy 1 <= minimum <= target <= maximum, got "
                f"minimum={self.minimum}, target={self.target}, maximum={self.maximum}"
            )
        weights = self.weights
        if any(not math.isfinite(w) or w < 0 for w in weights):
            raise ValueError(f"weights must be finite and not negative, got {weights}")
        if sum(weights) <= 0:
            raise ValueError("at least one of the three weights must be positive")

    @property
    def weights(self) -> tuple[float, float, float]:
        return (self.weight_preference, self.weight_availability, self.weight_complement)


class Cohort(NamedTuple):
    """A formed cohort; a named tuple because a MOOC's formation builds 200,000 of them."""

    cohort_id: str
    challenge_id: str
    members: tuple[str, ...]
    score: float
    overlap_hours: float


@dataclass(frozen=True, slots=True)
class Unplaced:
    """A learner left out: a reason code, the challenge it concerns and how many chose it."""

    learner_id: str
    code: str
    challenge_id: str = ""
    count: int = 0


@dataclass(frozen=True, slots=True)
class CohortState:
    """A cohort that already runs; locked ones accept no change at all."""

    cohort_id: str
    challenge_id: str
    members: tuple[Learner, ...]
    locked: bool = False


@dataclass(frozen=True, slots=True)
class Report:
    """Quality figures for one formation.

    A learner counts towards the choice shares only when placed in a cohort of a
    viable size (within the settings' bounds): a cohort of one is not a cohort.
    `total_rank` adds each placed learner's rank of their cohort's challenge (1 for a
    first choice); the bounds say how far any formation could go: no formation places
    more than `placed_bound` learners, nor those with a total rank below `rank_bound`.
    """

    learners: int
    placed: int
    cohorts: int
    first_choice_share: float
    any_choice_share: float
    size_min: int
    size_max: int
    median_overlap_hours: float
    worst_overlap_hours: float
    worst_cohort_score: float
    seconds: float
    total_rank: int = 0
    method: str = ""
    proven: bool = False
    placed_bound: int = 0
    rank_bound: int = 0
    worst_overlap_bound: float | None = None

    def as_dict(self) -> dict[str, int | float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Quality:
    """How good a formation is known to be: which method formed it and the bounds it proved.

    `method` is "exact" or "heuristic"; `proven` means the exact solver proved that no
    formation places more learners or gives them a lower total rank.
    """

    method: str
    proven: bool
    placed_bound: int
    rank_bound: int
    worst_overlap_bound: float | None = None


@dataclass(frozen=True, slots=True)
class Result:
    cohorts: tuple[Cohort, ...]
    unplaced: tuple[Unplaced, ...]
    report: Report


def rank_of(choices: tuple[str, ...], challenge: str) -> int:
    """1 for a first choice, 2 for a second...; one past the list for an unchosen challenge."""
    return choices.index(challenge) + 1 if challenge in choices else len(choices) + 1


def availability_mask(windows: Iterable[tuple[int, int]]) -> int:
    """Weekly availability as a bitmask of half-hour slots.

    A slot counts only when a window covers all of it, so overlap is never
    overstated; clipping to the week keeps bad data from widening the mask.
    """
    mask = 0
    for start, end in windows:
        first = max(0, -(-start // SLOT_MINUTES))
        last = min(WEEK_SLOTS, end // SLOT_MINUTES)
        if last > first:
            mask |= ((1 << (last - first)) - 1) << first
    return mask


def mask_windows(mask: int) -> tuple[tuple[int, int], ...]:
    """Turn a slot bitmask back into weekly UTC minute windows, one per unbroken run."""
    windows = []
    slot = 0
    while mask >> slot:
        if not (mask >> slot) & 1:
            slot += 1
            continue
        start = slot
        while (mask >> slot) & 1:
            slot += 1
        windows.append((start * SLOT_MINUTES, slot * SLOT_MINUTES))
    return tuple(windows)


class Timing:
    """A distinct (availability mask, UTC offset) pair, shared by the members who have it.

    Compared and hashed by identity, so sorting a million members by their hours looks
    up a few thousand of these instead of hashing a big-int mask per member.
    """

    __slots__ = ("mask", "hours", "offset")

    def __init__(self, mask: int, offset: float | None) -> None:
        self.mask = mask
        self.hours = mask.bit_count()
        self.offset = offset


class Member:
    """A learner with availability and tags turned into bitmasks once.

    It keeps the learner's id and first choice (None without choices) rather than the
    learner: after the time sort a million members lie scattered in memory, and each
    further object read per member in scoring and reporting costs another cache miss.
    Its mask, hours and offset repeat its timing's for the same reason.
    """

    __slots__ = (
        "learner_id",
        "choices",
        "first",
        "mask",
        "hours",
        "offset",
        "offers",
        "needs",
        "tiebreak",
        "timing",
    )

    def __init__(
        self, learner: Learner, timing: Timing, offers: int, needs: int, tiebreak: float = 0.0
    ) -> None:
        self.learner_id = learner.learner_id
        self.choices = choices = learner.choices
        self.first: str | None = choices[0] if choices else None
        self.mask = timing.mask
        self.hours = timing.hours
        self.offset = learner.utc_offset
        self.offers = offers
        self.needs = needs
        self.tiebreak = tiebreak
        self.timing = timing


class Preparer:
    """Builds Members sharing one tag numbering, caching repeated masks and timings."""

    def __init__(self) -> None:
        self._timings: dict[tuple[tuple[int, int], ...], dict[float | None, Timing]] = {}
        self._pairs: dict[tuple[int, float | None], Timing] = {}
        self._tag_bits: dict[str, int] = {}
        self._tag_sets: dict[frozenset[str], int] = {frozenset(): 0}

    def tags(self, tags: frozenset[str]) -> int:
        bits = self._tag_sets.get(tags)
        if bits is None:
            bits = 0
            for tag in tags:
                bits |= self._tag_bits.setdefault(tag, 1 << len(self._tag_bits))
            self._tag_sets[tags] = bits
        return bits

    def timing(self, windows: tuple[tuple[int, int], ...], offset: float | None) -> Timing:
        """The one Timing of these windows and offset (equal masks share it too)."""
        by_offset = self._timings.setdefault(windows, {})
        found = by_offset.get(offset)
        if found is None:
            mask = availability_mask(windows)
            found = self._pairs.get((mask, offset))
            if found is None:
                found = self._pairs[mask, offset] = Timing(mask, offset)
            by_offset[offset] = found
        return found

    def member(self, learner: Learner, tiebreak: float = 0.0) -> Member:
        # Cache hits inlined, windows then offset: a MOOC's formation prepares a million
        # members, and hashing one (windows, offset) tuple costs more than two look-ups.
        by_offset = self._timings.get(learner.availability)
        timing = None if by_offset is None else by_offset.get(learner.utc_offset)
        if timing is None:
            timing = self.timing(learner.availability, learner.utc_offset)
        known = self._tag_sets
        offers = known.get(learner.offers)
        if offers is None:
            offers = self.tags(learner.offers)
        needs = known.get(learner.needs)
        if needs is None:
            needs = self.tags(learner.needs)
        return Member(learner, timing, offers, needs, tiebreak)
