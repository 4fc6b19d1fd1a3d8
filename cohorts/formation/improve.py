"""The improvement pass: raise the worst cohorts by swapping members within a challenge."""

from __future__ import annotations

import bisect
import heapq

from cohorts.formation.building import Draft, order_key
from cohorts.formation.scoring import swap_score as cohort_score
from cohorts.formation.values import Settings

SWAP_MEMBERS = 1
EPSILON = 1e-9
SWAP_BUDGET_DIVISOR = 4
#: Past this many cohorts the pass polishes only the worst ones, so a MOOC forms in seconds.
BUDGET_COHORTS = 20_000


def improve(drafts: list[Draft], settings: Settings) -> None:
    """Raise the worst cohorts first by swapping members with other cohorts of their challenge.

    A max-min objective: the currently worst cohort is tried first; a swap is
    kept only when the worse of the two cohorts gets better. Cohorts that cannot
    improve drop out until a partner changes them. The budget bounds the work.
    """
    budget = 20 + min(len(drafts), BUDGET_COHORTS) // SWAP_BUDGET_DIVISOR
    heap = [(d.score, i, 0) for i, d in enumerate(drafts)]
    heapq.heapify(heap)
    index = {id(d): i for i, d in enumerate(drafts)}
    starts: dict[int, list[tuple]] = {}
    for d in drafts:
        if id(d.row) not in starts:
            starts[id(d.row)] = [order_key(x.members[0]) for x in d.row]
    while heap and budget > 0:
        _, i, version = heapq.heappop(heap)
        draft = drafts[i]
        if version != draft.version:
            continue
        budget -= 1
        partner = _best_swap(draft, starts[id(draft.row)], settings)
        if partner is None:
            continue
        for changed in (draft, partner):
            changed.version += 1
            heapq.heappush(heap, (changed.score, index[id(changed)], changed.version))


def _partners(draft: Draft, misfit: int, starts: list[tuple]) -> list[Draft]:
    """The neighbours, and the cohort anywhere in the challenge whose hours suit the misfit."""
    row = draft.row
    places = {draft.pos - 1, draft.pos + 1}
    places.add(max(0, bisect.bisect_right(starts, order_key(draft.members[misfit])) - 1))
    places.discard(draft.pos)
    return [row[p] for p in sorted(places) if 0 <= p < len(row)]


def _best_swap(draft: Draft, starts: list[tuple], settings: Settings) -> Draft | None:
    """Apply the best swap between `draft` and a partner; return the partner if any."""
    if len(draft.row) < 2:
        return None
    mine = draft.members
    challenge = draft.challenge
    misfits = sorted(
        range(len(mine)),
        key=lambda i: -cohort_score(mine[:i] + mine[i + 1 :], challenge, settings),
    )[:SWAP_MEMBERS]
    best: tuple[float, int, int, Draft, float, float] | None = None
    for other in _partners(draft, misfits[0], starts):
        floor = min(draft.score, other.score) + EPSILON
        theirs = other.members
        for i in misfits:
            # Candidates are edited in place, one member at a time, not rebuilt per swap.
            mine_after = list(mine)
            theirs_after = list(theirs)
            for j in range(len(theirs)):
                # A swap counts only if both new scores beat the bar, so the partner's
                # new score is needed only when this cohort's already does.
                bar = floor if best is None or floor > best[0] else best[0]
                mine_after[i] = theirs[j]
                a = cohort_score(mine_after, challenge, settings)
                if not a > bar:
                    continue
                theirs_after[j] = mine[i]
                b = cohort_score(theirs_after, challenge, settings)
                theirs_after[j] = theirs[j]
                if b > bar:
                    best = (min(a, b), i, j, other, a, b)
    if best is None:
        return None
    _, i, j, other, a, b = best
    mine[i], other.members[j] = other.members[j], mine[i]
    draft.score, other.score = a, b
    draft.hours = other.hours = None
    return other
