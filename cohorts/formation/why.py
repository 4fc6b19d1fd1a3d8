"""Why a learner is in their cohort: the challenge, the hours and the help they share."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from cohorts.db import core_rows
from cohorts.formation.learners import load_learners, members_by_cohort
from cohorts.formation.scoring import common_mask, overlap_hours
from cohorts.formation.stored import formation_learner
from cohorts.formation.values import Preparer, mask_windows
from cohorts.models import Challenge, Cohort, FormationSettings, Person
from cohorts.models.people import display_name_of


@dataclass(frozen=True, slots=True)
class MatePerson:
    """Who a mate is: what the page names and links, not the whole person row."""

    id: int
    display_name: str
    email: str | None


#: Whether staff let members see each other's email (no stored settings: the default, no).
_SHOW_EMAILS = select(FormationSettings.show_emails).where(
    FormationSettings.course_id == bindparam("course_id")
)
_PEOPLE = select(
    Person.id, Person.name, Person.given_name, Person.family_name, Person.chosen_name, Person.email
).where(Person.id.in_(bindparam("ids", expanding=True)))


def _people(session: Session, ids: Sequence[int]) -> dict[int, MatePerson]:
    rows = core_rows(session, _PEOPLE, {"ids": list(ids)}) if ids else []
    return {
        pid: MatePerson(pid, display_name_of(pid, *names), email) for pid, *names, email in rows
    }


@dataclass(frozen=True, slots=True)
class Mate:
    """Another member as a learner sees them."""

    person: MatePerson
    email: str | None
    overlap_hours: float
    offers_you_need: tuple[str, ...]
    shared_hours: bool


@dataclass(frozen=True, slots=True)
class WhyThisCohort:
    """What a learner shares with their cohort: challenge, hours, help on offer."""

    cohort: Cohort
    challenge: Challenge
    your_rank: int | None
    mates: tuple[Mate, ...]
    everyone_free_hours: float
    gave_availability: bool
    #: Weekly UTC minute windows when everyone who gave their hours is free, this week.
    together: tuple[tuple[int, int], ...] = ()
    #: How many members (the reader included) said when they are free.
    sharing: int = 0

    @property
    def free_time(self) -> tuple[str, ...]:
        """Shared free hours in a sentence or two, not one line per member."""
        if not self.gave_availability:
            return ()
        sharing = [m for m in self.mates if m.shared_hours]
        if not sharing:
            return ("No one else in your cohort has said when they are free yet.",)
        overlapping = sorted(
            (m for m in sharing if m.overlap_hours),
            key=lambda m: (-m.overlap_hours, m.person.display_name),
        )
        if overlapping:
            low, high = overlapping[-1].overlap_hours, overlapping[0].overlap_hours
            amount = (
                f"about {high:g} hours a week"
                if low == high
                else f"{low:g} to {high:g} hours a week each"
            )
            names = _names([m.person.display_name for m in overlapping])
            lines = [f"You are free at the same time as {names} for {amount}."]
        else:
            lines = ["Your free hours do not overlap with anyone's in your cohort yet."]
        if len(sharing) > 1 and overlapping and self.everyone_free_hours != low:
            together = len(sharing) + 1
            lines.append(
                f"All {together} of you who gave your hours are free together for about "
                f"{self.everyone_free_hours:g} hours a week."
                if self.everyone_free_hours
                else f"There is no hour yet when all {together} of you who gave your hours "
                "are free."
            )
        return tuple(lines)

    @property
    def help_on_offer(self) -> str | None:
        """Who offers what this learner asked for, in one sentence."""
        helpers = [m for m in self.mates if m.offers_you_need]
        if not helpers:
            return None
        if len(helpers) == 1:
            mate = helpers[0]
            return (
                f"{mate.person.display_name} offers what you need: "
                f"{', '.join(mate.offers_you_need)}."
            )
        offers = [f"{m.person.display_name} ({', '.join(m.offers_you_need)})" for m in helpers]
        return f"What you need is on offer from {_names(offers)}."


def _names(names: Sequence[str]) -> str:
    """Join names as people write them: "A", "A and B", "A, B and C"."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def why_this_cohort(
    session: Session, course_id: int, cohort: Cohort, person_id: int, at: datetime | None = None
) -> WhyThisCohort:
    """Explain a learner's published cohort in terms of their own picks and profile, with
    free hours read for the week of ``at`` (this week by default)."""
    show_emails = bool(core_rows(session, _SHOW_EMAILS, {"course_id": course_id}).scalar())
    member_ids = members_by_cohort(session, [cohort.id])[cohort.id]
    learners = load_learners(session, course_id, only=[*member_ids, person_id], at=at)
    people = _people(session, [pid for pid in dict.fromkeys(member_ids) if pid != person_id])
    preparer = Preparer()
    prepared = {
        pid: preparer.member(learners.get(pid) or formation_learner(pid)) for pid in member_ids
    }
    me = learners.get(person_id) or formation_learner(person_id)
    key = str(cohort.challenge_id)
    mates = []
    for pid in member_ids:
        if pid == person_id:
            continue
        other = learners.get(pid) or formation_learner(pid)
        both = overlap_hours([prepared[person_id], prepared[pid]]) if person_id in prepared else 0
        mates.append(
            Mate(
                people[pid],
                people[pid].email if show_emails else None,
                both if prepared[pid].hours and me.availability else 0.0,
                tuple(sorted(me.needs & other.offers)),
                bool(prepared[pid].hours),
            )
        )
    challenge = cohort.challenge
    rank = me.choices.index(key) + 1 if key in me.choices else None
    return WhyThisCohort(
        cohort,
        challenge,
        rank,
        tuple(mates),
        overlap_hours(prepared.values()),
        bool(me.availability),
        mask_windows(common_mask(prepared.values())),
        sum(1 for m in prepared.values() if m.hours),
    )
