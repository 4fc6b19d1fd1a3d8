"""Cohort formation: learners and settings in, cohorts and a quality report out.

Pure and deterministic for a given seed. Roughly O(n log n): challenges are
settled with a heap, groups are split after one sort, and the improvement pass
only swaps between neighbouring cohorts under a fixed budget.

Command line:
    python -m cohorts.formation LEARNERS.csv --out COHORTS.csv --report REPORT.json
"""

from __future__ import annotations

import gc
import heapq
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cohorts.formation.scoring import Group, assemble, cohort_ids, cohort_score, context_fit
from cohorts.formation.values import (
    NO_CHOICES,
    WEEK_SLOTS,
    Cohort,
    CohortState,
    Learner,
    Member,
    Preparer,
    Report,
    Result,
    Settings,
    Unplaced,
)

__all__ = [
    "Cohort",
    "CohortState",
    "Learner",
    "Report",
    "Result",
    "Settings",
    "Unplaced",
    "form_cohorts",
    "place_late_joiner",
]

JOIN_CANDIDATES = 32
SWAP_MEMBERS = 1
EPSILON = 1e-9
DAY_SLOTS = WEEK_SLOTS // 7
ONE_DAY = (1 << DAY_SLOTS) - 1
FOUR_DAYS = (1 << (4 * DAY_SLOTS)) - 1
SWAP_BUDGET_DIVISOR = 4


class _Draft:
    """A cohort under construction; version invalidates stale heap entries."""

    __slots__ = ("cohort_id", "challenge", "members", "score", "row", "pos", "version", "open")

    def __init__(self, challenge: str, members: list[Member], open_: bool = True) -> None:
        self.cohort_id = ""
        self.challenge = challenge
        self.members = members
        self.score = 0.0
        self.row: list[_Draft] = []
        self.pos = 0
        self.version = 0
        self.open = open_


def form_cohorts(
    learners: Sequence[Learner], settings: Settings, existing: Sequence[CohortState] = ()
) -> Result:
    """Form cohorts for `learners`; members of `existing` cohorts are not re-placed.

    Locked existing cohorts are returned untouched; unlocked ones keep their
    members and may take in learners who could not form a cohort of their own.
    """
    started = time.perf_counter()
    with _collector_paused():
        return _form(learners, settings, existing, started)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause cyclic collection: formation allocates many long-lived objects and few cycles."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _form(
    learners: Sequence[Learner],
    settings: Settings,
    existing: Sequence[CohortState],
    started: float,
) -> Result:
    preparer = Preparer()
    rng = random.Random(settings.seed)
    kept = [
        _Draft(c.challenge_id, [preparer.member(x) for x in c.members], not c.locked)
        for c in existing
    ]
    for draft, state in zip(kept, existing, strict=True):
        draft.cohort_id = state.cohort_id
    pool, unplaced = _pool(learners, existing, preparer, rng)
    groups, leftovers, closed = _assign_challenges(pool, settings.minimum)
    fresh, overflow = _split_groups(groups, settings)
    for draft in fresh:
        draft.score = cohort_score(draft.members, draft.challenge, settings)
    _improve(fresh, settings)
    late = [(m, _leftover_reason(m, closed, settings)) for m in leftovers] + overflow
    unplaced.extend(_place_leftovers(late, kept + fresh, settings))
    ids = cohort_ids(state.cohort_id for state in existing)
    for draft in fresh:
        draft.cohort_id = next(ids)
    result: list[Group] = [(d.cohort_id, d.challenge, d.members, None) for d in kept]
    result += [(d.cohort_id, d.challenge, d.members, d.score) for d in fresh]
    return assemble(result, unplaced, settings, started)


def _pool(
    learners: Sequence[Learner],
    existing: Sequence[CohortState],
    preparer: Preparer,
    rng: random.Random,
) -> tuple[list[Member], list[Unplaced]]:
    """Learners still to place, minus existing members; reject duplicate ids."""
    placed = {x.learner_id for c in existing for x in c.members}
    seen: set[str] = set()
    pool: list[Member] = []
    unplaced: list[Unplaced] = []
    for learner in learners:
        lid = learner.learner_id
        if lid in placed:
            continue
        if lid in seen:
            raise ValueError(f"learner {lid!r} appears more than once")
        seen.add(lid)
        if not learner.choices:
            unplaced.append(Unplaced(lid, NO_CHOICES))
            continue
        member = preparer.member(learner)
        member.tiebreak = rng.random()
        pool.append(member)
    return pool, unplaced


