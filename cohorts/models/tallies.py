"""Figures kept up to date as things happen, so staff pages of a big course need not recount."""

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ExchangeTally(Base):
    """How many finished exchanges a person gave and received in a course.

    Moved by one atomic upsert whenever an exchange enters a finished status, so the staff
    page finds one-sided people without grouping the course's exchanges.
    """

    __tablename__ = "exchange_tally"
    __table_args__ = (
        CheckConstraint("gave >= 0 AND received >= 0", name="counts_positive"),
        # Only people on one side: the staff exchange page reads just these.
        Index(
            "ix_exchange_tally_one_sided",
            "course_id",
            sqlite_where=text("(gave > 0) <> (received > 0)"),
            postgresql_where=text("(gave > 0) <> (received > 0)"),
        ),
    )

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    gave: Mapped[int] = mapped_column(Integer, default=0)
    received: Mapped[int] = mapped_column(Integer, default=0)
