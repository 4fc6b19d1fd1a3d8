"""Read-only pictures of cohorts for pages: the quality report, cohort cards, why you are here."""

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from cohorts.formation.learners import load_learners, members_by_cohort
from cohorts.formation.scoring import overlap_hours
from cohorts.formation.settings import get_settings, settings_of
from cohorts.formation.stored import formation_learner, refresh_report, stored_report
from cohorts.formation.values import Learner, Preparer, Settings, Unplaced
from cohorts.formation.words import quality_words, reason_words
from cohorts.limits import ONE_CHALLENGE_AT_A_TIME
from cohorts.models import Challenge, Choice, Cohort, Enrolment, Membership, Person, utcnow


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
    #: Whether the report was missing and counted (and stored) for this picture.
    computed: bool = False
    #: The shown members as the formation code sees them (picks, hours, offers, needs).
    learners: Mapping[int, Learner] = field(default_factory=dict)
    #: Which page of the challenge's cohorts is shown, of how many, and its cohort count.
    page: int = 1
    pages: int = 1
    in_focus: int = 0
    #: Left-out learners in all (``left_out`` lists the first of them on large courses).
    left_out_total: int = 0


def people_by_id(session: Session, ids: set[int]) -> dict[int, Person]:
    if not ids:
        return {}
    return {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(ids)))}


#: Cohort cards on one page of the staff cohorts page (within the challenge in focus), as
#: many as the staff exchange page shows.
CARDS_PER_PAGE = 30
#: Left-out learners named on the page; the rest are counted.
LEFT_OUT_LISTED = 100
CURRENT = ("draft", "published")


def _focus(
    counts: dict[int, int], titles: dict[int, str], wanted: int | None, everything: bool
) -> tuple[int | None, tuple[tuple[int, str, int], ...]]:
    """The challenge to show: the one asked for, or the biggest one in large courses."""
    if everything or wanted not in counts:
        wanted = None
        if not everything and sum(counts.values()) > ONE_CHALLENGE_AT_A_TIME:
            wanted = min(counts, key=lambda cid: (-counts[cid], cid))
    choices = sorted(
        ((cid, titles.get(cid, ""), n) for cid, n in counts.items()), key=lambda i: i[1]
    )
    return wanted, tuple(choices)


def _counts(session: Session, course_id: int) -> tuple[dict[int, int], int]:
    """Draft and published cohorts per challenge, and how many are drafts, in one query."""
    rows = session.execute(
        select(
            Cohort.challenge_id,
            func.count(Cohort.id),
            func.sum(case((Cohort.status == "draft", 1), else_=0)),
        )
        .where(Cohort.course_id == course_id, Cohort.status.in_(CURRENT))
        .group_by(Cohort.challenge_id)
    ).all()
    return {cid: n for cid, n, _ in rows}, sum(int(d or 0) for _, _, d in rows)


def formation_picture(
    session: Session,
    course_id: int,
    wanted: int | None = None,
    everything: bool = False,
    page: int = 1,
) -> FormationPicture:
    """Describe one page of the cohorts of the challenge in focus, with the stored report.

    Counts come from SQL; only the cohorts shown, their members and profiles are read.
    """
    settings_row = get_settings(session, course_id)
    settings = settings_of(settings_row)
    counts, draft_total = _counts(session, course_id)
    total = sum(counts.values())
    titles = dict(
        session.execute(
            select(Challenge.id, Challenge.title).where(Challenge.course_id == course_id)
        ).all()
    )
    focus, choices = _focus(counts, titles, wanted, everything)
    in_focus = counts.get(focus, 0) if focus is not None else total
    query = (
        select(Cohort)
        .where(Cohort.course_id == course_id, Cohort.status.in_(CURRENT))
        .order_by(Cohort.status, Cohort.name, Cohort.id)
    )
    if focus is not None:
        query = query.where(Cohort.challenge_id == focus)
    pages = max(1, -(-in_focus // CARDS_PER_PAGE))
    page = min(max(page, 1), pages)
    if not everything:
        query = query.limit(CARDS_PER_PAGE).offset((page - 1) * CARDS_PER_PAGE)
    shown = list(session.scalars(query))
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
    computed = not report and bool(total)
    if computed:  # cohorts stored before the report was: count them once and keep it
        report = refresh_report(session, course_id, utcnow())
    named = {str(cid): f"“{title}”" for cid, title in titles.items()}
    reasons = json.loads(settings_row.left_out or "{}")
    rows, left_total = _left_out(session, course_id, None if everything else LEFT_OUT_LISTED)
    left_out = tuple(
        LeftOut(person, _reason(person.id, picks, reasons, named, settings))
        for person, picks in rows
    )
    quality = quality_words(json.loads(settings_row.quality or "{}"), report) if report else ""
    return FormationPicture(
        tuple(cards),
        report,
        left_out,
        quality,
        focus,
        choices,
        total,
        draft_total,
        computed,
        learners,
        page,
        pages,
        in_focus,
        left_total,
    )


def _left_out(
    session: Session, course_id: int, limit: int | None
) -> tuple[list[tuple[Person, int]], int]:
    """Learners in no draft or published cohort (the first ``limit``), with how many active
    challenges they picked, and how many there are in all."""
    placed = (
        select(Membership.person_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(Membership.course_id == course_id, Cohort.status.in_(CURRENT))
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
    left = (
        Enrolment.course_id == course_id,
        Enrolment.role == "learner",
        Enrolment.person_id.not_in(placed),
    )
    rows = session.execute(
        select(Person, picks)
        .join(Enrolment, Enrolment.person_id == Person.id)
        .where(*left)
        .order_by(Person.id)
        .limit(limit)
    ).all()
    total = len(rows)
    if limit is not None and total == limit:
        total = session.scalar(select(func.count(Enrolment.id)).where(*left)) or 0
    return [(person, count) for person, count in rows], total


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
