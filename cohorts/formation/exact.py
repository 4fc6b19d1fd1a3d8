"""The best cohorts a time budget allows: exact for real course sizes, the heuristic beyond.

Goals, in order, each kept at its best while the next is sought: (1) place as many
learners as possible, (2) the lowest total rank of the challenges they get (most first
choices), (3) the most hours the worst cohort is free together, (4) the most needs met
by another member's offer, (5) sizes nearest the target. A weight of 0 in the settings
drops goal 2, 3 or 4. The heuristic's result is the starting point and the fallback:
the result is never worse than it on goals 1 to 3. Existing cohorts stay as they are.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

from cohorts.formation.building import split_groups
from cohorts.formation.engine import form_cohorts
from cohorts.formation.improve import improve
from cohorts.formation.partition import Block, Group, partition_exactly
from cohorts.formation.scoring import assemble, cohort_ids, cohort_score
from cohorts.formation.solver import Budget, Placement, place_exactly, usable_choices
from cohorts.formation.values import (
    NO_ROOM,
    SLOT_MINUTES,
    TOO_FEW,
    CohortState,
    Learner,
    Member,
    Preparer,
    Quality,
    Result,
    Settings,
    Unplaced,
    rank_of,
)

#: Above this many learners to place, the heuristic alone runs (measured: bench/formation.py).
EXACT_LIMIT = 5000
#: Up to this many, one model decides challenges and cohorts together.
JOINT_LIMIT = 40
#: Challenges with more learners than this are cut by the heuristic within the placement.
PARTITION_LIMIT = 60


def form_best(
    learners: Sequence[Learner],
    settings: Settings,
    existing: Sequence[CohortState] = (),
    seconds: float = 10.0,
) -> Result:
    """Form cohorts as well as `seconds` allow, saying how close to the best possible."""
    started = time.perf_counter()
    budget = Budget(seconds)
    heuristic = form_cohorts(learners, settings, existing)
    preparer = Preparer()
    fixed = {x.learner_id for c in existing for x in c.members}
    pool = [preparer.member(x) for x in learners if x.choices and x.learner_id not in fixed]
    if not pool or len(pool) > EXACT_LIMIT:
        return heuristic
    index = {m.learner_id: i for i, m in enumerate(pool)}
    kept_ids = {c.cohort_id for c in existing}
    hint = {
        index[lid]: c.challenge_id
        for c in heuristic.cohorts
        if c.cohort_id not in kept_ids
        for lid in c.members
    }
    placement = place_exactly(pool, settings, hint, budget)
    groups, worst_bound = _cohorts(pool, placement, settings, budget)
    exact = _assemble(pool, groups, placement, heuristic, existing, settings, started)
    exact = _with_bound(exact, worst_bound)
    return _better(exact, heuristic)


def _cohorts(
    pool: list[Member], placement: Placement, settings: Settings, budget: Budget
) -> tuple[list[tuple[str, list[Member]]], int | None]:
    """Cut the placement into cohorts: exactly for small blocks, by the heuristic otherwise."""
    by_challenge: dict[str, list[int]] = {}
    for i, c in sorted(placement.challenge_of.items()):
        by_challenge.setdefault(c, []).append(i)
    if len(pool) <= JOINT_LIMIT:
        block = Block(pool, usable_choices(pool, settings), (placement.placed, placement.rank))
        hint = _heuristic_cut(pool, by_challenge, settings)
        found, bound = partition_exactly(block, settings, hint, budget.left(), budget.clock)
        return [(c, [pool[i] for i in ids]) for c, ids in found], bound
    small = sum(len(ids) for ids in by_challenge.values() if len(ids) <= PARTITION_LIMIT)
    result: list[tuple[str, list[Member]]] = []
    bounds: list[int] = []
    for c in sorted(by_challenge, key=lambda c: len(by_challenge[c])):
        members = [pool[i] for i in by_challenge[c]]
        hint = _heuristic_cut(members, {c: list(range(len(members)))}, settings)
        if len(members) <= PARTITION_LIMIT and budget.left() > 0.05:
            seconds = budget.left() * len(members) / max(small, 1)
            small -= len(members)
            block = Block(members, [(c,)] * len(members))
            hint, bound = partition_exactly(block, settings, hint, seconds, budget.clock)
            bounds += [bound] if bound is not None else []
        result += [(ch, [members[i] for i in ids]) for ch, ids in hint]
    return result, min(bounds) if bounds else None


def _heuristic_cut(
    pool: list[Member], by_challenge: dict[str, list[int]], settings: Settings
) -> list[Group]:
    """The heuristic's even, time-sorted cut and swaps, as pool indices per cohort."""
    position = {id(m): i for i, m in enumerate(pool)}
    drafts, _ = split_groups(
        {c: [pool[i] for i in ids] for c, ids in by_challenge.items()}, settings
    )
    for draft in drafts:
        draft.score = cohort_score(draft.members, draft.challenge, settings)
    improve(drafts, settings)
    return [(d.challenge, [position[id(m)] for m in d.members]) for d in drafts]


def _assemble(
    pool: list[Member],
    groups: list[tuple[str, list[Member]]],
    placement: Placement,
    heuristic: Result,
    existing: Sequence[CohortState],
    settings: Settings,
    started: float,
) -> Result:
    preparer = Preparer()
    kept = [
        (c.cohort_id, c.challenge_id, [preparer.member(x) for x in c.members], None)
        for c in existing
    ]
    ids = cohort_ids(c.cohort_id for c in existing)
    fresh = [(next(ids), c, members, None) for c, members in groups]
    placed = {id(m) for _, members in groups for m in members}
    in_pool = {m.learner_id for m in pool}
    unplaced = [u for u in heuristic.unplaced if u.learner_id not in in_pool]
    pickers = Counter(c for m in pool for c in m.choices)
    for m, choices in zip(pool, usable_choices(pool, settings), strict=True):
        if id(m) not in placed:
            code = NO_ROOM if choices else TOO_FEW
            first = m.choices[0]
            unplaced.append(Unplaced(m.learner_id, code, first, pickers[first]))
    fixed_rank = sum(rank_of(m.choices, c) for _, c, members, _ in kept for m in members)
    fixed = sum(len(members) for _, _, members, _ in kept)
    quality = Quality(
        "exact",
        placement.proven,
        fixed + placement.placed_bound,
        fixed_rank + placement.rank_bound,
    )
    return assemble(kept + fresh, unplaced, settings, started, quality)


def _with_bound(result: Result, worst_slots: int | None) -> Result:
    if worst_slots is None:
        return result
    hours = worst_slots * SLOT_MINUTES / 60
    return replace(result, report=replace(result.report, worst_overlap_bound=hours))


def _better(exact: Result, heuristic: Result) -> Result:
    """The exact result unless the heuristic's beats it; either way, with the proven bounds."""

    def key(r: Result) -> tuple[int, int, float]:
        return (r.report.placed, -r.report.total_rank, r.report.worst_overlap_hours)

    if key(heuristic) <= key(exact):
        return exact
    e = exact.report
    report = replace(
        heuristic.report,
        method=e.method,
        proven=e.proven,
        placed_bound=e.placed_bound,
        rank_bound=e.rank_bound,
        worst_overlap_bound=e.worst_overlap_bound,
        seconds=e.seconds,
    )
    return replace(heuristic, report=report)
