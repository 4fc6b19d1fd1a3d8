"""Roster syncs with the platform (NRPS) and the cohort places that ended with them."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

SYNC_TRIGGERS = ("staff", "daily", "command")
SYNC_STATUSES = ("running", "done", "failed")


class RosterSync(Base):
    """One roster sync of a course: when, why, what it changed, or why it failed."""

    __tablename__ = "roster_sync"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'done', 'failed')", name="status_known"),
        Index("ix_roster_sync_course_started", "course_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    #: ``staff`` (the Sync roster button), ``daily`` or ``command`` (flask roster sync).
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Members the platform listed (all of them, or the changes when it sent differences).
    listed: Mapped[int] = mapped_column(Integer, default=0)
    added: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    inactive: Mapped[int] = mapped_column(Integer, default=0)
    #: Whether the platform sent only the differences since the previous sync.
    differences: Mapped[bool] = mapped_column(default=False)
    #: Why it failed, in words staff can act on.
    error: Mapped[str | None] = mapped_column(Text)


class MembershipEnd(Base):
    """A cohort place that ended because its member left the course; the history is kept."""

    __tablename__ = "membership_end"
    __table_args__ = (Index("ix_membership_end_course_person", "course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: ``left_course``: the platform's roster no longer lists them.
    reason: Mapped[str] = mapped_column(String(32))
