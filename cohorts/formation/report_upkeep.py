"""The stored quality report follows what its figures count: members' profiles and picks,
and the course's formation settings."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts import profiles
from cohorts.formation.settings import get_settings, save_settings
from cohorts.formation.stored import CURRENT, refresh_report
from cohorts.models import Cohort, FormationReport, FormationSettings, Membership, Profile


def refresh_cohort_of(session: Session, course_id: int, person_id: int, now: datetime) -> None:
    """A member's picks or profile changed: their cohort's stored quality row follows."""
    cohort_id = session.scalar(
        select(Membership.cohort_id)
        .join(Cohort, Cohort.id == Membership.cohort_id)
        .where(
            Membership.course_id == course_id,
            Membership.person_id == person_id,
            Cohort.status.in_(CURRENT),
        )
    )
    if cohort_id is not None:
        refresh_report(session, course_id, now, changed=[cohort_id])


def update_profile(
    session: Session, course_id: int, person_id: int, *, now: datetime, **fields: Any
) -> Profile:
    """Save a learner's profile; the shared hours and offers of their cohort are counted again."""
    profile = profiles.save_profile(session, course_id, person_id, now=now, **fields)
    refresh_cohort_of(session, course_id, person_id, now)
    return profile


def update_settings(
    session: Session, course_id: int, now: datetime, **values: Any
) -> FormationSettings:
    """Save formation settings; the stored report follows (every cohort's score, if weights
    changed, since each score weighs picks, hours and offers by them)."""
    row = get_settings(session, course_id)
    weights = (row.weight_preference, row.weight_availability, row.weight_complement)
    row = save_settings(session, course_id, **values)
    if session.get(FormationReport, course_id) is not None:
        same = weights == (row.weight_preference, row.weight_availability, row.weight_complement)
        refresh_report(session, course_id, now, changed=() if same else None)
    return row
