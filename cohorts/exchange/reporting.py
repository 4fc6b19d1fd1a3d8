"""Members report what should not be here, without being able to silence a classmate.

Reports are rate-limited per person; toward hiding an item only a reporter's first report
against an author each day counts; staff hear when several members pile reports on one
person; the author is told the kind of problem, never who reported it or their words.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cohorts.courses import lock_enrolment
from cohorts.db import unique_or
from cohorts.errors import DomainError
from cohorts.exchange import rules
from cohorts.exchange.moderation import Target, case_of, find_target, tell_author, what
from cohorts.exchange.settings import exchange_settings
from cohorts.limits import REPORT_CATEGORIES, REPORT_DETAILS_MAX
from cohorts.models import ModerationCase, Person, Report

ALREADY = "You already reported this; staff will look at it."
#: How far back staff are told of reports piling up on one person.
PILE_ON_WINDOW = timedelta(days=7)


def report(
    session: Session,
    course_id: int,
    person_id: int,
    target_type: str,
    target_id: int,
    *,
    category: str,
    details: str,
    staff: bool,
    now: datetime,
) -> ModerationCase:
    """Report an item; hide it at once for staff or once enough counted reports came in."""
    target = find_target(session, course_id, person_id, target_type, target_id, staff)
    details = " ".join(details.split())
    if category not in REPORT_CATEGORIES:
        raise DomainError("Choose what is wrong with it.")
    if len(details) > REPORT_DETAILS_MAX:
        raise DomainError(f"Keep the details under {REPORT_DETAILS_MAX} characters.")
    if target.author_id == person_id:
        raise DomainError("This is your own; edit or withdraw it instead of reporting it.")
    if not staff:
        _check_rate(session, course_id, person_id, now)
    _file(session, course_id, person_id, target, category, details, now)
    case = case_of(session, course_id, target, now)
    counted = session.scalar(
        select(func.count(Report.id)).where(
            Report.target_type == target.type,
            Report.target_id == target.id,
            Report.counted_day.is_not(None),
        )
    )
    # A conversation has one reader besides its author: their report is enough to hide it.
    threshold = (
        1 if target.type == "message" else exchange_settings(session, course_id).report_threshold
    )
    hide = rules.should_hide(staff, counted or 0, threshold)
    if hide and (case.state == "open" or (staff and case.state == "restored")):
        case.state, case.updated_at = "hidden", now
        label = rules.CATEGORY_LABELS[category].lower()
        tell_author(
            session,
            course_id,
            target,
            f"Your {what(target)} is hidden while staff review it. It was reported as: {label}.",
            now,
        )
    session.flush()
    return case


def _check_rate(session: Session, course_id: int, person_id: int, now: datetime) -> None:
    lock_enrolment(session, course_id, person_id)  # counted and filed one at a time

    def since(moment: datetime) -> int:
        return (
            session.scalar(
                select(func.count(Report.id)).where(
                    Report.course_id == course_id,
                    Report.reporter_id == person_id,
                    Report.created_at >= moment,
                )
            )
            or 0
        )

    rules.check_report_rate(since(now - timedelta(minutes=10)), since(now - timedelta(days=1)))


def _file(
    session: Session,
    course_id: int,
    person_id: int,
    target: Target,
    category: str,
    details: str,
    now: datetime,
) -> None:
    """Store the report, counted toward hiding when it is the reporter's first against this
    author today (the database's unique rule decides, so racing reports count once)."""
    mine = select(Report.id).where(
        Report.target_type == target.type,
        Report.target_id == target.id,
        Report.reporter_id == person_id,
    )
    if session.scalar(mine) is not None:
        raise DomainError(ALREADY)

    def row(day: object) -> Report:
        return Report(
            course_id=course_id,
            target_type=target.type,
            target_id=target.id,
            reporter_id=person_id,
            author_id=target.author_id,
            category=category,
            reason=details,
            counted_day=day,
            created_at=now,
        )

    try:
        with session.begin_nested():
            session.add(row(now.date()))
    except IntegrityError:
        with unique_or(session, DomainError(ALREADY)):
            session.add(row(None))


@dataclass(frozen=True, slots=True)
class PileOn:
    """Many reports from several members against one person's items lately."""

    author: str
    reports: int
    reporters: tuple[str, ...]


def piled_on(session: Session, course_id: int, now: datetime) -> list[PileOn]:
    """Return the people whose items several members reported many times this past week."""
    rows = session.execute(
        select(
            Report.author_id, func.count(Report.id), func.count(func.distinct(Report.reporter_id))
        )
        .where(
            Report.course_id == course_id,
            Report.author_id.is_not(None),
            Report.created_at >= now - PILE_ON_WINDOW,
        )
        .group_by(Report.author_id)
    ).all()
    out = []
    for author_id, reports, reporters in rows:
        if not rules.is_pile_on(reports, reporters):
            continue
        names = session.scalars(
            select(Person)
            .join(Report, Report.reporter_id == Person.id)
            .where(
                Report.course_id == course_id,
                Report.author_id == author_id,
                Report.created_at >= now - PILE_ON_WINDOW,
            )
            .distinct()
        ).all()
        author = session.get_one(Person, author_id)
        out.append(
            PileOn(author.display_name, reports, tuple(sorted(p.display_name for p in names)))
        )
    return sorted(out, key=lambda p: -p.reports)
