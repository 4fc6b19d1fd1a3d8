"""The exact formation: brute force agrees on tiny courses, and it never loses to the heuristic."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator, Sequence

from hypothesis import HealthCheck, given, settings

from cohorts.formation.engine import form_cohorts
from cohorts.formation.exact import form_best
from cohorts.formation.scoring import overlap_hours
from cohorts.formation.values import CohortState, Learner, Preparer, Result, Settings
from cohorts.formation.words import quality_words

from .test_formation import learner_lists, placements, size_settings, synthetic

DAY = 24 * 60
SLOTS = ((18 * 60, 20 * 60), (19 * 60, 21 * 60), (DAY + 9 * 60, DAY + 11 * 60))
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def tiny_course(seed: int) -> list[Learner]:
    rng = random.Random(seed)
    learners = []
    for number in range(rng.randint(5, 7)):
        choices = tuple(rng.sample("ABC", rng.randint(1, 2)))
        windows = tuple(rng.sample(SLOTS, rng.randint(0, 2)))
        learners.append(Learner(f"t{number}", choices, availability=windows))
    return learners


def partitions(items: Sequence[int], low: int, high: int) -> Iterator[list[list[int]]]:
    """Every split of `items` into groups of `low` to `high`."""
    if not items:
        yield []
        return
    head, rest = items[0], items[1:]
    for size in range(low - 1, high):
        for others in itertools.combinations(rest, size):
            remaining = [x for x in rest if x not in others]
            for tail in partitions(remaining, low, high):
                yield [[head, *others], *tail]


def brute_force(learners: list[Learner], chosen: Settings) -> tuple[int, int, float]:
    """The best (placed, -total rank, worst-cohort hours) over every possible formation."""
    members = [Preparer().member(x) for x in learners]
    best: tuple[int, int, float] | None = None
    options = [(None, *x.choices) for x in learners]
    for picks in itertools.product(*options):
        groups: dict[str, list[int]] = {}
        for i, c in enumerate(picks):
            if c is not None:
                groups.setdefault(c, []).append(i)
        placed = sum(len(g) for g in groups.values())
        rank = sum(learners[i].choices.index(c) + 1 for c, g in groups.items() for i in g)
        if best is not None and (placed, -rank) < best[:2]:
            continue
        splits = [list(partitions(g, chosen.minimum, chosen.maximum)) for g in groups.values()]
        for split in itertools.product(*splits):
            cohorts = [c for part in split for c in part]
            hours = [overlap_hours(members[i] for i in c) for c in cohorts] or [0.0]
            key = (placed, -rank, min(hours))
            best = key if best is None or key > best else best
    assert best is not None
    return best


def figures(result: Result) -> tuple[int, int, float]:
    r = result.report
    return (r.placed, -r.total_rank, r.worst_overlap_hours)


def test_on_tiny_courses_the_solver_finds_what_trying_every_formation_finds():
    chosen = Settings(target=2, minimum=2, maximum=3)
    for seed in range(8):
        learners = tiny_course(seed)
        result = form_best(learners, chosen, seconds=5)
        assert figures(result) == brute_force(learners, chosen), seed
        assert result.report.proven and result.report.method == "exact"


@FEW
@given(learner_lists(), size_settings())
def test_the_solver_never_loses_to_the_heuristic(learners, chosen):
    heuristic, best = form_cohorts(learners, chosen), form_best(learners, chosen, seconds=2)
    assert figures(best) >= figures(heuristic)
    assert placements(best) == placements(heuristic)
    choices = {x.learner_id: x.choices for x in learners}
    for cohort in best.cohorts:
        assert chosen.minimum <= len(cohort.members) <= chosen.maximum
        assert all(cohort.challenge_id in choices[m] for m in cohort.members)


def test_a_course_of_two_hundred_gets_a_proven_placement_within_its_time_budget():
    learners = synthetic(200)
    result = form_best(learners, Settings(), seconds=3)
    report = result.report
    assert report.method == "exact" and report.proven
    assert report.placed == report.placed_bound and report.total_rank == report.rank_bound
    assert figures(result) >= figures(form_cohorts(learners, Settings()))
    assert quality_words(report.as_dict()).startswith("Best possible placement (proven)")


def test_the_solver_places_everyone_the_heuristic_strands_by_opening_a_second_choice():
    learners = [Learner(f"a{i}", ("A",)) for i in range(2)]
    learners += [Learner(f"b{i}", ("B", "A")) for i in range(4)]
    learners += [Learner(f"c{i}", ("C", "B")) for i in range(2)]
    result = form_best(learners, Settings(target=3, minimum=3, maximum=4), seconds=5)
    assert result.report.placed == 8 and not result.unplaced


def test_locked_cohorts_stay_as_they_are_in_the_exact_formation():
    learners = synthetic(30)
    locked = CohortState("X1", learners[0].choices[0], tuple(learners[:4]), locked=True)
    result = form_best(learners, Settings(), existing=[locked], seconds=2)
    assert result.cohorts[0].cohort_id == "X1"
    assert result.cohorts[0].members == tuple(x.learner_id for x in learners[:4])
    assert sorted(placements(result)) == sorted(x.learner_id for x in learners)


def test_a_budget_too_short_to_prove_anything_still_keeps_the_heuristics_cohorts_or_better():
    learners = synthetic(1000)
    heuristic = form_cohorts(learners, Settings())
    hurried = form_best(learners, Settings(), seconds=0.05)
    assert figures(hurried) >= figures(heuristic)
    assert hurried.report.placed_bound >= hurried.report.placed
    assert hurried.report.rank_bound <= hurried.report.total_rank
