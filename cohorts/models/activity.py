"""What learners do in the course, kept as plain events, a weekly rollup and staff follow-ups."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

ACTIVITY_KINDS = (
    "launch",
    "cohort_view",
    "post",
    "pick",
    "profile",
    "offer",
    "ask",
    "claim",
    "answer",
    "give",
    "receive",
    "thank",
)
ALERT_KINDS = ("lonely", "quiet_cohort", "never_launched", "inactive", "falling")
ALERT_ACTIONS = ("contacted", "dismissed")
_KIND_LIST = ", ".join(f"'{k}'" for k in ACTIVITY_KINDS)


class ActivityEvent(Base):
    """One thing a person did, append-only: who, where, what kind and when; nothing more."""

    __tablename__ = "activity_event"
    __table_args__ = (
        CheckConstraint(f"kind IN ({_KIND_LIST})", name="kind_known"),
        Index("ix_activity_event_course_id_person_id_day", "course_id", "person_id", "day"),
        Index("ix_activity_event_cohort_id_day", "cohort_id", "day"),
        Index("ix_activity_event_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: The person's published cohort at the time, if any.
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Days since 1970-01-01 (UTC), so weeks and gaps are integer arithmetic on every database.
    day: Mapped[int] = mapped_column(Integer)


class ActivityWeek(Base):
    """A person's counts for one week of one course, upserted with every event."""

    __tablename__ = "activity_week"
    __table_args__ = (
        UniqueConstraint("course_id", "person_id", "week"),
        # Learners active per week counted from the index alone (the staff Persistence page).
        Index("ix_activity_week_course_id_week_person_id", "course_id", "week", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: Monday-based weeks since 1970 (week 0 starts on Monday 1969-12-29).
    week: Mapped[int] = mapped_column(Integer)
    events: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    cohort_actions: Mapped[int] = mapped_column(Integer, default=0)
    gifts_given: Mapped[int] = mapped_column(Integer, default=0)
    gifts_received: Mapped[int] = mapped_column(Integer, default=0)
    asks_answered: Mapped[int] = mapped_column(Integer, default=0)
    #: The latest day with activity in this week.
    last_day: Mapped[int] = mapped_column(Integer)


class ActivityLearner(Base):
    """A person's whole activity in one course, rebuilt from their weeks with every event.

    One row per learner lets staff pages read 10,000 learners without aggregating their weeks.
    """

    __tablename__ = "activity_learner"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    first_week: Mapped[int] = mapped_column(Integer)
    last_week: Mapped[int] = mapped_column(Integer)
    last_day: Mapped[int] = mapped_column(Integer)
    active_weeks: Mapped[int] = mapped_column(Integer)
    #: Consecutive active weeks ending with ``last_week``.
    run_weeks: Mapped[int] = mapped_column(Integer)
    #: Gifts given plus gifts received.
    gifts: Mapped[int] = mapped_column(Integer)
    cohort_actions: Mapped[int] = mapped_column(Integer)
    #: Events in the learner's first two weeks (from ``first_week``).
    early_events: Mapped[int] = mapped_column(Integer)


class ActivitySettings(Base):
    """How a course weighs the engagement signals and when a learner counts as inactive."""

    __tablename__ = "activity_settings"
    __table_args__ = (
        UniqueConstraint("course_id"),
        CheckConstraint("inactive_days BETWEEN 3 AND 60", name="inactive_range"),
        CheckConstraint(
            "weight_sessions BETWEEN 0 AND 3 AND weight_cohort BETWEEN 0 AND 3 "
            "AND weight_given BETWEEN 0 AND 3 AND weight_received BETWEEN 0 AND 3 "
            "AND weight_answered BETWEEN 0 AND 3",
            name="weights_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    weight_sessions: Mapped[float] = mapped_column(Float, default=1.0)
    weight_cohort: Mapped[float] = mapped_column(Float, default=1.0)
    weight_given: Mapped[float] = mapped_column(Float, default=1.0)
    weight_received: Mapped[float] = mapped_column(Float, default=1.0)
    weight_answered: Mapped[float] = mapped_column(Float, default=1.0)
    inactive_days: Mapped[int] = mapped_column(Integer, default=10)


class AlertAction(Base):
    """A staff member's answer to an alert: they contacted the learner, or dismissed it."""

    __tablename__ = "alert_action"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('lonely', 'quiet_cohort', 'never_launched', 'inactive', 'falling')",
            name="kind_known",
        ),
        CheckConstraint("action IN ('contacted', 'dismissed')", name="action_known"),
        Index("ix_alert_action_course_id_at", "course_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    #: The learner the alert is about, or null for a cohort alert.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
