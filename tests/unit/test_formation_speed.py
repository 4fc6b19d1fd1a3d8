"""The quick method's shortcuts change nothing, and the exact solver's budget covers its models."""

from __future__ import annotations

import gc
import random

from hypothesis import given
from hypothesis import strategies as st

from cohorts.formation import partition
from cohorts.formation.building import Draft, order_key
from cohorts.formation.engine import form_cohorts
from cohorts.formation.improve import _best_swap
from cohorts.formation.partition import Block, partition_exactly
from cohorts.formation.scoring import cohort_score, swap_score
from cohorts.formation.solver import Budget
from cohorts.formation.values import Learner, Preparer, Settings

from .test_formation import FAST, learner_lists, synthetic

WEIGHTS = st.sampled_from([(1.0, 1.0, 1.0), (1.0, 0.0, 1.0), (2.5, 1.0, 0.0), (0.0, 3.0, 0.5)])


def _settings(weights: tuple[float, float, float]) -> Settings:
    wp, wa, wc = weights
    return Settings(weight_preference=wp, weight_availability=wa, weight_complement=wc)


@FAST
@given(learner_lists(), st.integers(1, 8), WEIGHTS)
def test_swap_scores_equal_full_scores_bit_for_bit(learners, size, weights):
    preparer = Preparer()
    members = [preparer.member(x) for x in learners]
    settings = _settings(weights)
    for start in range(0, len(members), size):
        group = members[start : start + size]
        challenge = group[0].choices[0] if group[0].choices else "A"
        assert swap_score(group, challenge, settings) == cohort_score(group, challenge, settings)


def _full_best_swap(draft: Draft, other: Draft, settings: Settings) -> tuple[float, int, int]:
    """The best swap found by scoring both cohorts of every candidate in full."""
    mine, theirs, challenge = draft.members, other.members, draft.challenge
    misfit = max(
        range(len(mine)),
        key=lambda i: (cohort_score(mine[:i] + mine[i + 1 :], draft.challenge, settings), -i),
    )
    floor = min(draft.score, other.score) + 1e-9
    best = (floor, -1, -1)
    for j in range(len(theirs)):
        a = cohort_score(mine[:misfit] + [theirs[j]] + mine[misfit + 1 :], challenge, settings)
        b = cohort_score(theirs[:j] + [mine[misfit]] + theirs[j + 1 :], challenge, settings)
        if min(a, b) > best[0]:
            best = (min(a, b), misfit, j)
    return best


@FAST
@given(st.integers(0, 10_000), st.integers(2, 7), st.integers(2, 7), WEIGHTS)
def test_a_swap_is_taken_exactly_when_full_scoring_finds_one(seed, left, right, weights):
    settings = _settings(weights)
    preparer = Preparer()
    learners = synthetic(left + right, seed)
    members = [preparer.member(x) for x in learners]
    row = [Draft("T0", members[:left]), Draft("T0", members[left:])]
    for pos, draft in enumerate(row):
        draft.row, draft.pos = row, pos
        draft.score = cohort_score(draft.members, "T0", settings)
    before = [list(d.members) for d in row]
    expected = _full_best_swap(row[0], row[1], settings)
    partner = _best_swap(row[0], [order_key(d.members[0]) for d in row], settings)
    if expected[1] < 0:
        assert partner is None
        assert [d.members for d in row] == before
        return
    assert partner is row[1]
    i, j = expected[1], expected[2]
    assert row[0].members[i] is before[1][j] and row[1].members[j] is before[0][i]
    assert min(row[0].score, row[1].score) == expected[0]
    assert row[0].hours is None and row[1].hours is None


def test_a_large_formation_leaves_nothing_for_the_collector_to_scan():
    learners = synthetic(3000, 5)
    gc.collect()
    form_cohorts(learners, Settings())
    assert gc.get_count()[0] < 1000
    assert gc.isenabled()


def test_the_solver_is_given_the_budget_left_after_building_the_model(monkeypatch):
    readings = iter([100.0, 103.0, 106.5, 108.0, 109.0, 109.5])
    now = [0.0]

    def clock() -> float:
        now[0] = next(readings, now[0])
        return now[0]

    limits: list[float] = []
    real_solve = partition.solve

    def recording_solve(model, seconds, seed):
        limits.append(seconds)
        return real_solve(model, 5.0, seed)

    monkeypatch.setattr(partition, "solve", recording_solve)
    rng = random.Random(3)
    preparer = Preparer()
    members = [
        preparer.member(
            Learner(f"L{i}", ("A",), 0.0, ((rng.randrange(0, 5000), 9000),), frozenset({"x"}))
        )
        for i in range(8)
    ]
    block = Block(members, [("A",)] * 8)
    partition_exactly(block, Settings(minimum=3, target=4, maximum=5), [], 10.0, clock)
    # Started at 100 with 10 s: the model took 3 s, so 7 s are left for 3 goals;
    # the first took 3.5 s, leaving 3.5 s for two; then 2 s for the last.
    assert limits == [7.0 / 3, 3.5 / 2, 2.0]


def test_the_budget_counts_from_when_it_was_set():
    readings = iter([50.0, 54.0, 70.0])
    budget = Budget(10.0, lambda: next(readings))
    assert budget.left() == 6.0
    assert budget.left() == 0.0
