"""Cohort formation data types and the rules that judge a formation.

Kept apart from the algorithm so the real formation and the baselines are
scored by exactly the same rules and can be compared on one report.
"""

from __future__ import annotations

import math
import random
import statistics
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, fields

WEEK_MINUTES = 7 * 24 * 60
SLOT_MINUTES = 30
WEEK_SLOTS = WEEK_MINUTES // SLOT_MINUTES
NEUTRAL = 0.5
NO_CHOICES = "no challenges chosen"


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


@dataclass(frozen=True, slots=True)
class Cohort:
    cohort_id: str
    challenge_id: str
    members: tuple[str, ...]
    score: float
    overlap_hours: float


@dataclass(frozen=True, slots=True)
class Unplaced:
    learner_id: str
    reason: str


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

    def as_dict(self) -> dict[str, int | float]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Result:
    cohorts: tuple[Cohort, ...]
    unplaced: tuple[Unplaced, ...]
    report: Report


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


class Member:
    """A learner with availability and tags turned into bitmasks once."""

    __slots__ = ("learner", "choices", "mask", "hours", "offset", "offers", "needs", "tiebreak")

    def __init__(self, learner: Learner, mask: int, offers: int, needs: int) -> None:
        self.learner = learner
        self.choices = learner.choices
        self.mask = mask
        self.hours = mask.bit_count()
        self.offset = learner.utc_offset
        self.offers = offers
        self.needs = needs
        self.tiebreak = 0.0


class Preparer:
    """Builds Members sharing one tag numbering, caching repeated masks."""

    def __init__(self) -> None:
        self._masks: dict[tuple[tuple[int, int], ...], int] = {}
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

    def member(self, learner: Learner) -> Member:
        windows = learner.availability
        mask = self._masks.get(windows)
        if mask is None:
            mask = self._masks[windows] = availability_mask(windows)
        return Member(learner, mask, self.tags(learner.offers), self.tags(learner.needs))


def preference_term(members: Sequence[Member], challenge: str) -> float:
    """Mean of 1/rank of the challenge in each member's choices (0 if not chosen)."""
    total = 0.0
    for m in members:
        choices = m.choices
        if choices and choices[0] == challenge:
            total += 1.0
        elif challenge in choices:
            total += 1.0 / (choices.index(challenge) + 1)
    return total / len(members) if members else 0.0


def availability_term(members: Sequence[Member]) -> float:
    """Half mean pairwise overlap, half time common to all; offsets as fallback."""
    masks = [m.mask for m in members if m.hours]
    if len(masks) >= 2:
        hours = [m.hours for m in members if m.hours]
        pair_sum = 0.0
        for i in range(1, len(masks)):
            a, ha = masks[i], hours[i]
            for j in range(i):
                hb = hours[j]
                pair_sum += (a & masks[j]).bit_count() / (ha if ha < hb else hb)
        common = masks[0]
        for a in masks:
            common &= a
        pairs = len(masks) * (len(masks) - 1) // 2
        return 0.5 * pair_sum / pairs + 0.5 * common.bit_count() / min(hours)
    offsets = [m.offset for m in members if m.offset is not None]
    if len(offsets) >= 2:
        return offset_closeness(offsets)
    return NEUTRAL


def offset_closeness(offsets: Sequence[float]) -> float:
    """1 when everyone shares a time zone, 0 when pairs are 12 hours apart on average."""
    total = 0.0
    for i in range(1, len(offsets)):
        for other in offsets[:i]:
            gap = abs(offsets[i] - other) % 24
            total += min(gap, 24 - gap)
    pairs = len(offsets) * (len(offsets) - 1) // 2
    return 1.0 - total / pairs / 12.0


def complement_term(members: Sequence[Member]) -> float:
    """Mean share of each member's needs offered by someone else in the cohort."""
    count = len(members)
    suffix = [0] * (count + 1)
    for i in range(count - 1, -1, -1):
        suffix[i] = suffix[i + 1] | members[i].offers
    prefix = needy = 0
    share = 0.0
    for i, m in enumerate(members):
        if m.needs:
            needy += 1
            share += (m.needs & (prefix | suffix[i + 1])).bit_count() / m.needs.bit_count()
        prefix |= m.offers
    return share / needy if needy else NEUTRAL


def cohort_score(members: Sequence[Member], challenge: str, settings: Settings) -> float:
    """Weighted mean of preference, availability and complement, in [0, 1]."""
    wp, wa, wc = settings.weights
    total = 0.0
    if wp:
        total += wp * preference_term(members, challenge)
    if wa:
        total += wa * availability_term(members)
    if wc:
        total += wc * complement_term(members)
    return total / (wp + wa + wc)


