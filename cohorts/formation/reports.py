"""Read-only pictures of cohorts for pages: the quality report, cohort cards, why you are here."""

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.formation.learners import load_learners, members_by_cohort
from cohorts.formation.scoring import assemble, common_mask, overlap_hours
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.values import Learner, Preparer, Settings, Unplaced, mask_windows
from cohorts.formation.words import quality_words, reason_words
from cohorts.models import Challenge, Cohort, Person


@dataclass(frozen=True, slots=True)
class CohortCard:
    """A cohort with its members and how well their hours line up."""

    cohort: Cohort
    challenge_title: str
    members: tuple[Person, ...]
    overlap_hours: float


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A learner no cohort took, and the reason in plain words."""

    person: Person
    reason: str


@dataclass(frozen=True, slots=True)
class FormationPicture:
    """Everything staff need to judge and edit the current cohorts."""

    cards: tuple[CohortCard, ...]
    report: dict[str, Any]
    left_out: tuple[LeftOut, ...]
    #: How close the last formation came to the best possible, in a sentence ("" before any).
    quality: str = ""


def _people(session: Session, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}


def formation_picture(session: Session, course_id: int) -> FormationPicture:
    """Describe draft and published cohorts with a report computed on what is stored now."""
    settings_row = get_settings(session, course_id)
    settings = settings_of(settings_row)
    cohorts = list(
        session.scalars(
            select(Cohort)
            .where(Cohort.course_id == course_id, Cohort.status.in_(("draft", "published")))
            .order_by(Cohort.status, Cohort.name, Cohort.id)
        )
    )
    members = members_by_cohort(session, [c.id for c in cohorts])
    learners = load_learners(session, course_id)
    placed = {pid for ids in members.values() for pid in ids}
    reasons = json.loads(settings_row.left_out or "{}")
    unplaced_ids = sorted(set(learners) - placed)
    people = _people(session, placed | set(unplaced_ids))
    titles = dict(
        session.execute(
            select(Challenge.id, Challenge.title).where(Challenge.course_id == course_id)
        ).all()
    )
    named = {str(cid): f"“{title}”" for cid, title in titles.items()}
    preparer = Preparer()
    groups, cards = [], []
    for cohort in cohorts:
        prepared = [
            preparer.member(learners.get(pid) or formation_learner(pid))
            for pid in members[cohort.id]
        ]
        groups.append((str(cohort.id), str(cohort.challenge_id), prepared, None))
        cards.append(
            CohortCard(
                cohort,
                titles.get(cohort.challenge_id, ""),
                tuple(people[pid] for pid in members[cohort.id]),
                overlap_hours(prepared),
            )
        )
    unplaced = [Unplaced(str(pid), "") for pid in unplaced_ids]
    report = assemble(groups, unplaced, settings, time.perf_counter()).report.as_dict()
    left_out = tuple(
        LeftOut(people[pid], _reason(pid, learners[pid], reasons, named, settings))
        for pid in unplaced_ids
    )
    quality = quality_words(json.loads(settings_row.quality or "{}"), report)
    return FormationPicture(tuple(cards), report, left_out, quality)


def formation_learner(person_id: int) -> Learner:
    """A learner with no picks, for members whose enrolment is gone."""
    return Learner(str(person_id), ())


def _reason(
    pid: int,
    learner: Learner,
    reasons: dict[str, Any],
    named: dict[str, str],
    settings: Settings,
) -> str:
    """The stored reason code of the last formation, in words that name challenges."""
    stored = reasons.get(str(pid))
    if not learner.choices:
        return "has not picked any challenge yet"
    if not stored:
        return "picked challenges after the cohorts were formed"
    if isinstance(stored, str):
        return stored
    code, challenge, count = stored
    item = Unplaced(str(pid), code, challenge, count)
    return reason_words(item, settings, lambda c: named.get(c, "a closed challenge"))


@dataclass(frozen=True, slots=True)
class Mate:
    """Another member as a learner sees them."""

    person: Person
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
    show_emails = get_settings(session, course_id).show_emails
    member_ids = members_by_cohort(session, [cohort.id])[cohort.id]
    learners = load_learners(session, course_id, only=[*member_ids, person_id], at=at)
    people = _people(session, set(member_ids))
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
