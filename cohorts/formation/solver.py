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
from collections.abc import Mapping, Sequence
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
    """A wall-clock deadline shared by every solve of one formation."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.perf_counter() + seconds

    def left(self) -> float:
        return max(0.0, self.deadline - time.perf_counter())

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


def place_exactly(
    pool: Sequence[Member],
    settings: Settings,
    hint: Mapping[int, str],
    budget: Budget,
) -> Placement:
    """Choose each learner's challenge: most placed first, then the lowest total rank.

    `hint` maps a pool index to the heuristic's challenge, the solver's starting point.
    """
    model = cp_model.CpModel()
    usable = usable_choices(pool, settings)
    picks: dict[tuple[int, str], cp_model.IntVar] = {}
    by_challenge: dict[str, list[cp_model.IntVar]] = {}
    for i, choices in enumerate(usable):
        for c in choices:
            var = picks[i, c] = model.new_bool_var(f"a{i}_{c}")
            by_challenge.setdefault(c, []).append(var)
            model.add_hint(var, hint.get(i) == c)
        if choices:
            model.add_at_most_one(picks[i, c] for c in choices)
    for c, chosen in by_challenge.items():
        k = model.new_int_var(0, len(chosen) // settings.minimum, f"k_{c}")
        model.add(sum(chosen) >= settings.minimum * k)
        model.add(sum(chosen) <= settings.maximum * k)
    placed = sum(picks.values())
    rank = sum(pool[i].choices.index(c) * v for (i, c), v in picks.items()) + placed
    model.maximize(placed)
    solver, status, found = solve(model, budget.share(0.25), settings.seed)
    if not found:
        return _from_hint(pool, hint)
    most = round(solver.objective_value)
    placed_bound = int(solver.best_objective_bound + 1e-6)
    proven = status == cp_model.OPTIMAL
    model.add(placed == most)
    _keep_as_hint(model, solver, picks)
    model.minimize(rank)
    solver, status, found = solve(model, budget.share(0.3), settings.seed)
    if not found:
        return _from_hint(pool, hint)
    challenge_of = {i: c for (i, c), v in picks.items() if solver.boolean_value(v)}
    lowest = round(solver.objective_value)
    return Placement(
        challenge_of,
        most,
        placed_bound,
        lowest,
        lowest if status == cp_model.OPTIMAL else math.ceil(solver.best_objective_bound - 1e-6),
        proven and status == cp_model.OPTIMAL,
    )


def _keep_as_hint(
    model: cp_model.CpModel, solver: cp_model.CpSolver, picks: Mapping[object, cp_model.IntVar]
) -> None:
    """Start the next goal from the solution of the previous one."""
    model.clear_hints()
    for var in picks.values():
        model.add_hint(var, solver.boolean_value(var))


def _from_hint(pool: Sequence[Member], hint: Mapping[int, str]) -> Placement:
    """The heuristic's placement, with no proof, when the solver found nothing in time."""
    rank = sum(pool[i].choices.index(c) + 1 for i, c in hint.items())
    return Placement(dict(hint), len(hint), len(pool), rank, len(hint), False)