def context_fit(members: Sequence[Member], settings: Settings) -> float:
    """Score without the preference term: how well a group works together."""
    _, wa, wc = settings.weights
    if not wa and not wc:
        return NEUTRAL
    total = wa * availability_term(members) if wa else 0.0
    if wc:
        total += wc * complement_term(members)
    return total / (wa + wc)


def overlap_hours(members: Iterable[Member]) -> float:
    """Weekly hours when every member who gave availability is free.

    One person's own free time is not time shared with anyone, so it takes two.
    """
    common, sharing = -1, 0
    for m in members:
        if m.hours:
            common &= m.mask
            sharing += 1
    return 0.0 if sharing < 2 else common.bit_count() * SLOT_MINUTES / 60


def cohort_ids(taken: Iterable[str] = ()) -> Iterator[str]:
    """Sequential ids C0001, C0002, ... skipping ids already in use."""
    used = set(taken)
    number = 0
    while True:
        number += 1
        candidate = f"C{number:04d}"
        if candidate not in used:
            yield candidate


Group = tuple[str, str, Sequence[Member], float | None]


def assemble(
    groups: Iterable[Group], unplaced: Sequence[Unplaced], settings: Settings, started: float
) -> Result:
    """Turn (cohort_id, challenge, members, score or None) groups into a reported Result."""
    cohorts: list[Cohort] = []
    first = matched = 0
    for cohort_id, challenge, members, score in groups:
        if score is None:
            score = cohort_score(members, challenge, settings)
        ids = tuple(m.learner.learner_id for m in members)
        cohorts.append(Cohort(cohort_id, challenge, ids, score, overlap_hours(members)))
        if settings.minimum <= len(members) <= settings.maximum:
            for m in members:
                if challenge in m.choices:
                    matched += 1
                    first += m.choices[0] == challenge
    report = _report(cohorts, unplaced, first, matched, started)
    return Result(tuple(cohorts), tuple(unplaced), report)


def _report(
    cohorts: Sequence[Cohort],
    unplaced: Sequence[Unplaced],
    first: int,
    matched: int,
    started: float,
) -> Report:
    placed = sum(len(c.members) for c in cohorts)
    learners = placed + len(unplaced)
    sizes = [len(c.members) for c in cohorts] or [0]
    overlaps = [c.overlap_hours for c in cohorts] or [0.0]
    return Report(
        learners=learners,
        placed=placed,
        cohorts=len(cohorts),
        first_choice_share=first / learners if learners else 0.0,
        any_choice_share=matched / learners if learners else 0.0,
        size_min=min(sizes),
        size_max=max(sizes),
        median_overlap_hours=float(statistics.median(overlaps)),
        worst_overlap_hours=min(overlaps),
        worst_cohort_score=min((c.score for c in cohorts), default=0.0),
        seconds=time.perf_counter() - started,
    )


def form_random(learners: Sequence[Learner], settings: Settings) -> Result:
    """Baseline: shuffle, cut into target-sized chunks, name each by its commonest first choice."""
    started = time.perf_counter()
    preparer = Preparer()
    members = [preparer.member(learner) for learner in learners]
    random.Random(settings.seed).shuffle(members)
    ids = cohort_ids()
    groups: list[Group] = []
    for start in range(0, len(members), settings.target):
        chunk = members[start : start + settings.target]
        firsts = Counter(m.choices[0] for m in chunk if m.choices)
        challenge = min(firsts.items(), key=lambda kv: (-kv[1], kv[0]))[0] if firsts else ""
        groups.append((next(ids), challenge, chunk, None))
    return assemble(groups, (), settings, started)


def form_first_choice_chunks(learners: Sequence[Learner], settings: Settings) -> Result:
    """Baseline: group by first choice and cut into target-sized chunks in input order."""
    started = time.perf_counter()
    preparer = Preparer()
    by_choice: dict[str, list[Member]] = {}
    unplaced: list[Unplaced] = []
    for learner in learners:
        if learner.choices:
            by_choice.setdefault(learner.choices[0], []).append(preparer.member(learner))
        else:
            unplaced.append(Unplaced(learner.learner_id, NO_CHOICES))
    ids = cohort_ids()
    groups: list[Group] = []
    for challenge, members in by_choice.items():
        for start in range(0, len(members), settings.target):
            groups.append((next(ids), challenge, members[start : start + settings.target], None))
    return assemble(groups, unplaced, settings, started)
