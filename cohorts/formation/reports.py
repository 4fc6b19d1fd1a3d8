"""Read-only pictures of cohorts for pages: the quality report, cohort cards, why you are here."""

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohorts.formation.learners import load_learners, members_by_cohort
from cohorts.formation.scoring import overlap_hours
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.stored import course_report, formation_learner, stored_report
from cohorts.formation.values import Preparer, Settings, Unplaced
from cohorts.formation.words import quality_words, reason_words
from cohorts.limits import ONE_CHALLENGE_AT_A_TIME
from cohorts.models import Challenge, Choice, Cohort, Enrolment, Membership, Person


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
    """Everything staff need to judge and edit the current cohorts.

    The report is the stored one (`cohorts.formation.stored`); cards are built only for
    the challenge in focus, so a page on a large course reads a few cohorts, not all.
    """

    cards: tuple[CohortCard, ...]
    report: dict[str, Any]
    left_out: tuple[LeftOut, ...]
    #: How close the last formation came to the best possible, in a sentence ("" before any).
    quality: str = ""
    #: The challenge shown (None: every challenge), and (id, title, cohorts) for each.
    focus: int | None = None
    challenge_choices: tuple[tuple[int, str, int], ...] = ()
    total: int = 0
    draft_total: int = 0


def people_by_id(session: Session, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}


def _focus(
    cohorts: Sequence[Cohort], titles: dict[int, str], wanted: int | None, everything: bool
) -> tuple[int | None, tuple[tuple[int, str, int], ...]]:
    """The challenge to show: the one asked for, or the biggest one in large courses."""
    counts = Counter(c.challenge_id for c in cohorts)
    if everything or wanted not in counts:
        wanted = None
        if not everything and len(cohorts) > ONE_CHALLENGE_AT_A_TIME:
            wanted = counts.most_common(1)[0][0]
    choices = sorted(
        ((cid, titles.get(cid, ""), n) for cid, n in counts.items()), key=lambda i: i[1]
    )
    return wanted, tuple(choices)


def formation_picture(
    session: Session, course_id: int, wanted: int | None = None, everything: bool = False
) -> FormationPicture:
    """Describe draft and published cohorts of the challenge in focus, with the stored report."""
    settings_row = get_settings(session, course_id)
    settings = settings_of(settings_row)
    cohorts = list(
        session.scalars(
            select(Cohort)
            .where(Cohort.course_id == course_id, Cohort.status.in_(("draft", "published")))
            .order_by(Cohort.status, Cohort.name, Cohort.id)
        )
    )
    titles = dict(
        session.execute(
            select(Challenge.id, Challenge.title).where(Challenge.course_id == course_id)
        ).all()
    )
    focus, choices = _focus(cohorts, titles, wanted, everything)
    shown = [c for c in cohorts if focus is None or c.challenge_id == focus]
    members = members_by_cohort(session, [c.id for c in shown])
    placed = {pid for ids in members.values() for pid in ids}
    learners = load_learners(session, course_id, only=sorted(placed))
    people = people_by_id(session, placed)
    preparer = Preparer()
    cards = []
    for cohort in shown:
        prepared = [
            preparer.member(learners.get(pid) or formation_learner(pid))
            for pid in members[cohort.id]
        ]
        cards.append(
            CohortCard(
                cohort,
                titles.get(cohort.challenge_id, ""),
                tuple(people[pid] for pid in members[cohort.id]),
                overlap_hours(prepared),
            )
        )
    report, _ = stored_report(session, course_id)
    if not report and cohorts:
        report = course_report(session, course_id)
    named = {str(cid): f"“{title}”" for cid, title in titles.items()}
    reasons = json.loads(settings_row.left_out or "{}")
    left_out = tuple(
        LeftOut(person, _reason(person.id, picks, reasons, named, settings))
        for person, picks in _left_out(session, course_id)
    )
    quality = quality_words(json.loads(settings_row.quality or "{}"), report) if report else ""
    return FormationPicture(
        tuple(cards),
        report,
        left_out,
        quality,
        focus,
        choices,
        len(cohorts),
        sum(c.status == "draft" for c in cohorts),
    )


def _left_out(session: Session, course_id: int) -> list[tuple[Person, int]]:
    """Learners in no draft or published cohort, with how many active challenges they picked."""
    placed = (
        select(Membership.person_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Membership.course_id == course_id, Cohort.status.in_(("draft", "published")))
    )
    picks = (
        select(func.count(Choice.id))
        .join(Challenge, Challenge.id == Choice.challenge_id)
        .where(
            Choice.course_id == course_id,
            Choice.person_id == Enrolment.person_id,
            Challenge.status == "active",
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(Person, picks)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(
            Enrolment.course_id == course_id,
            Enrolment.role == "learner",
            Enrolment.person_id.not_in(placed),
        )
        .order_by(Person.id)
    ).all()
    return [(person, count) for person, count in rows]


def _reason(
    pid: int,
    picks: int,
    reasons: dict[str, Any],
    named: dict[str, str],
    settings: Settings,
) -> str:
    """The stored reason code of the last formation, in words that name challenges."""
    stored = reasons.get(str(pid))
    if not picks:
        return "has not picked any challenge yet"
    if not stored:
        return "picked challenges after the cohorts were formed"
    if isinstance(stored, str):
        return stored
    code, challenge, count = stored
    item = Unplaced(str(pid), code, challenge, count)
    return reason_words(item, settings, lambda c: named.get(c, "a closed challenge"))
