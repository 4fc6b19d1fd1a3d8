"""Courses, people and their enrolments, as the platforms describe them at launch."""

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow

ROLES = ("staff", "learner", "guest")


class Course(Base):
    """An LMS context of one registration; context ids are unique only within a deployment.

    Keyed by the registration (issuer + client id), so a second client registered for the same
    issuer, whoever controls its keys, can never reach the first client's courses.
    """

    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("issuer", "client_id", "deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    deployment_id: Mapped[str] = mapped_column(String(255))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    label: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: The roster service (NRPS ``context_memberships_url``) the latest launch offered.
    nrps_url: Mapped[str | None] = mapped_column(String(1024))
    #: Its ``service_versions``, space separated (``2.0``).
    nrps_versions: Mapped[str | None] = mapped_column(String(64))
    #: The ``differences`` link the last roster sync was offered, for the next one.
    roster_differences_url: Mapped[str | None] = mapped_column(String(2048))


class Person(Base):
    """Someone known to a registration; ``sub`` is stable per issuer, trusted per client id."""

    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("issuer", "client_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    #: Names and email only when the platform's privacy settings send them.
    name: Mapped[str | None] = mapped_column(String(255))
    given_name: Mapped[str | None] = mapped_column(String(255))
    family_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    #: The LMS login (Moodle username, Canvas login id), which group imports match on.
    username: Mapped[str | None] = mapped_column(String(255))
    #: The name a person chose in Communitas when their LMS sent none (anonymous privacy).
    chosen_name: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def display_name(self) -> str:
        """Return the best name we have, never an empty string: the LMS's, else the chosen one."""
        return display_name_of(
            self.id, self.name, self.given_name, self.family_name, self.chosen_name
        )

    @property
    def lms_named(self) -> bool:
        """Whether the platform sent a name; only people without one may choose theirs."""
        return bool(self.name or self.given_name or self.family_name)


def display_name_of(
    person_id: int,
    name: str | None,
    given_name: str | None,
    family_name: str | None,
    chosen_name: str | None = None,
) -> str:
    """The best name for a person from their columns, for queries that load no Person."""
    full = " ".join(p for p in (given_name, family_name) if p)
    return name or full or chosen_name or f"Participant {person_id}"


class Enrolment(Base):
    """A person's role in a course, refreshed at every launch."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("course_id", "person_id"),
        CheckConstraint("role IN ('staff', 'learner', 'guest')", name="role_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))
    #: The role URIs as the platform sent them, space separated, for support questions.
    lti_roles: Mapped[str] = mapped_column(Text, default="")
    #: None for someone the roster lists who never opened Communitas.
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    #: False once the platform's roster stops listing them (kept, never deleted); a launch
    #: or a later roster that lists them again makes them active again.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship()


class ResourceLink(Base):
    """A placement of Communitas inside a course."""

    __tablename__ = "resource_link"
    __table_args__ = (UniqueConstraint("course_id", "link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    #: The grades service (AGS endpoint claim) the latest launch of this link offered.
    ags_lineitems_url: Mapped[str | None] = mapped_column(String(1024))
    ags_lineitem_url: Mapped[str | None] = mapped_column(String(1024))
    #: The AGS scopes granted, space separated.
    ags_scopes: Mapped[str | None] = mapped_column(Text)
