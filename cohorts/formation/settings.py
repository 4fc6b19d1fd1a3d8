"""A course's formation settings: sizes and the weights of what makes a good cohort."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.db import get_or_create
from cohorts.errors import DomainError
from cohorts.formation.values import Settings
from cohorts.limits import COHORT_SIZE, WEIGHT
from cohorts.models import (
    FormationSettings,
)

#: Cohort sizes until staff save their own.
DEFAULT_TARGET, DEFAULT_MINIMUM, DEFAULT_MAXIMUM = 5, 3, 8


def _defaults(course_id: int) -> FormationSettings:
    return FormationSettings(
        course_id=course_id,
        target=DEFAULT_TARGET,
        minimum=DEFAULT_MINIMUM,
        maximum=DEFAULT_MAXIMUM,
        weight_preference=1.0,
        weight_availability=1.0,
        weight_complement=1.0,
        show_emails=False,
        seed=1,
        left_out="{}",
        quality="{}",
    )


def get_settings(session: Session, course_id: int) -> FormationSettings:
    """Return the course's formation settings, creating the defaults on first use."""
    return get_or_create(
        session,
        select(FormationSettings).where(FormationSettings.course_id == course_id),
        lambda: _defaults(course_id),
    )


def read_settings(session: Session, course_id: int) -> FormationSettings:
    """The stored settings or unsaved defaults: for pages that only show them, never write."""
    stored = session.scalars(
        select(FormationSettings).where(FormationSettings.course_id == course_id)
    ).one_or_none()
    return stored if stored is not None else _defaults(course_id)


def settings_of(row: FormationSettings) -> Settings:
    """Turn stored settings into the formation code's validated settings."""
    return Settings(
        target=row.target,
        minimum=row.minimum,
        maximum=row.maximum,
        weight_preference=row.weight_preference,
        weight_availability=row.weight_availability,
        weight_complement=row.weight_complement,
        seed=row.seed,
    )


def save_settings(
    session: Session,
    course_id: int,
    *,
    target: int,
    minimum: int,
    maximum: int,
    weight_preference: float,
    weight_availability: float,
    weight_complement: float,
    show_emails: bool,
) -> FormationSettings:
    """Store new settings once the formation code accepts them."""
    if not all(size in COHORT_SIZE for size in (target, minimum, maximum)):
        raise DomainError(f"Sizes go from {COHORT_SIZE.low} to {COHORT_SIZE.high}.")
    if not all(w in WEIGHT for w in (weight_preference, weight_availability, weight_complement)):
        raise DomainError(f"Weights go from {WEIGHT.low} to {WEIGHT.high}.")
    try:
        Settings(
            target=target,
            minimum=minimum,
            maximum=maximum,
            weight_preference=weight_preference,
            weight_availability=weight_availability,
            weight_complement=weight_complement,
        )
    except ValueError as error:
        raise DomainError(f"These settings cannot be used: {error}.") from error
    row = get_settings(session, course_id)
    row.target, row.minimum, row.maximum = target, minimum, maximum
    row.weight_preference = weight_preference
    row.weight_availability = weight_availability
    row.weight_complement = weight_complement
    row.show_emails = show_emails
    session.flush()
    return row
