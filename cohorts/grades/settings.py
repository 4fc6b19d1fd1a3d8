"""A course's participation column switch and rule, with defaults until staff change them."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.db import get_or_create
from cohorts.errors import DomainError
from cohorts.grades.rules import SIGNALS, GradeRule, rule_problem
from cohorts.models import GradeSettings, utcnow

COLUMNS = {signal: f"target_{signal}" for signal in SIGNALS}


@dataclass(frozen=True, slots=True)
class ColumnSettings:
    """Whether the column is on, and the rule its scores follow."""

    enabled: bool
    rule: GradeRule


def _settings_query(course_id: int):  # type: ignore[no-untyped-def]
    return select(GradeSettings).where(GradeSettings.course_id == course_id)


def column_settings(session: Session, course_id: int) -> ColumnSettings:
    """Return the course's switch and rule without writing anything."""
    row = session.scalars(_settings_query(course_id)).one_or_none()
    if row is None:
        return ColumnSettings(False, GradeRule())
    targets = {signal: getattr(row, column) for signal, column in COLUMNS.items()}
    return ColumnSettings(row.enabled, GradeRule(row.score_maximum, targets))


def save_column_settings(
    session: Session, course_id: int, *, enabled: bool, maximum: float, targets: dict[str, int]
) -> GradeSettings:
    """Store the switch and the rule; refuse a rule that cannot give a score."""
    problem = rule_problem(GradeRule(maximum, targets))
    if problem:
        raise DomainError(problem)
    row = get_or_create(
        session, _settings_query(course_id), lambda: GradeSettings(course_id=course_id)
    )
    row.enabled = enabled
    row.score_maximum = float(maximum)
    for signal, column in COLUMNS.items():
        setattr(row, column, int(targets.get(signal, 0)))
    row.updated_at = utcnow()
    session.flush()
    return row


def lock_column(session: Session, course_id: int) -> None:
    """Make finding or creating the course's line item run one at a time (PostgreSQL)."""
    get_or_create(session, _settings_query(course_id), lambda: GradeSettings(course_id=course_id))
    session.execute(_settings_query(course_id).with_for_update())


def note_publication(session: Session, course_id: int, now: datetime, problem: str | None) -> None:
    """Record that a publication ran, and why it could not start (or None when it did)."""
    row = get_or_create(
        session, _settings_query(course_id), lambda: GradeSettings(course_id=course_id)
    )
    row.published_at, row.problem = now, problem
    session.flush()


def publication_note(session: Session, course_id: int) -> tuple[datetime | None, str | None]:
    """When the last publication ran and what stopped it, if anything."""
    row = session.execute(
        select(GradeSettings.published_at, GradeSettings.problem).where(
            GradeSettings.course_id == course_id
        )
    ).first()
    return (row[0], row[1]) if row else (None, None)
