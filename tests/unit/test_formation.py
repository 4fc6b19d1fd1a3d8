"""Cohort formation: invariants under generated input, and concrete cases."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cohorts.formation.baselines import form_first_choice_chunks, form_random
from cohorts.formation.engine import form_cohorts, place_late_joiner
from cohorts.formation.values import (
    CANNOT_SPLIT,
    NO_CHOICES,
    TOO_FEW,
    CohortState,
    Learner,
    Result,
    Settings,
    availability_mask,
)
from cohorts.formation.words import reason_words

DAY = 24 * 60
CHALLENGES = ("A", "B", "C", "D", "E")
WINDOWS = (
    (18 * 60, 20 * 60),
    (DAY + 19 * 60, DAY + 21 * 60),
    (5 * DAY + 9 * 60, 5 * DAY + 12 * 60),
)
TAGS = ("sql", "python", "writing")
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def learner_lists(draw: st.DrawFn, single_choice: bool = False) -> list[Learner]:
    count = draw(st.integers(0, 30))
    learners = []
    for number in range(count):
        if single_choice:
            choices = (draw(st.sampled_from(CHALLENGES)),)
        else:
            choices = tuple(draw(st.lists(st.sampled_from(CHALLENGES), max_size=3, unique=True)))
        learners.append(
            Learner(
                learner_id=f"L{number}",
                choices=choices,
                utc_offset=draw(st.none() | st.sampled_from((-5.0, 0.0, 5.5, 8.0))),
                availability=tuple(draw(st.lists(st.sampled_from(WINDOWS), unique=True))),
                offers=frozenset(draw(st.sets(st.sampled_from(TAGS)))),
                needs=frozenset(draw(st.sets(st.sampled_from(TAGS)))),
            )
        )
    return learners


@st.composite
def size_settings(draw: st.DrawFn) -> Settings:
    minimum = draw(st.integers(1, 4))
    target = draw(st.integers(minimum, minimum + 3))
    maximum = draw(st.integers(target, target + 4))
    return Settings(target=target, minimum=minimum, maximum=maximum, seed=draw(st.integers(0, 9)))


def placements(result: Result) -> Counter[str]:
    counts: Counter[str] = Counter()
    for cohort in result.cohorts:
        counts.update(cohort.members)
    counts.update(item.learner_id for item in result.unplaced)
    return counts


@FAST
@given(learner_lists(), size_settings())
def test_every_learner_is_placed_once_or_reported_with_a_reason(learners, chosen):
    result = form_cohorts(learners, chosen)
    assert placements(result) == Counter(learner.learner_id for learner in learners)
    assert all(reason_words(item, chosen) for item in result.unplaced)
    assert result.report.learners == len(learners)


@FAST
@given(learner_lists(), size_settings())
def test_members_all_chose_their_cohorts_challenge_and_sizes_stay_in_bounds(learners, chosen):
    choices = {learner.learner_id: learner.choices for learner in learners}
    for cohort in form_cohorts(learners, chosen).cohorts:
        assert all(cohort.challenge_id in choices[member] for member in cohort.members)
        assert chosen.minimum <= len(cohort.members) <= chosen.maximum
        assert 0.0 <= cohort.score <= 1.0


@FAST
@given(learner_lists(single_choice=True))
def test_everyone_is_placed_when_each_chosen_challenge_has_enough_learners(learners):
    demand = Counter(learner.choices[0] for learner in learners)
    enough = [learner for learner in learners if demand[learner.choices[0]] >= 3]
    result = form_cohorts(enough, Settings(target=5, minimum=3, maximum=8))
    assert not result.unplaced
    assert all(3 <= len(cohort.members) <= 8 for cohort in result.cohorts)


@FAST
@given(learner_lists(), size_settings())
def test_the_same_seed_gives_the_same_cohorts(learners, chosen):
    first, second = form_cohorts(learners, chosen), form_cohorts(learners, chosen)
    assert first.cohorts == second.cohorts
    assert first.unplaced == second.unplaced


@FAST
@given(learner_lists(), st.integers(0, 6), st.booleans())
def test_locked_existing_cohorts_are_left_untouched(learners, size, locked_flag):
    locked = CohortState("X1", "A", tuple(learners[:size]), locked=True)
    extra = CohortState("X2", "B", tuple(learners[size : size + 2]), locked=locked_flag)
    result = form_cohorts(learners, Settings(), existing=[locked, extra])
    assert result.cohorts[0].cohort_id == "X1"
    assert result.cohorts[0].members == tuple(x.learner_id for x in locked.members)
    assert placements(result) == Counter(learner.learner_id for learner in learners)
    if locked_flag:
        assert result.cohorts[1].members == tuple(x.learner_id for x in extra.members)


def evening(day: int, hour: int, offset: float) -> tuple[int, int]:
    start = int(day * DAY + (hour - offset) * 60) % (7 * DAY)
    return (start, start + 120)


def test_a_twelve_learner_seminar_forms_cohorts_by_challenge_and_time_zone():
    learners = [
        Learner(f"E{i}", ("ethics",), offset, tuple(evening(d, 19, offset) for d in (0, 2)))
        for i, offset in enumerate((-5.0,) * 4 + (8.0,) * 4)
    ] + [Learner(f"D{i}", ("design", "ethics"), 0.0, (evening(1, 18, 0),)) for i in range(4)]
    result = form_cohorts(learners, Settings(target=4, minimum=3, maximum=6))
    assert not result.unplaced
    groups = {frozenset(c.members) for c in result.cohorts}
    assert groups == {
        frozenset({"E0", "E1", "E2", "E3"}),
        frozenset({"E4", "E5", "E6", "E7"}),
        frozenset({"D0", "D1", "D2", "D3"}),
    }
    assert sorted(c.overlap_hours for c in result.cohorts) == [2.0, 4.0, 4.0]
    assert result.report.first_choice_share == 1.0
    assert [c.cohort_id for c in result.cohorts] == ["C0001", "C0002", "C0003"]


def test_a_challenge_chosen_by_too_few_releases_them_to_their_second_choice():
    learners = [Learner(f"R{i}", ("rare", "common")) for i in range(2)]
    learners += [Learner(f"C{i}", ("common",)) for i in range(4)]
    result = form_cohorts(learners, Settings(target=6, minimum=3, maximum=8))
    assert [(c.challenge_id, len(c.members)) for c in result.cohorts] == [("common", 6)]
    assert result.report.first_choice_share == pytest.approx(4 / 6)
    assert result.report.any_choice_share == 1.0


def test_learners_with_no_viable_choice_are_reported_with_a_reason_code():
    learners = [Learner("N", ()), Learner("R1", ("rare",)), Learner("R2", ("rare",))]
    result = form_cohorts(learners, Settings())
    reasons = {item.learner_id: item for item in result.unplaced}
    assert reasons["N"].code == NO_CHOICES
    assert (reasons["R1"].code, reasons["R1"].challenge_id, reasons["R1"].count) == (
        TOO_FEW,
        "rare",
        2,
    )
    words = reason_words(reasons["R1"], Settings(), lambda c: f"“{c.title()}”")
    assert words.startswith("only 2 learners chose “Rare” (a cohort needs at least 3)")


def test_overflow_that_cannot_be_split_is_reported_not_oversized():
    learners = [Learner(f"L{i}", ("only",)) for i in range(7)]
    result = form_cohorts(learners, Settings(target=5, minimum=5, maximum=6))
    assert [len(c.members) for c in result.cohorts] == [6]
    assert result.unplaced[0].code == CANNOT_SPLIT
    assert "cannot be split" in reason_words(result.unplaced[0], Settings(minimum=5, maximum=6))


def synthetic(count: int, seed: int = 3) -> list[Learner]:
    rng = random.Random(seed)
    names = [f"T{i}" for i in range(20)]
    popularity = [1 / (i + 1) for i in range(20)]
    tags = [f"tag{i}" for i in range(12)]
    learners = []
    for number in range(count):
        offset = rng.choice((-5.0, 0.0, 1.0, 5.5, 8.0))
        days = rng.sample(range(5), rng.randint(2, 4))
        learners.append(
            Learner(
                f"S{number}",
                tuple(dict.fromkeys(rng.choices(names, popularity, k=rng.randint(1, 3)))),
                offset,
                tuple(sorted(evening(day, rng.choice((18, 19)), offset) for day in days)),
                frozenset(rng.sample(tags, 2)),
                frozenset(rng.sample(tags, 1)),
            )
        )
    return learners


def test_formation_beats_both_baselines_on_a_two_thousand_learner_course():
    learners, chosen = synthetic(2000), Settings()
    ours = form_cohorts(learners, chosen).report
    for baseline in (
        form_random(learners, chosen).report,
        form_first_choice_chunks(learners, chosen).report,
    ):
        assert ours.any_choice_share > baseline.any_choice_share
        assert ours.worst_cohort_score > baseline.worst_cohort_score
        assert ours.median_overlap_hours > baseline.median_overlap_hours
    assert chosen.minimum <= ours.size_min <= ours.size_max <= chosen.maximum


def state(cohort_id: str, challenge: str, size: int, locked: bool = False) -> CohortState:
    members = tuple(Learner(f"{cohort_id}-{i}", (challenge,)) for i in range(size))
    return CohortState(cohort_id, challenge, members, locked)


def test_a_late_joiner_goes_to_a_cohort_with_room_for_their_choice():
    cohorts = [state("full", "B", 4), state("shut", "A", 2, locked=True), state("open", "A", 3)]
    joiner = Learner("late", ("B", "A"))
    assert place_late_joiner(joiner, cohorts, Settings(target=3, minimum=2, maximum=4)) == "open"


def test_a_late_joiner_prefers_their_higher_ranked_choice_then_the_smaller_cohort():
    cohorts = [state("a", "A", 2), state("b-big", "B", 3), state("b-small", "B", 2)]
    joiner = Learner("late", ("B", "A"))
    assert place_late_joiner(joiner, cohorts, Settings()) == "b-small"


def test_a_late_joiner_gets_none_when_every_fitting_cohort_is_full():
    cohorts = [state("full", "A", 8), state("other", "Z", 2)]
    assert place_late_joiner(Learner("late", ("A",)), cohorts, Settings()) is None


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"minimum": 4, "target": 3}, "minimum <= target <= maximum"),
        ({"minimum": 0}, "minimum <= target"),
        ({"target": 9}, "target <= maximum"),
        ({"weight_complement": -1.0}, "not negative"),
        ({"weight_preference": 0, "weight_availability": 0, "weight_complement": 0}, "positive"),
    ],
)
def test_settings_reject_impossible_values_with_a_clear_message(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        Settings(**kwargs)


def test_availability_counts_only_fully_covered_half_hours():
    assert availability_mask([(18 * 60, 20 * 60)]).bit_count() == 4
    assert availability_mask([(18 * 60 + 10, 19 * 60)]).bit_count() == 1
    assert availability_mask([(7 * DAY - 30, 7 * DAY + 90)]).bit_count() == 1


def test_the_report_has_the_documented_keys():
    report = form_cohorts(synthetic(50), Settings()).report.as_dict()
    assert set(report) == {
        "learners",
        "placed",
        "cohorts",
        "first_choice_share",
        "any_choice_share",
        "size_min",
        "size_max",
        "median_overlap_hours",
        "worst_overlap_hours",
        "worst_cohort_score",
        "seconds",
        "total_rank",
        "method",
        "proven",
        "placed_bound",
        "rank_bound",
        "worst_overlap_bound",
    }


def test_one_members_own_free_time_is_not_counted_as_time_shared():
    from cohorts.formation.scoring import overlap_hours
    from cohorts.formation.values import Preparer

    prep = Preparer()
    evening = Learner("a", ("x",), availability=((18 * 60, 20 * 60),))
    silent = Learner("b", ("x",))
    assert overlap_hours([prep.member(evening), prep.member(silent)]) == 0.0
    twin = Learner("c", ("x",), availability=((19 * 60, 21 * 60),))
    assert overlap_hours([prep.member(evening), prep.member(twin)]) == 1.0


def test_a_challenge_below_the_minimum_is_rescued_by_a_learner_who_ranked_it_second():
    learners = [Learner(f"a{i}", ("A",)) for i in range(2)]
    learners += [Learner(f"b{i}", ("B", "A")) for i in range(4)]
    result = form_cohorts(learners, Settings(target=3, minimum=3, maximum=4))
    assert not result.unplaced
    assert sorted((c.challenge_id, len(c.members)) for c in result.cohorts) == [
        ("A", 3),
        ("B", 3),
    ]


def test_learners_left_over_from_several_challenges_open_a_cohort_they_share():
    learners = [
        Learner(f"{first}{i}", (first, "shared")) for first in ("A", "B", "C") for i in range(4)
    ]
    result = form_cohorts(learners, Settings(target=3, minimum=3, maximum=3))
    assert not result.unplaced
    assert [len(c.members) for c in result.cohorts if c.challenge_id == "shared"] == [3]


def test_overflow_and_leftovers_that_share_a_choice_open_a_cohort_of_it():
    # "X" holds one cohort of 3 and cannot split 5; the two left over and the lone "Z"
    # picker all named "Y" second, so they become a cohort of "Y" instead of waiting.
    learners = [Learner(f"x{i}", ("X", "Y")) for i in range(5)] + [Learner("z", ("Z", "Y"))]
    result = form_cohorts(learners, Settings(target=3, minimum=3, maximum=3))
    assert not result.unplaced
    assert sorted((c.challenge_id, len(c.members)) for c in result.cohorts) == [
        ("X", 3),
        ("Y", 3),
    ]


def test_a_cohort_swaps_with_any_cohort_of_its_challenge_whose_hours_suit_it():
    from cohorts.formation.building import chunk
    from cohorts.formation.improve import improve
    from cohorts.formation.scoring import cohort_score, overlap_hours
    from cohorts.formation.values import Preparer

    prep = Preparer()

    def at(hour: int, name: str) -> object:
        return prep.member(Learner(name, ("X",), 0.0, (evening(0, hour, 0),)))

    row = [at(8, f"a{i}") for i in range(4)] + [at(20, "late")]
    row += [at(13, f"z{i}") for i in range(5)]
    row += [at(20, f"c{i}") for i in range(4)] + [at(8, "early")]
    chosen = Settings(target=5, minimum=5, maximum=5, weight_complement=0)
    drafts = chunk("X", row, 3)
    for draft in drafts:
        draft.score = cohort_score(draft.members, "X", chosen)
    improve(drafts, chosen)
    assert [overlap_hours(d.members) for d in drafts] == [2.0, 2.0, 2.0]


def test_the_quality_sentence_says_proven_or_how_far_from_the_best():
    from cohorts.formation.words import quality_words

    formed = {"method": "exact", "proven": True, "placed": 10, "placed_bound": 10}
    formed |= {"total_rank": 12, "rank_bound": 12}
    assert quality_words(formed).startswith("Best possible placement (proven)")
    counted = formed | {"method": "heuristic", "proven": False}
    assert quality_words(counted).startswith("Best possible placement (proven)")
    guessed = counted | {"rank_bound": 10}
    assert quality_words(guessed).startswith("Within 20% of the best possible placement")
    short = formed | {"placed": 8}
    assert "at most 10 could be placed" in quality_words(short)
    edited = quality_words(formed, {"placed": 10, "total_rank": 13})
    assert edited.startswith("When formed, before later changes: best possible placement")
    assert quality_words({}) == ""
    timed = formed | {"worst_overlap_hours": 1.5, "worst_overlap_bound": 2.0}
    assert quality_words(timed).endswith("no formation gives it more than 2 h.")
    assert "the most possible with learners on these challenges (proven)" in quality_words(
        timed | {"worst_overlap_hours": 2.0}
    )
