"""The peer gift exchange: offers and asks, who took them up, edits, reports and notices."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cohorts.limits import MESSAGE_BODY_MAX, REPORT_CATEGORIES, THANKS_NOTE_MAX

from .base import Base, UTCDateTime, utcnow
from .people import Person

EXCHANGE_STATUSES = ("claimed", "given", "received", "thanked", "withdrawn")
NOTICE_KINDS = ("claimed", "answered", "given", "thanked", "moderated", "message")
#: What members may report and staff may hide.
TARGET_TYPES = ("gift", "post", "message")
_TARGETS = "target_type IN ('gift', 'post', 'message')"
_ASKED = text("direction = 'ask' AND first_taken_at IS NOT NULL")
_ANSWERED = {"sqlite_where": _ASKED, "postgresql_where": _ASKED}


class ExchangeSettings(Base):
    """How a course runs its exchange: who sees what, weekly caps, report and posting limits."""

    __tablename__ = "exchange_settings"
    __table_args__ = (
        UniqueConstraint("course_id"),
        CheckConstraint("weekly_cap BETWEEN 1 AND 100", name="cap_range"),
        CheckConstraint("report_threshold BETWEEN 1 AND 20", name="threshold_range"),
        CheckConstraint(
            "post_limit BETWEEN 1 AND 500 AND post_window_minutes BETWEEN 1 AND 1440",
            name="rate_range",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    #: Learners may offer and ask to the whole course, not only their cohort.
    course_wide: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Most claims and answers one person may make in an ISO week.
    weekly_cap: Mapped[int] = mapped_column(Integer, default=10)
    #: Distinct members whose reports hide an item until staff decide.
    report_threshold: Mapped[int] = mapped_column(Integer, default=2)
    post_limit: Mapped[int] = mapped_column(Integer, default=20)
    post_window_minutes: Mapped[int] = mapped_column(Integer, default=10)


class Gift(Base):
    """An offer of help, or an ask for it, made by a cohort member."""

    __tablename__ = "gift"
    __table_args__ = (
        CheckConstraint("direction IN ('offer', 'ask')", name="direction_known"),
        CheckConstraint(
            "kind IN ('feedback', 'explanation', 'resource', 'encouragement', 'practice', 'other')",
            name="kind_known",
        ),
        CheckConstraint("scope IN ('cohort', 'course')", name="scope_known"),
        CheckConstraint("status IN ('open', 'withdrawn')", name="status_known"),
        CheckConstraint(
            "length(title) BETWEEN 3 AND 120 AND length(body) <= 4000", name="text_length"
        ),
        # Two members can never both take the last place: the counter cannot pass capacity.
        CheckConstraint(
            "taken >= 0 AND (capacity IS NULL OR taken <= capacity)", name="taken_within_capacity"
        ),
        CheckConstraint("capacity IS NULL OR capacity BETWEEN 1 AND 50", name="capacity_range"),
        CheckConstraint("direction = 'offer' OR capacity = 1", name="ask_has_one_helper"),
        UniqueConstraint("id", "course_id"),
        ForeignKeyConstraint(
            ["cohort_id", "course_id"], ["cohort.id", "cohort.course_id"], ondelete="CASCADE"
        ),
        # Open asks nobody took, the oldest first, and how many: read from this index alone.
        Index(
            "ix_gift_course_id_direction_status_taken",
            "course_id",
            "direction",
            "status",
            "taken",
            "created_at",
            "id",
        ),
        # The median time to answer an ask, read from this index alone.
        Index("ix_gift_answered_asks", "course_id", "created_at", "first_taken_at", **_ANSWERED),
        Index("ix_gift_cohort_id", "cohort_id"),
        Index("ix_gift_author_id_created_at", "author_id", "created_at"),
        Index("ix_gift_course_id_created_at", "course_id", "created_at"),
        # The staff exchange page counts gifts by week and kind from this index alone.
        Index(
            "ix_gift_course_id_iso_week_direction_kind",
            "course_id",
            "iso_week",
            "direction",
            "kind",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    #: The author's cohort when they posted; course-wide gifts keep it for the flow picture.
    cohort_id: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text, default="")
    #: Normalised lowercase tags, comma separated.
    tags: Mapped[str] = mapped_column(Text, default="")
    #: Places on an offer (null: as many as like); always 1 for an ask.
    capacity: Mapped[int | None] = mapped_column(Integer)
    taken: Mapped[int] = mapped_column(Integer, default=0)
    #: End of an offer, or the date an ask needs help by.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Classmates see "a classmate"; staff still see who asked.
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(String(8), default="cohort")
    status: Mapped[str] = mapped_column(String(16), default="open")
    #: ISO week of creation such as ``2026-W10``, so reports group portably in SQL.
    iso_week: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Its exchanges' earliest ``claimed_at``, set with ``taken``: an ask's first answer.
    first_taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    author: Mapped[Person] = relationship()


class Exchange(Base):
    """One giver helping one receiver through a gift: claimed, given, received, thanked."""

    __tablename__ = "exchange"
    __table_args__ = (
        CheckConstraint("giver_id <> receiver_id", name="not_to_self"),
        CheckConstraint("seat >= 1", name="seat_positive"),
        CheckConstraint(
            "status IN ('claimed', 'given', 'received', 'thanked', 'withdrawn')",
            name="status_known",
        ),
        CheckConstraint(
            "helpfulness IS NULL OR helpfulness BETWEEN 1 AND 5", name="helpfulness_range"
        ),
        UniqueConstraint("gift_id", "seat"),
        UniqueConstraint("gift_id", "giver_id", "receiver_id"),
        ForeignKeyConstraint(
            ["gift_id", "course_id"], ["gift.id", "gift.course_id"], ondelete="CASCADE"
        ),
        Index("ix_exchange_course_id_claimed_by_id", "course_id", "claimed_by_id"),
        Index("ix_exchange_giver_id", "giver_id"),
        Index("ix_exchange_receiver_id", "receiver_id"),
        # Each ask's first answer (the median time to answer) read from the index alone.
        Index("ix_exchange_course_id_gift_id_claimed_at", "course_id", "gift_id", "claimed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(Integer)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    #: Which place on the gift this is (1..capacity), unique per gift.
    seat: Mapped[int] = mapped_column(Integer)
    giver_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: Who took the gift up (the receiver of an offer, the helper of an ask): counts to caps.
    claimed_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    thanks_note: Mapped[str | None] = mapped_column(String(THANKS_NOTE_MAX))
    #: 1-5, seen only by the two people and staff.
    helpfulness: Mapped[int | None] = mapped_column(Integer)
    #: When each side last opened the conversation: later messages of the other are unread.
    giver_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    receiver_read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    gift: Mapped[Gift] = relationship(viewonly=True)
    giver: Mapped[Person] = relationship(foreign_keys=[giver_id])
    receiver: Mapped[Person] = relationship(foreign_keys=[receiver_id])


class GiftEdit(Base):
    """What a gift said before an edit."""

    __tablename__ = "gift_edit"
    __table_args__ = (Index("ix_gift_edit_gift_id", "gift_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("gift.id", ondelete="CASCADE"))
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    previous_title: Mapped[str] = mapped_column(String(120))
    previous_body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Report(Base):
    """A member's report of a gift, ask or board post: what kind of problem, and details."""

    __tablename__ = "report"
    __table_args__ = (
        CheckConstraint(_TARGETS, name="target_known"),
        CheckConstraint(
            "category IN (" + ", ".join(f"'{c}'" for c in REPORT_CATEGORIES) + ")",
            name="category_known",
        ),
        UniqueConstraint("target_type", "target_id", "reporter_id"),
        #: One report per reporter per author per day counts toward hiding (NULLs are distinct).
        UniqueConstraint("reporter_id", "author_id", "counted_day"),
        Index("ix_report_course_id", "course_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    reporter_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: The reported item's author, so reports against one person are counted together.
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(16), default="other")
    #: The reporter's own words, for staff only: the author is told the category, never this.
    reason: Mapped[str] = mapped_column(String(300), default="")
    #: The UTC day this report counts toward hiding; null when the reporter had already
    #: reported this author that day (kept for staff, not counted).
    counted_day: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ModerationCase(Base):
    """Where a reported item stands: hidden for review, restored, or removed (kept, not shown)."""

    __tablename__ = "moderation_case"
    __table_args__ = (
        CheckConstraint(_TARGETS, name="target_known"),
        CheckConstraint("state IN ('open', 'hidden', 'restored', 'removed')", name="state_known"),
        UniqueConstraint("target_type", "target_id"),
        Index("ix_moderation_case_course_id_state", "course_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    target_type: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    #: open: reported, still shown; hidden: waiting for staff; removed: soft-deleted.
    state: Mapped[str] = mapped_column(String(16), default="open")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Notification(Base):
    """Something that happened to a person's gift, shown once in the app."""

    __tablename__ = "notification"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('claimed', 'answered', 'given', 'thanked', 'moderated', 'message')",
            name="kind_known",
        ),
        Index("ix_notification_person_id_course_id_read_at", "person_id", "course_id", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("gift.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ExchangeMessage(Base):
    """One message in the conversation between a giver and a receiver about their exchange."""

    __tablename__ = "exchange_message"
    __table_args__ = (
        CheckConstraint(f"length(body) BETWEEN 1 AND {MESSAGE_BODY_MAX}", name="body_length"),
        Index("ix_exchange_message_exchange_id_created_at", "exchange_id", "created_at"),
        Index("ix_exchange_message_author_id_created_at", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    exchange_id: Mapped[int] = mapped_column(ForeignKey("exchange.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    #: Markdown, rendered through the sanitising filter.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[Person] = relationship()
