"""Exact placement with CP-SAT: the most learners placed, then the lowest total rank.

Which challenge each learner gets decides the first two goals on its own: a challenge
with n learners can hold them exactly when n splits into cohorts within the size
bounds (k * minimum <= n <= k * maximum for some whole k). So this model has one yes/no
per (learner, chosen challenge) and one count of cohorts per challenge, small enough to
be solved to proven optimality for courses of thousands of learners.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from cohorts.formation.values import Member, Settings


@dataclass(frozen=True, slots=True)
class Placement:
    """Each placed learner's challenge, with the values and bounds the solver proved."""

    challenge_of: dict[int, str]
    placed: int
    placed_bound: int
    rank: int
    rank_bound: int
    proven: bool


class Budget:
    """A wall-clock deadline shared by every solve of one formation, models built included."""

    def __init__(self, seconds: float, clock: Callable[[], float] = time.perf_counter) -> None:
        self.clock = clock
        self.deadline = clock() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - self.clock())

    def share(self, fraction: float) -> float:
        return max(0.05, self.left() * fraction)


def solve(
    model: cp_model.CpModel, seconds: float, seed: int
) -> tuple[cp_model.CpSolver, int, bool]:
    """Run CP-SAT on one core; return the solver, its status and whether it found a solution."""
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.linearization_level = 2
    solver.parameters.random_seed = seed
    status = solver.solve(model)
    return solver, status, status in (cp_model.OPTIMAL, cp_model.FEASIBLE)


def usable_choices(pool: Sequence[Member], settings: Settings) -> list[tuple[str, ...]]:
    """Each learner's choices that enough learners picked to ever form a cohort."""
    pickers: dict[str, int] = {}
    for m in pool:
        for c in m.choices:
            pickers[c] = pickers.get(c, 0) + 1
    return [tuple(c for c in m.choices if pickers[c] >= settings.minimum) for m in pool]


def _sizes(pickers: int, settings: Settings) -> cp_model.Domain:
    """How many learners a challenge can hold: 0, or what k cohorts within the bounds hold."""
    low, high = settings.minimum, settings.maximum
    spans = [[k * low, min(k * high, pickers)] for k in range(pickers // low + 1)]
    return cp_model.Domain.from_intervals(spans)


class _Model:
    """One yes/no per (learner, usable choice) and a cohort count per challenge."""

    def __init__(self, pool: Sequence[Member], settings: Settings) -> None:
        self.model = model = cp_model.CpModel()
        self.picks: dict[tuple[int, str], cp_model.IntVar] = {}
        by_challenge: dict[str, list[cp_model.IntVar]] = {}
        usable = usable_choices(pool, settings)
        for i, choices in enumerate(usable):
            for c in choices:
                var = self.picks[i, c] = model.new_bool_var(f"a{i}_{c}")
                by_challenge.setdefault(c, []).append(var)
            if choices:
                model.add_at_most_one(self.picks[i, c] for c in choices)
        for c, chosen in by_challenge.items():
            model.add(
                sum(chosen) == model.new_int_var_from_domain(_sizes(len(chosen), settings), c)
            )
        self.placeable = sum(1 for choices in usable if choices)
        self.placed = sum(self.picks.values())
        ranks = [(pool[i].choices.index(c) + 1) * v for (i, c), v in self.picks.items()]
        self.rank = sum(ranks)
        self.rank_of = {key: pool[key[0]].choices.index(key[1]) + 1 for key in self.picks}

    def hint(self, chosen: Mapping[int, str]) -> None:
        self.model.clear_hints()
        for (i, c), var in self.picks.items():
            self.model.add_hint(var, chosen.get(i) == c)


def place_exactly(
    pool: Sequence[Member],
    settings: Settings,
    hint: Mapping[int, str],
    budget: Budget,
) -> Placement:
    """Choose each learner's challenge: most placed first, then the lowest total rank.

    `hint` maps a pool index to the heuristic's challenge, the solver's starting point.
    A goal the hint already meets at its obvious bound (everyone placeable placed, or
    everyone on a first choice) needs no search.
    """
    m = _Model(pool, settings)
    chosen = {i: c for i, c in hint.items() if (i, c) in m.picks}
    m.hint(chosen)
    most, placed_bound, proven = len(chosen), m.placeable, True
    if most < m.placeable:
        m.model.maximize(m.placed)
        solver, status, found = solve(m.model, budget.share(0.3), settings.seed)
        if found and round(solver.objective_value) >= most:
            most = round(solver.objective_value)
            chosen = {i: c for (i, c), v in m.picks.items() if solver.boolean_value(v)}
            m.hint(chosen)
        if found:
            placed_bound = max(most, int(solver.best_objective_bound + 1e-6))
        proven = most == placed_bound
    m.model.add(m.placed == most)
    lowest = rank_bound = sum(m.rank_of[i, c] for i, c in chosen.items())
    if lowest > most:
        m.model.minimize(m.rank)
        solver, status, found = solve(m.model, budget.share(0.6), settings.seed)
        if found and round(solver.objective_value) <= lowest:
            lowest = round(solver.objective_value)
            chosen = {i: c for (i, c), v in m.picks.items() if solver.boolean_value(v)}
        rank_bound = most
        if found:
            rank_bound = min(lowest, math.ceil(solver.best_objective_bound - 1e-6))
    return Placement(
        chosen, most, placed_bound, lowest, rank_bound, proven and lowest == rank_bound
    )
