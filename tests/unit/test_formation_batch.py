"""Scoring many cohorts at once gives exactly the scores and hours of one at a time."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from cohorts.formation.batch import score_groups
from cohorts.formation.scoring import cohort_score, overlap_hours
from cohorts.formation.values import Learner, Preparer, Settings

from .test_formation import FAST, learner_lists

WEIGHTS = st.sampled_from([(1.0, 1.0, 1.0), (1.0, 0.0, 1.0), (2.5, 1.0, 0.0), (0.0, 3.0, 0.5)])


@FAST
@given(learner_lists(), st.integers(1, 8), WEIGHTS)
def test_batch_scores_equal_one_by_one_scores_bit_for_bit(learners, size, weights):
    preparer = Preparer()
    members = [preparer.member(x) for x in learners]
    groups = [members[i : i + size] for i in range(0, len(members), size)]
    challenges = [g[0].choices[0] if g[0].choices else "A" for g in groups]
    settings = Settings(
        weight_preference=weights[0], weight_availability=weights[1], weight_complement=weights[2]
    )
    scores, hours = score_groups(groups, challenges, settings)
    assert scores == [cohort_score(g, c, settings) for g, c in zip(groups, challenges, strict=True)]
    assert hours == [overlap_hours(g) for g in groups]


def test_many_tags_and_learners_without_hours_score_alike():
    preparer = Preparer()
    tags = [f"t{i}" for i in range(150)]  # past 64 tags the bitsets need several words
    learners = [
        Learner(
            f"L{i}",
            ("A",),
            None,
            ((i * 60, i * 60 + 600),) if i % 3 else (),
            frozenset(tags[i::7]),
            frozenset(tags[i + 1 :: 11]),
        )
        for i in range(40)
    ]
    members = [preparer.member(x) for x in learners]
    groups = [members[i : i + 5] for i in range(0, 40, 5)]
    settings = Settings()
    scores, hours = score_groups(groups, ["A"] * len(groups), settings)
    assert scores == [cohort_score(g, "A", settings) for g in groups]
    assert hours == [overlap_hours(g) for g in groups]
