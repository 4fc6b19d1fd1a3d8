"""The optional participation column: its rule per course, its line item, the score outbox."""

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

SCORE_STATUSES = ("pending", "sending", "sent", "failed", "superseded")


class GradeSettings(Base):
    """Whether a course sends participation scores, and the rule that makes them."""

    __tablename__ = "grade_settings"
    __table_args__ = (
        UniqueConstraint("course_id"),
        CheckConstraint("score_maximum BETWEEN 1 AND 1000", name="maximum_range"),
        CheckConstraint(
            "target_active_weeks BETWEEN 0 AND 100 AND target_cohort_actions BETWEEN 0 AND 100"
            " AND target_gifts_given BETWEEN 0 AND 100 AND target_gifts_received BETWEEN 0 AND 100"
            " AND target_asks_answered BETWEEN 0 AND 100",
            name="targets_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    score_maximum: Mapped[float] = mapped_column(Float, default=10.0)
    #: The count that earns a signal's full share; 0 leaves the signal out.
    target_active_weeks: Mapped[int] = mapped_column(Integer, default=6)
    target_cohort_actions: Mapped[int] = mapped_column(Integer, default=0)
    target_gifts_given: Mapped[int] = mapped_column(Integer, default=3)
    target_gifts_received: Mapped[int] = mapped_column(Integer, default=3)
    target_asks_answered: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When staff last asked to publish, and why that publication could not start, if so.
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    problem: Mapped[str | None] = mapped_column(Text)


class GradeLineItem(Base):
    """The gradebook column Communitas found (by tag) or created for one resource link."""

    __tablename__ = "grade_line_item"
    __table_args__ = (UniqueConstraint("course_id", "resource_link_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    #: The platform's resource link id the column belongs to.
    resource_link_id: Mapped[str] = mapped_column(String(255))
    tag: Mapped[str] = mapped_column(String(64))
    #: The line item's URL at the platform (its id); scores go to ``{url}/scores``.
    url: Mapped[str] = mapped_column(String(1024))
    score_maximum: Mapped[float] = mapped_column(Float)
    #: True when Communitas created it, false when it found one already there.
    created: Mapped[bool] = mapped_column(Boolean, default=False)
    found_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ScorePost(Base):
    """One score to send to the platform, and what became of it (the outbox)."""

    __tablename__ = "score_post"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed', 'superseded')",
            name="status_known",
        ),
        Index("ix_score_post_line_item_id_person_id", "line_item_id", "person_id"),
        Index("ix_score_post_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_score_post_course_id_status", "course_id", "status"),
        # At most one score waits per learner and column: a newer one replaces it.
        Index(
            "uq_score_post_waiting",
            "line_item_id",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    line_item_id: Mapped[int] = mapped_column(ForeignKey("grade_line_item.id", ondelete="CASCADE"))
    #: The platform's user id the score names (the person's ``sub``).
    user_id: Mapped[str] = mapped_column(String(255))
    score_given: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    #: The score's timestamp as sent: whole seconds, increasing per learner and column.
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When a pending score may be tried (again); for a sending one, when its lease ends.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer_status: Mapped[int | None] = mapped_column(Integer)
    #: The start of the platform's last answer, for support.
    answer_body: Mapped[str | None] = mapped_column(String(300))
    #: Why the last attempt did not succeed, in words staff can act on.
    reason: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
