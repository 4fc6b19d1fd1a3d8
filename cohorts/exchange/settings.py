"""The course's exchange settings and the posting rate they set."""

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cohorts.courses import lock_enrolment
from cohorts.db import get_or_create
from cohorts.errors import DomainError
from cohorts.exchange import rules
from cohorts.limits import REPORT_THRESHOLD, WEEKLY_CAP
from cohorts.models import (
    Cohort,
    ExchangeMessage,
    ExchangeSettings,
    Gift,
    Post,
)


def exchange_settings(session: Session, course_id: int) -> ExchangeSettings:
    """Return the course's exchange settings, creating the defaults on first use."""
    return get_or_create(
        session,
        select(ExchangeSettings).where(ExchangeSettings.course_id == course_id),
        lambda: ExchangeSettings(
            course_id=course_id,
            course_wide=False,
            weekly_cap=10,
            report_threshold=2,
            post_limit=20,
            post_window_minutes=10,
        ),
    )


def save_exchange_settings(
    session: Session, course_id: int, *, course_wide: bool, weekly_cap: int, report_threshold: int
) -> ExchangeSettings:
    """Store the course's exchange settings once they are in range."""
    if weekly_cap not in WEEKLY_CAP:
        raise DomainError(f"The weekly cap goes from {WEEKLY_CAP.low} to {WEEKLY_CAP.high}.")
    if report_threshold not in REPORT_THRESHOLD:
        low, high = REPORT_THRESHOLD.low, REPORT_THRESHOLD.high
        raise DomainError(f"Reports needed to hide go from {low} to {high}.")
    row = exchange_settings(session, course_id)
    row.course_wide, row.weekly_cap, row.report_threshold = (
        course_wide,
        weekly_cap,
        report_threshold,
    )
    session.flush()
    return row


def check_post_rate(
    session: Session, course_id: int, person_id: int, settings: ExchangeSettings, now: datetime
) -> None:
    """Refuse posting when the person posted too often lately (offers, asks, board and
    exchange messages together), counted in the database."""
    lock_enrolment(session, course_id, person_id)
    since = now - timedelta(minutes=settings.post_window_minutes)
    gifts = (
        session.scalar(
            select(func.count(Gift.id)).where(
                Gift.author_id == person_id, Gift.course_id == course_id, Gift.created_at >= since
            )
        )
        or 0
    )
    posts = (
        session.scalar(
            select(func.count(Post.id))
            .join(Cohort, Cohort.id == Post.cohort_id)
            .where(
                Post.author_id == person_id, Cohort.course_id == course_id, Post.created_at >= since
            )
        )
        or 0
    )
    messages = (
        session.scalar(
            select(func.count(ExchangeMessage.id)).where(
                ExchangeMessage.author_id == person_id,
                ExchangeMessage.course_id == course_id,
                ExchangeMessage.created_at >= since,
            )
        )
        or 0
    )
    rules.check_rate(gifts + posts + messages, settings.post_limit, settings.post_window_minutes)
