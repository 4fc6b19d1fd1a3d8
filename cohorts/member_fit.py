"""How each member fits their cohort, for the staff cards: their pick rank and shared ground."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cohorts.formation.values import Learner, Preparer


@dataclass(frozen=True, slots=True)
class MemberFit:
    """One member's fit: which of their picks this is, and who they share hours and help with."""

    #: 1 for their first choice; None when the cohort's challenge is not among their picks.
    rank: int | None
    #: Other members free at some common hour; None when this member shared no hours.
    free_with: int | None
    #: Other members who need something this member offers.
    helps: int


def fits_of(
    learners: Mapping[int, Learner], challenge_id: int, member_ids: Sequence[int]
) -> dict[int, MemberFit]:
    """Describe every member of one cohort from plain learner values."""
    preparer = Preparer()
    known = {pid: learners.get(pid) or Learner(str(pid), ()) for pid in member_ids}
    masks = {pid: preparer.member(lr).mask for pid, lr in known.items()}
    key = str(challenge_id)
    fits = {}
    for pid, me in known.items():
        others = [o for o in member_ids if o != pid]
        free = sum(1 for o in others if masks[o] and masks[pid] & masks[o]) if masks[pid] else None
        helps = sum(1 for o in others if me.offers & known[o].needs)
        rank = me.choices.index(key) + 1 if key in me.choices else None
        fits[pid] = MemberFit(rank, free, helps)
    return fits
