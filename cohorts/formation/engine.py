"""Cohort formation: learners and settings in, cohorts and a quality report out.

Pure and deterministic for a given seed. Roughly O(n log n): challenges are
settled with a heap (rescuing small ones with lower-ranked pickers), groups are
split after one sort, the improvement pass swaps members between cohorts of one
challenge under a fixed budget, and leftovers that share a choice form new cohorts.
The exact solver (`cohorts.formation.exact`) starts from this result.

Command line:
    python -m cohorts.formation LEARNERS.csv --out COHORTS.csv --report REPORT.json
"""

from __future__ import annotations

import gc
import random
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from cohorts.formation.batch import score_groups
from cohorts.formation.building import Draft, split_groups
from cohorts.formation.improve import improve
from cohorts.formation.leftovers import place_leftovers, too_few
from cohorts.formation.scoring import Group, assemble, cohort_ids, cohort_score, context_fit
from cohorts.formation.settle import Settler
from cohorts.formation.values import (
    NO_CHOICES,
    Cohort,
    CohortState,
    Learner,
    Member,
    Preparer,
    Quality,
    Report,
    Result,
    Settings,
    Unplaced,
    rank_of,
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
    """Pause cyclic collection: formation allocates many long-lived objects and few cycles.

    On the way out the new objects are moved to the oldest generation (freeze, then
    unfreeze) instead of being scanned: a MOOC's formation leaves millions of them in the
    youngest generation, and the first collection after re-enabling would take seconds.
    Only done when nothing else froze objects, so no one else's frozen objects thaw.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
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
        Draft(c.challenge_id, [preparer.member(x) for x in c.members], not c.locked)
        for c in existing
    ]
    for draft, state in zip(kept, existing, strict=True):
        draft.cohort_id = state.cohort_id
    pool, unplaced = _pool(learners, existing, preparer, rng)
    settler = Settler(pool, settings)
    fresh, overflow = split_groups(settler.settle(), settings)
    score_drafts(fresh, settings)
    improve(fresh, settings)
    late = [(m, too_few(m, settler.closed)) for m in settler.leftovers] + overflow
    extra, left = place_leftovers(late, kept + fresh, settings)
    fresh += extra
    unplaced.extend(left)
    ids = cohort_ids(state.cohort_id for state in existing)
    for draft in fresh:
        draft.cohort_id = next(ids)
    result: list[Group] = [(d.cohort_id, d.challenge, d.members, None) for d in kept]
    result += [(d.cohort_id, d.challenge, d.members, d.score) for d in fresh]
    placed = sum(len(d.members) for d in kept) + sum(len(d.members) for d in fresh)
    quality = quick_bounds(pool, kept, placed, settings)
    hours = [None] * len(kept) + [d.hours for d in fresh]
    return assemble(result, unplaced, settings, started, quality, hours)


#: From this many fresh cohorts on, they are scored together with numpy (same scores).
BATCH_FROM = 256


def score_drafts(drafts: Sequence[Draft], settings: Settings) -> None:
    """Score each draft, all at once when there are many."""
    if len(drafts) < BATCH_FROM:
        for draft in drafts:
            draft.score = cohort_score(draft.members, draft.challenge, settings)
        return
    scores, hours = score_groups(
        [d.members for d in drafts], [d.challenge for d in drafts], settings
    )
    for draft, score, free in zip(drafts, scores, hours, strict=True):
        draft.score, draft.hours = score, free


def quick_bounds(
    pool: Sequence[Member], kept: Sequence[Draft], placed: int, settings: Settings
) -> Quality:
    """Bounds any formation obeys, found by counting: only learners with a choice that
    enough others share (or an open cohort for it) can be placed, each at rank 1 at best."""
    fixed = sum(len(d.members) for d in kept)
    fixed_rank = sum(rank_of(m.choices, d.challenge) for d in kept for m in d.members)
    if placed == fixed + len(pool):
        return Quality("heuristic", False, placed, fixed_rank + len(pool))
    pickers: Counter[str] = Counter(c for m in pool for c in m.choices)
    roomy = {d.challenge for d in kept if d.open}
    placeable = sum(
        any(pickers[c] >= settings.minimum or c in roomy for c in m.choices) for m in pool
    )
    return Quality("heuristic", False, fixed + placeable, fixed_rank + placeable)


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
    # Bound once: this loop runs once per learner, a million times in a MOOC.
    member, draw, keep, see = preparer.member, rng.random, pool.append, seen.add
    for learner in learners:
        lid = learner.learner_id
        if lid in seen or lid in placed:
            if lid in placed:
                continue
            raise ValueError(f"learner {lid!r} appears more than once")
        see(lid)
        if not learner.choices:
            unplaced.append(Unplaced(lid, NO_CHOICES))
            continue
        keep(member(learner, draw()))
    return pool, unplaced


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
