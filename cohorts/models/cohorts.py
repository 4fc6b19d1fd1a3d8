"""Challenges learners share, their picks and profiles, and the cohorts formed around them."""

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow
from .people import Person

CHALLENGE_STATUSES = ("active", "proposed", "archived")
COHORT_STATUSES = ("draft", "published", "archived")


class Challenge(Base):
    """Something several learners of a course face (or want to seize) together."""

    __tablename__ = "challenge"
    __table_args__ = (
        CheckConstraint("kind IN ('challenge', 'opportunity')", name="kind_known"),
        CheckConstraint("status IN ('active', 'proposed', 'archived')", name="status_known"),
        Index("ix_challenge_course_id_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(16), default="challenge")
    status: Mapped[str] = mapped_column(String(16), default="active")
    #: The learner who suggested it; null for challenges written by staff.
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    proposed_by: Mapped[Person | None] = relationship()


class Choice(Base):
    """One ranked pick of a challenge by a learner."""

    __tablename__ = "choice"
    __table_args__ = (
        UniqueConstraint("course_id", "person_id", "rank"),
        UniqueConstraint("course_id", "person_id", "challenge_id"),
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank_range"),
        Index("ix_choice_challenge_id_rank", "challenge_id", "rank"),
        Index("ix_choice_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    rank: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Profile(Base):
    """What a learner tells us to help forming: time zone, free hours, offers and needs."""

    __tablename__ = "profile"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: IANA time zone name such as ``Europe/Lisbon``; null when the learner did not say.
    time_zone: Mapped[str | None] = mapped_column(String(64))
    #: Day parts in the learner's local time, comma separated keys such as ``mon-evening``.
    availability: Mapped[str] = mapped_column(Text, default="")
    #: Normalised lowercase tags, comma separated.
    offers: Mapped[str] = mapped_column(Text, default="")
    needs: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class FormationSettings(Base):
    """How a course wants its cohorts formed, and what members may see of each other."""

    __tablename__ = "formation_settings"
    __table_args__ = (
        UniqueConstraint("course_id"),
        CheckConstraint(
            "2 <= minimum AND minimum <= target AND target <= maximum", name="sizes_ordered"
        ),
        CheckConstraint(
            "weight_preference BETWEEN 0 AND 3 AND weight_availability BETWEEN 0 AND 3 "
            "AND weight_complement BETWEEN 0 AND 3",
            name="weights_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    target: Mapped[int] = mapped_column(Integer, default=5)
    minimum: Mapped[int] = mapped_column(Integer, default=3)
    maximum: Mapped[int] = mapped_column(Integer, default=8)
    weight_preference: Mapped[float] = mapped_column(Float, default=1.0)
    weight_availability: Mapped[float] = mapped_column(Float, default=1.0)
    weight_complement: Mapped[float] = mapped_column(Float, default=1.0)
    #: Members see each other's email only when this is on and the platform sent one.
    show_emails: Mapped[bool] = mapped_column(Boolean, default=False)
    seed: Mapped[int] = mapped_column(Integer, default=1)
    #: JSON object person id -> why the last formation left them out: a reason code,
    #: the challenge it concerns and how many chose it (older rows hold a sentence).
    left_out: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON report of the last formation: method, placed, total rank and proven bounds.
    quality: Mapped[str] = mapped_column(Text, default="{}")


class Cohort(Base):
    """A small group of learners sharing one challenge; drafts are visible to staff only."""

    __tablename__ = "cohort"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status_known"),
        UniqueConstraint("id", "course_id"),
        Index("ix_cohort_course_id_status", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenge.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="draft")
    #: Locked cohorts are kept exactly as they are when staff re-form the rest.
    locked: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Staff chose not to merge this cohort although it is below the minimum size.
    merge_dismissed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    challenge: Mapped[Challenge] = relationship()


class Membership(Base):
    """A learner's place in a cohort; at most one per course, whatever the cohort's status."""

    __tablename__ = "membership"
    __table_args__ = (
        UniqueConstraint("course_id", "person_id"),
        # The composite key keeps a membership's course equal to its cohort's course.
        ForeignKeyConstraint(
            ["cohort_id", "course_id"], ["cohort.id", "cohort.course_id"], ondelete="CASCADE"
        ),
        Index("ix_membership_cohort_id", "cohort_id"),
        Index("ix_membership_person_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    person: Mapped[Person] = relationship()


class Post(Base):
    """A message on a cohort's board; replies point at their parent."""

    __tablename__ = "post"
    __table_args__ = (
        CheckConstraint("length(body) BETWEEN 1 AND 2000", name="body_length"),
        UniqueConstraint("id", "cohort_id"),
        # A reply lives on its parent's board, never on another cohort's.
        ForeignKeyConstraint(
            ["parent_id", "cohort_id"], ["post.id", "post.cohort_id"], ondelete="CASCADE"
        ),
        Index("ix_post_cohort_id_created_at", "cohort_id", "created_at"),
        Index("ix_post_author_id", "author_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohort.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Person | None] = relationship()
