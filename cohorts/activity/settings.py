"""A course's engagement weights and inactivity rule, with defaults until staff change them."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.activity.rules import Weights
from cohorts.db import get_or_create
from cohorts.errors import DomainError
from cohorts.models import ActivitySettings

COLUMNS = {
    "sessions": "weight_sessions",
    "cohort_actions": "weight_cohort",
    "gifts_given": "weight_given",
    "gifts_received": "weight_received",
    "asks_answered": "weight_answered",
}


@dataclass(frozen=True, slots=True)
class Rules:
    """What the measures need from a course's settings."""

    weights: Weights
    inactive_days: int


def course_rules(session: Session, course_id: int) -> Rules:
    """Return the course's weights and inactivity rule without writing anything."""
    row = session.scalars(
        select(ActivitySettings).where(ActivitySettings.course_id == course_id)
    ).one_or_none()
    if row is None:
        return Rules(Weights(), 10)
    weights = Weights(**{signal: getattr(row, column) for signal, column in COLUMNS.items()})
    return Rules(weights, row.inactive_days)


def save_rules(
    session: Session, course_id: int, *, weights: dict[str, float], inactive_days: int
) -> ActivitySettings:
    """Store the course's weights (0 to 3 each) and the inactivity rule (3 to 60 days)."""
    if set(weights) != set(COLUMNS) or any(not 0 <= w <= 3 for w in weights.values()):
        raise DomainError("Each weight goes from 0 to 3.")
    if not 3 <= inactive_days <= 60:
        raise DomainError("Inactive after 3 to 60 days.")
    row = get_or_create(
        session,
        select(ActivitySettings).where(ActivitySettings.course_id == course_id),
        lambda: ActivitySettings(course_id=course_id),
    )
    for signal, column in COLUMNS.items():
        setattr(row, column, float(weights[signal]))
    row.inactive_days = inactive_days
    session.flush()
    return row
