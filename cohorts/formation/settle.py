"""Settling each learner on one challenge, rescuing undersubscribed challenges where it pays."""

from __future__ import annotations

import heapq

from cohorts.formation.building import formable
from cohorts.formation.values import Member, Settings


class Settler:
    """Moves learners down their choices as challenges close, smallest challenge first.

    Closing one at a time lets a small challenge absorb learners released by an
    even smaller one before it is judged itself. Before closing, a challenge is
    rescued with learners who ranked it lower, when their own challenge can spare
    them and the rescue moves fewer learners than closing would (or keeps someone
    from being left out). Each learner moves at most once per choice.
    """

    def __init__(self, pool: list[Member], settings: Settings) -> None:
        self.settings = settings
        self.rank: dict[int, int] = {}
        self.groups: dict[str, list[Member]] = {}
        for m in pool:
            self.groups.setdefault(m.choices[0], []).append(m)
        self.closed: dict[str, int] = {}
        self.leftovers: list[Member] = []
        self._listers: dict[str, list[Member]] | None = None
        self._pool = pool

    def settle(self) -> dict[str, list[Member]]:
        """Close or rescue every challenge below the minimum; return the groups that remain."""
        minimum = self.settings.minimum
        heap = [(len(g), c) for c, g in self.groups.items() if len(g) < minimum]
        heapq.heapify(heap)
        while heap:
            demand, challenge = heapq.heappop(heap)
            if challenge in self.closed or len(self.groups[challenge]) != demand:
                continue
            if self._rescue(challenge):
                continue
            self.closed[challenge] = demand
            for m in self.groups.pop(challenge):
                moved = self._move_on(m)
                if moved is not None and len(self.groups[moved]) < minimum:
                    heapq.heappush(heap, (len(self.groups[moved]), moved))
        return self.groups

    def _next_open(self, m: Member) -> int:
        rank = self.rank.get(id(m), 0) + 1
        while rank < len(m.choices) and m.choices[rank] in self.closed:
            rank += 1
        return rank

    def _move_on(self, m: Member) -> str | None:
        rank = self._next_open(m)
        if rank >= len(m.choices):
            self.leftovers.append(m)
            return None
        self.rank[id(m)] = rank
        challenge = m.choices[rank]
        self.groups.setdefault(challenge, []).append(m)
        return challenge

    def _rescue(self, challenge: str) -> bool:
        """Pull in lower-ranked pickers from groups that can spare them, if that is worth it."""
        group = self.groups[challenge]
        need = self.settings.minimum - len(group)
        stranded = any(self._next_open(m) >= len(m.choices) for m in group)
        if need >= len(group) and not stranded:
            return False
        spare = self._spare(challenge, need)
        if len(spare) < need:
            return False
        for m in spare:
            self.groups[m.choices[self.rank.get(id(m), 0)]].remove(m)
            self.rank[id(m)] = m.choices.index(challenge)
            group.append(m)
        return True

    def _spare(self, challenge: str, need: int) -> list[Member]:
        """Up to `need` learners who ranked `challenge` below where they are now, without
        leaving their own group unformable."""
        if self._listers is None:
            self._listers = {}
            for m in self._pool:
                for later in m.choices[1:]:
                    self._listers.setdefault(later, []).append(m)
        taken: dict[str, int] = {}
        spare: list[Member] = []
        candidates = sorted(
            self._listers.get(challenge, ()),
            key=lambda m: (m.choices.index(challenge), m.tiebreak),
        )
        for m in candidates:
            rank = self.rank.get(id(m), 0)
            home = m.choices[rank]
            if m.choices.index(challenge) <= rank or home not in self.groups:
                continue
            size = len(self.groups.get(home, ())) - taken.get(home, 0)
            if size <= self.settings.minimum or not formable(size - 1, self.settings):
                continue
            taken[home] = taken.get(home, 0) + 1
            spare.append(m)
            if len(spare) == need:
                break
        return spare
