"""Exact cohorts within a placement, with CP-SAT: free time, then offers and needs, then sizes.

A block is a set of learners and the challenges each may be placed on. Each challenge
gets as many possible cohorts ("slots") as its learners could fill; a learner joins at
most one slot. Goals come one at a time, each kept at its best while the next is
sought: (3) the most weekly hours the worst cohort is free together, then the most
cohorts with at least half an hour when all are free, (4) the most
needs met by someone else's offer in the same cohort, (5) sizes nearest the target.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ortools.sat.python import cp_model

from cohorts.formation.solver import solve
from cohorts.formation.values import WEEK_SLOTS, Member, Settings

Group = tuple[str, list[int]]
#: The shortest time one solve is given, so a spent budget still checks the hint.
MIN_SOLVE = 0.01


@dataclass(frozen=True, slots=True)
class Block:
    """Learners to split into cohorts; `totals` pins (placed, total rank) when not all must go."""

    members: Sequence[Member]
    allowed: Sequence[tuple[str, ...]]
    totals: tuple[int, int] | None = None


class _Slots:
    """The slot model's variables: who is in which slot, which slots are open."""

    def __init__(self, model: cp_model.CpModel, block: Block, settings: Settings) -> None:
        self.model = model
        self.challenge: list[str] = []
        self.x: dict[tuple[int, int], cp_model.IntVar] = {}
        self.open: list[cp_model.IntVar] = []
        counts: dict[str, int] = {}
        for choices in block.allowed:
            for c in choices:
                counts[c] = counts.get(c, 0) + 1
        for c in sorted(counts):
            first = len(self.challenge)
            for _ in range(counts[c] // settings.minimum):
                s = len(self.challenge)
                self.challenge.append(c)
                self.open.append(model.new_bool_var(f"y{s}"))
                if s > first:
                    model.add_implication(self.open[s], self.open[s - 1])
        self.members_of: list[list[int]] = [[] for _ in self.challenge]
        self.of_learner: list[list[cp_model.IntVar]] = [[] for _ in block.allowed]
        for i, choices in enumerate(block.allowed):
            for s, c in enumerate(self.challenge):
                if c in choices:
                    self.x[i, s] = var = model.new_bool_var(f"x{i}_{s}")
                    self.members_of[s].append(i)
                    self.of_learner[i].append(var)
        self.size = [sum(self.x[i, s] for i in ids) for s, ids in enumerate(self.members_of)]
        for s, y in enumerate(self.open):
            model.add(self.size[s] >= settings.minimum * y)
            model.add(self.size[s] <= settings.maximum * y)


def partition_exactly(
    block: Block,
    settings: Settings,
    hint: Sequence[Group],
    seconds: float,
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[list[Group], int | None]:
    """Best cohorts for the block, and a proven upper bound on the worst cohort's free
    half-hours (None when free time was not a goal).

    `seconds` covers building the model too: each solve gets an even share of what is
    left when it starts, so a slow build or a slow goal does not overrun the budget.
    """
    deadline = clock() + seconds
    model = cp_model.CpModel()
    slots = _Slots(model, block, settings)
    _place(model, slots, block)
    _hint(model, slots, hint)
    _, wa, wc = settings.weights
    worst, meeting = _worst_hours(model, slots, block) if wa else (0, 0)
    goals = [
        ("max", worst),
        ("max", meeting),
        ("max", _needs_met(model, slots, block) if wc else 0),
        ("min", _size_gap(model, slots, settings)),
    ]
    goals = [(sense, goal) for sense, goal in goals if not isinstance(goal, int)]
    bound: int | None = None
    best = list(hint)
    for number, (sense, goal) in enumerate(goals):
        (model.maximize if sense == "max" else model.minimize)(goal)
        left = max(0.0, deadline - clock()) / (len(goals) - number)
        solver, status, found = solve(model, max(left, MIN_SOLVE), settings.seed)
        if not found:
            break
        value = round(solver.objective_value)
        if number == 0 and wa:
            bound = int(solver.best_objective_bound + 1e-6)
        model.add(goal >= value if sense == "max" else goal <= value)
        best = _groups(solver, slots)
        model.clear_hints()
        for var in slots.x.values():
            model.add_hint(var, solver.boolean_value(var))
    return best, bound if wa else None


def _place(model: cp_model.CpModel, slots: _Slots, block: Block) -> None:
    if block.totals is None:
        for i in range(len(block.members)):
            model.add_exactly_one(slots.of_learner[i])
        return
    for i in range(len(block.members)):
        model.add_at_most_one(slots.of_learner[i])
    placed, rank = block.totals
    model.add(sum(slots.x.values()) == placed)
    choices = [m.choices for m in block.members]
    ranks = [(choices[i].index(slots.challenge[s]) + 1) * v for (i, s), v in slots.x.items()]
    model.add(sum(ranks) <= rank)


def _hint(model: cp_model.CpModel, slots: _Slots, hint: Sequence[Group]) -> None:
    """Put the heuristic's cohorts into the first slots of their challenge."""
    next_slot: dict[str, int] = {}
    chosen: set[tuple[int, int]] = set()
    used: set[int] = set()
    for challenge, ids in hint:
        s = slots.challenge.index(challenge) + next_slot.get(challenge, 0)
        next_slot[challenge] = next_slot.get(challenge, 0) + 1
        used.add(s)
        chosen.update((i, s) for i in ids)
    for key, var in slots.x.items():
        model.add_hint(var, key in chosen)
    for s, y in enumerate(slots.open):
        model.add_hint(y, s in used)


def _worst_hours(
    model: cp_model.CpModel, slots: _Slots, block: Block
) -> tuple[cp_model.IntVar, cp_model.LinearExpr]:
    """The fewest half-hours a week when all sharing members of an open cohort are free,
    and how many open cohorts have at least one such half-hour."""
    sharers = [i for i, m in enumerate(block.members) if m.hours]
    columns: dict[int, int] = {}
    for t in range(WEEK_SLOTS):
        column = 0
        for i in sharers:
            if block.members[i].mask >> t & 1:
                column |= 1 << i
        if column:
            columns[column] = columns.get(column, 0) + 1
    worst = model.new_int_var(0, WEEK_SLOTS, "worst")
    meeting = []
    for s, ids in enumerate(slots.members_of):
        shared = model.new_bool_var(f"b{s}")
        model.add(sum(slots.x[i, s] for i in ids if block.members[i].hours) >= 2 * shared)
        hours = []
        for column, weight in columns.items():
            common = model.new_bool_var(f"c{s}_{column}")
            model.add_implication(common, shared)
            for i in ids:
                if block.members[i].hours and not column >> i & 1:
                    model.add_implication(slots.x[i, s], common.negated())
            hours.append(weight * common)
        model.add(worst <= sum(hours) + WEEK_SLOTS * (1 - slots.open[s]))
        meets = model.new_bool_var(f"h{s}")
        model.add(sum(hours) >= meets)
        meeting.append(meets)
    return worst, sum(meeting)


def _needs_met(model: cp_model.CpModel, slots: _Slots, block: Block) -> cp_model.LinearExpr:
    """How many (member, need) pairs another member of the same cohort offers."""
    met = []
    for s, ids in enumerate(slots.members_of):
        offered: dict[int, cp_model.IntVar] = {}
        for i in ids:
            needs = block.members[i].needs & ~block.members[i].offers
            while needs:
                tag = needs & -needs
                needs ^= tag
                givers = [slots.x[j, s] for j in ids if block.members[j].offers & tag]
                if not givers:
                    continue
                if tag not in offered:
                    offered[tag] = model.new_bool_var(f"o{s}_{tag.bit_length()}")
                    model.add(sum(givers) >= offered[tag])
                pair = model.new_bool_var(f"m{s}_{i}_{tag.bit_length()}")
                model.add_implication(pair, slots.x[i, s])
                model.add_implication(pair, offered[tag])
                met.append(pair)
    return sum(met)


def _size_gap(model: cp_model.CpModel, slots: _Slots, settings: Settings) -> cp_model.LinearExpr:
    """Total distance of open cohorts' sizes from the target."""
    gaps = []
    for s, y in enumerate(slots.open):
        gap = model.new_int_var(0, settings.maximum, f"g{s}")
        model.add(gap >= slots.size[s] - settings.target * y)
        model.add(gap >= settings.target * y - slots.size[s])
        gaps.append(gap)
    return sum(gaps)


def _groups(solver: cp_model.CpSolver, slots: _Slots) -> list[Group]:
    groups: list[Group] = []
    for s, ids in enumerate(slots.members_of):
        chosen = [i for i in ids if solver.boolean_value(slots.x[i, s])]
        if chosen:
            groups.append((slots.challenge[s], chosen))
    return groups
