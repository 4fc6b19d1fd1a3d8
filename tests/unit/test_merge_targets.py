"""A small cohort's merge target: the smallest unlocked same-challenge cohort with room."""

from hypothesis import given, settings
from hypothesis import strategies as st

from cohorts.formation.merge_targets import merge_targets


def test_the_target_is_the_smallest_cohort_with_room_never_a_locked_one_or_itself():
    cohorts = [
        (1, 7, False, False, 2),  # small
        (2, 7, True, False, 1),  # smallest, but locked: never a target, though small itself
        (3, 7, False, False, 5),
        (4, 7, False, False, 4),  # the smallest unlocked other for 1
        (5, 8, False, False, 1),  # another challenge
        (6, 8, False, True, 1),  # small, its merge dismissed: still a target for 5
    ]
    assert merge_targets(cohorts, minimum=3, maximum=8) == [(1, 4), (2, 1), (5, 6)]


def test_no_target_when_the_smallest_other_cohort_has_no_room():
    cohorts = [(1, 7, False, False, 2), (2, 7, False, False, 7), (3, 7, False, False, 8)]
    assert merge_targets(cohorts, minimum=3, maximum=8) == [(1, None)]


def every_candidate(cohorts, minimum, maximum):
    """The rule read literally: look at every other cohort, keep those that fit, take the least."""
    found = []
    for cid, challenge, _, dismissed, size in cohorts:
        if size >= minimum or dismissed:
            continue
        fits = [
            (other_size, other)
            for other, other_challenge, locked, _, other_size in cohorts
            if other != cid
            and other_challenge == challenge
            and not locked
            and other_size + size <= maximum
        ]
        found.append((cid, min(fits)[1] if fits else None))
    return found


cohort_lists = st.lists(
    st.tuples(st.integers(1, 3), st.booleans(), st.booleans(), st.integers(0, 9)), max_size=30
).map(lambda rows: [(n + 1, *row) for n, row in enumerate(rows)])


@settings(max_examples=300)
@given(cohort_lists, st.integers(1, 5), st.integers(5, 12))
def test_the_quick_choice_is_the_one_every_candidate_would_give(cohorts, minimum, maximum):
    assert merge_targets(cohorts, minimum, maximum) == every_candidate(cohorts, minimum, maximum)
