"""Cohorts gone quiet get the same-challenge cohort with room and the most activity."""

from cohorts.activity.merging import CohortPulse, activity_merges, quiet_cohorts


def pulse(cid, members, active, challenge=1, **flags):
    return CohortPulse(cid, f"Cohort {cid}", challenge, members, active, **flags)


def test_a_full_cohort_with_few_active_members_is_quiet_but_a_small_one_is_not():
    cohorts = [pulse(1, 5, 1), pulse(2, 2, 0), pulse(3, 5, 3), pulse(4, 4, 0)]
    assert [c.cohort_id for c in quiet_cohorts(cohorts, minimum=3)] == [4, 1]


def test_the_partner_is_the_most_active_same_challenge_cohort_with_room():
    quiet = pulse(1, 4, 0)
    cohorts = [
        quiet,
        pulse(2, 5, 5),  # most active, but 4 + 5 passes the maximum of 8
        pulse(3, 4, 3),
        pulse(4, 3, 3),  # as active as 3 and smaller: chosen
        pulse(5, 3, 4, challenge=2),  # another challenge
        pulse(6, 2, 4, locked=True),
    ]
    (merge,) = activity_merges(cohorts, minimum=3, maximum=8)
    assert (merge.cohort.cohort_id, merge.partner.cohort_id) == (1, 4)


def test_no_partner_when_no_cohort_of_the_challenge_has_anyone_active_or_room():
    cohorts = [pulse(1, 5, 1), pulse(2, 4, 0), pulse(3, 6, 6)]
    merges = activity_merges(cohorts, minimum=3, maximum=8)
    assert [(m.cohort.cohort_id, m.partner) for m in merges] == [(2, None), (1, None)]


def test_two_quiet_cohorts_pair_up_when_together_they_have_someone_active():
    merges = activity_merges([pulse(1, 4, 2), pulse(2, 4, 0)], minimum=3, maximum=8)
    assert [(m.cohort.cohort_id, m.partner and m.partner.cohort_id) for m in merges] == [
        (2, 1),
        (1, None),
    ]


def test_dismissed_and_locked_cohorts_are_not_suggested():
    cohorts = [pulse(1, 4, 0, dismissed=True), pulse(2, 4, 0, locked=True), pulse(3, 3, 3)]
    assert activity_merges(cohorts, minimum=3, maximum=8) == []
