"""What forming cohorts leaves behind: the stored quality report and the runs that form."""

from datetime import datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, UTCDateTime, utcnow

RUN_STATUSES = ("queued", "running", "done", "failed")
ACTIVE_RUN = "status IN ('queued', 'running')"


class FormationReport(Base):
    """The quality report on a course's current draft and published cohorts.

    Recomputed whenever the cohorts change, so the staff page reads one row
    instead of recomputing the report over the whole course on every view.
    """

    __tablename__ = "formation_report"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    #: JSON figures of `cohorts.formation.values.Report` on the stored cohorts.
    report: Mapped[str] = mapped_column(Text, default="{}")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CohortQuality(Base):
    """One cohort's share of the stored report, so a change to one cohort recomputes one row.

    The course's report is then a handful of SQL aggregates over these rows.
    """

    __tablename__ = "cohort_quality"

    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohort.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    members: Mapped[int] = mapped_column(Integer, default=0)
    overlap_hours: Mapped[float] = mapped_column(Float, default=0.0)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    #: Members whose first choice is the cohort's challenge, and who picked it at all.
    first: Mapped[int] = mapped_column(Integer, default=0)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    #: Sum of the members' ranks of the cohort's challenge (1 for a first choice).
    rank: Mapped[int] = mapped_column(Integer, default=0)


class FormationRun(Base):
    """One request to form a course's cohorts, run by a background worker.

    At most one run per course is queued or running (a partial unique index), so
    two staff pressing "Form" at once start one formation, not two.
    """

    __tablename__ = "formation_run"
    __table_args__ = (
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_known"),
        Index(
            "uq_formation_run_active",
            "course_id",
            unique=True,
            postgresql_where=text(ACTIVE_RUN),
            sqlite_where=text(ACTIVE_RUN),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="queued")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Draft cohorts the run formed.
    formed: Mapped[int] = mapped_column(Integer, default=0)
    #: What staff read when the run failed.
    message: Mapped[str] = mapped_column(Text, default="")