def _assign_challenges(
    pool: list[Member], minimum: int
) -> tuple[dict[str, list[Member]], list[Member], dict[str, int]]:
    """Settle each learner on a challenge, closing undersubscribed ones smallest first.

    Closing one at a time lets a small challenge absorb learners released by an
    even smaller one before it is judged itself. Each learner moves at most once
    per choice, so this is O(total choices * log challenges).
    """
    pointer: dict[int, int] = {}
    groups: dict[str, list[Member]] = {}
    for m in pool:
        groups.setdefault(m.choices[0], []).append(m)
    heap = [(len(g), c) for c, g in groups.items() if len(g) < minimum]
    heapq.heapify(heap)
    closed: dict[str, int] = {}
    leftovers: list[Member] = []
    while heap:
        demand, challenge = heapq.heappop(heap)
        if challenge in closed or len(groups[challenge]) != demand:
            continue
        closed[challenge] = demand
        for m in groups.pop(challenge):
            rank = pointer.get(id(m), 0) + 1
            while rank < len(m.choices) and m.choices[rank] in closed:
                rank += 1
            if rank >= len(m.choices):
                leftovers.append(m)
                continue
            pointer[id(m)] = rank
            group = groups.setdefault(m.choices[rank], [])
            group.append(m)
            if len(group) < minimum:
                heapq.heappush(heap, (len(group), m.choices[rank]))
    return groups, leftovers, closed


def _order_key(m: Member) -> tuple[float, int, int, float]:
    """Sort key: learners free at the same UTC hours of day, then same offset, side by side."""
    offset = m.offset if m.offset is not None else 100.0
    day = m.mask | (m.mask >> (4 * DAY_SLOTS))
    day = (day | (day >> (2 * DAY_SLOTS))) & FOUR_DAYS
    day = (day | (day >> DAY_SLOTS)) & ONE_DAY
    return ((day & -day).bit_length(), offset, m.mask, m.tiebreak)


def _split_groups(
    groups: dict[str, list[Member]], settings: Settings
) -> tuple[list[_Draft], list[tuple[Member, str]]]:
    """Cut each challenge group into k even, time-sorted chunks within the size bounds."""
    drafts: list[_Draft] = []
    overflow: list[tuple[Member, str]] = []
    lo, hi = settings.minimum, settings.maximum
    for challenge in sorted(groups):
        members = groups[challenge]
        n = len(members)
        k_low, k_high = -(-n // hi), n // lo
        if k_low <= k_high:
            k = min(max(int(n / settings.target + 0.5), k_low), k_high)
        else:
            k = k_high
            members.sort(key=lambda m, c=challenge: (-m.choices.index(c), m.tiebreak))
            extra = n - k * hi
            reason = (
                f"challenge {challenge} had {n} learners, which cannot be split into "
                f"cohorts of {lo} to {hi}, and no other choice had room"
            )
            overflow += [(m, reason) for m in members[:extra]]
            members = members[extra:]
        members.sort(key=_order_key)
        row = _chunk(challenge, members, k)
        drafts += row
    return drafts, overflow


def _chunk(challenge: str, members: list[Member], k: int) -> list[_Draft]:
    """Split into k consecutive chunks whose sizes differ by at most one."""
    size, extra = divmod(len(members), k)
    row: list[_Draft] = []
    start = 0
    for pos in range(k):
        end = start + size + (pos < extra)
        draft = _Draft(challenge, members[start:end])
        draft.row, draft.pos = row, pos
        row.append(draft)
        start = end
    return row


def _improve(drafts: list[_Draft], settings: Settings) -> None:
    """Raise the worst cohorts first by swapping members with neighbouring cohorts.

    A max-min objective: the currently worst cohort is tried first; a swap is
    kept only when the worse of the two cohorts gets better. Cohorts that cannot
    improve drop out until a neighbour changes them. The budget bounds the work.
    """
    budget = 20 + len(drafts) // SWAP_BUDGET_DIVISOR
    heap = [(d.score, i, 0) for i, d in enumerate(drafts)]
    heapq.heapify(heap)
    index = {id(d): i for i, d in enumerate(drafts)}
    while heap and budget > 0:
        _, i, version = heapq.heappop(heap)
        draft = drafts[i]
        if version != draft.version:
            continue
        budget -= 1
        partner = _best_swap(draft, settings)
        if partner is None:
            continue
        for changed in (draft, partner):
            changed.version += 1
            heapq.heappush(heap, (changed.score, index[id(changed)], changed.version))


def _best_swap(draft: _Draft, settings: Settings) -> _Draft | None:
    """Apply the best swap between `draft` and a neighbour; return the neighbour if any."""
    neighbours = [draft.row[p] for p in (draft.pos - 1, draft.pos + 1) if 0 <= p < len(draft.row)]
    if not neighbours:
        return None
    mine = draft.members
    challenge = draft.challenge
    misfits = sorted(
        range(len(mine)),
        key=lambda i: -cohort_score(mine[:i] + mine[i + 1 :], challenge, settings),
    )[:SWAP_MEMBERS]
    best: tuple[float, int, int, _Draft, float, float] | None = None
    for other in neighbours:
        floor = min(draft.score, other.score) + EPSILON
        theirs = other.members
        for i in misfits:
            for j in range(len(theirs)):
                new_mine = mine[:i] + [theirs[j]] + mine[i + 1 :]
                new_theirs = theirs[:j] + [mine[i]] + theirs[j + 1 :]
                a = cohort_score(new_mine, challenge, settings)
                b = cohort_score(new_theirs, challenge, settings)
                if min(a, b) > floor and (best is None or min(a, b) > min(best[4], best[5])):
                    best = (min(a, b), i, j, other, a, b)
    if best is None:
        return None
    _, i, j, other, a, b = best
    mine[i], other.members[j] = other.members[j], mine[i]
    draft.score, other.score = a, b
    return other


def _leftover_reason(m: Member, closed: dict[str, int], settings: Settings) -> str:
    first = m.choices[0]
    count = closed.get(first, 0)
    noun = "learner" if count == 1 else "learners"
    if len(m.choices) == 1:
        return (
            f"only {count} {noun} chose challenge {first} (a cohort needs at least "
            f"{settings.minimum}) and no cohort for it had room"
        )
    return f"only {count} {noun} chose challenge {first} and no other choice had room"


def _place_leftovers(
    late: list[tuple[Member, str]], drafts: list[_Draft], settings: Settings
) -> list[Unplaced]:
    """Put learners without a viable group into open cohorts with room, else report why."""
    by_challenge: dict[str, list[_Draft]] = {}
    for draft in drafts:
        if draft.open:
            by_challenge.setdefault(draft.challenge, []).append(draft)
    unplaced: list[Unplaced] = []
    for member, reason in late:
        draft = _pick(member, by_challenge, settings)
        if draft is None:
            unplaced.append(Unplaced(member.learner.learner_id, reason))
        else:
            draft.members.append(member)
            draft.score = cohort_score(draft.members, draft.challenge, settings)
    return unplaced


def _pick(
    joiner: Member, by_challenge: dict[str, list[_Draft]], settings: Settings
) -> _Draft | None:
    """Best open cohort with room: higher-ranked choice, then fit, then smaller size."""
    for challenge in joiner.choices:
        roomy = [d for d in by_challenge.get(challenge, ()) if len(d.members) < settings.maximum]
        roomy = sorted(roomy, key=lambda d: len(d.members))[:JOIN_CANDIDATES]
        if roomy:
            return min(
                roomy,
                key=lambda d: (-context_fit([*d.members, joiner], settings), len(d.members)),
            )
    return None


def place_late_joiner(
    learner: Learner, cohorts: Sequence[CohortState], settings: Settings
) -> str | None:
    """Id of the best unlocked cohort with room for one of the learner's choices.

    Prefers the learner's higher-ranked choice, then better availability and
    complement fit, then the smaller cohort; None when nothing fits.
    """
    preparer = Preparer()
    joiner = preparer.member(learner)
    best: tuple[int, float, int, int] | None = None
    best_id: str | None = None
    for position, state in enumerate(cohorts):
        if any(x.learner_id == learner.learner_id for x in state.members):
            return state.cohort_id
        if state.locked or len(state.members) >= settings.maximum:
            continue
        if state.challenge_id not in learner.choices:
            continue
        members = [preparer.member(x) for x in state.members]
        fit = context_fit([*members, joiner], settings)
        key = (learner.choices.index(state.challenge_id), -fit, len(members), position)
        if best is None or key < best:
            best, best_id = key, state.cohort_id
    return best_id
