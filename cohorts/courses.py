"""A launch's course, person, enrolment and resource link, kept up to date by each launch."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import String, and_, bindparam, exists, or_, select, update
from sqlalchemy.orm import Session

from cohorts.activity.events import record_activity
from cohorts.db import core_rows, upsert_id
from cohorts.models import Course, Enrolment, Person, ResourceLink


@dataclass(frozen=True, slots=True)
class LaunchFacts:
    """What a validated launch tells us, as plain values."""

    issuer: str
    #: The registration's client id: with the issuer, it scopes every course and person.
    client_id: str
    deployment_id: str
    context_id: str
    sub: str
    role: str
    lti_roles: tuple[str, ...] = ()
    context_title: str | None = None
    context_label: str | None = None
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    #: The LMS login (Moodle username, Canvas login id) when the platform sends it.
    username: str | None = None
    resource_link_id: str | None = None
    resource_link_title: str | None = None
    #: The roster service (NRPS) and its versions, when the launch offers it.
    nrps_url: str | None = None
    nrps_versions: tuple[str, ...] = ()
    #: The grades service (AGS) of the resource link, when the launch offers it.
    ags_lineitems_url: str | None = None
    ags_lineitem_url: str | None = None
    ags_scopes: tuple[str, ...] = ()


class Enrolled(NamedTuple):
    """The enrolment a launch refreshed, with its course and person."""

    enrolment_id: int
    course_id: int
    person_id: int


def record_person(session: Session, facts: LaunchFacts) -> int:
    """Upsert the person a launch names, with what the platform sent about them."""
    return upsert_id(
        session,
        Person,
        {"issuer": facts.issuer, "client_id": facts.client_id, "sub": facts.sub},
        {
            "name": facts.name,
            "given_name": facts.given_name,
            "family_name": facts.family_name,
            "email": facts.email,
            "username": facts.username,
        },
    )


PERSON_FIELDS = ("name", "given_name", "family_name", "email", "username")


#: Resource link columns a launch's AGS claim may change.
AGS_FIELDS = ("ags_lineitems_url", "ags_lineitem_url", "ags_scopes")


def _same(column: Any, name: str) -> Any:
    """The stored value already says what the launch says (a value not sent changes nothing)."""
    sent = bindparam(name, type_=String)
    return or_(sent.is_(None), column == sent)


def _relaunch(link: bool) -> Any:
    """One UPDATE for a launch that changes nothing but the enrolment, as most launches do."""
    where = [
        Enrolment.course_id == Course.id,
        Enrolment.person_id == Person.id,
        *(getattr(Course, c) == bindparam(c) for c in ("issuer", "client_id")),
        *(getattr(Course, c) == bindparam(c) for c in ("deployment_id", "context_id")),
        Person.issuer == bindparam("issuer"),
        Person.client_id == bindparam("client_id"),
        Person.sub == bindparam("sub"),
        _same(Course.title, "title"),
        _same(Course.label, "label"),
        _same(Course.nrps_url, "nrps_url"),
        _same(Course.nrps_versions, "nrps_versions"),
        *(_same(getattr(Person, c), c) for c in PERSON_FIELDS),
    ]
    if link:
        where.append(
            exists().where(
                ResourceLink.course_id == Course.id,
                ResourceLink.link_id == bindparam("link_id"),
                _same(ResourceLink.title, "link_title"),
                *(_same(getattr(ResourceLink, c), c) for c in AGS_FIELDS),
            )
        )
    return (
        update(Enrolment)
        .where(and_(*where))
        .values(
            role=bindparam("new_role"),
            lti_roles=bindparam("new_lti_roles"),
            last_launch_at=bindparam("launched_at"),
            active=True,  # a launch brings back someone the roster had marked gone
            left_at=None,
        )
        .returning(Enrolment.id, Enrolment.course_id, Enrolment.person_id)
    )


#: Built once each: with a resource link, and without.
_RELAUNCH = {True: _relaunch(True), False: _relaunch(False)}


def _relaunched(session: Session, facts: LaunchFacts, now: datetime) -> Enrolled | None:
    """Refresh the enrolment of a launch that changes nothing else; None when it does."""
    params = {
        "issuer": facts.issuer,
        "client_id": facts.client_id,
        "deployment_id": facts.deployment_id,
        "context_id": facts.context_id,
        "sub": facts.sub,
        "title": facts.context_title,
        "label": facts.context_label,
        **{c: getattr(facts, c) for c in PERSON_FIELDS},
        "link_id": facts.resource_link_id,
        "link_title": facts.resource_link_title,
        "nrps_url": facts.nrps_url,
        "nrps_versions": " ".join(facts.nrps_versions) or None,
        "ags_lineitems_url": facts.ags_lineitems_url,
        "ags_lineitem_url": facts.ags_lineitem_url,
        "ags_scopes": " ".join(facts.ags_scopes) or None,
        "new_role": facts.role,
        "new_lti_roles": " ".join(facts.lti_roles),
        "launched_at": now,
    }
    row = core_rows(session, _RELAUNCH[bool(facts.resource_link_id)], params).first()
    return Enrolled(row[0], row[1], row[2]) if row is not None else None


def record_launch(session: Session, facts: LaunchFacts, now: datetime) -> Enrolled:
    """Upsert course, person, enrolment and resource link for one launch.

    A launch that changes nothing but the enrolment (the usual return visit) is one UPDATE;
    any other runs the four upserts.
    """
    enrolled = _relaunched(session, facts, now) or _upserted(session, facts, now)
    if facts.role == "learner":
        record_activity(session, enrolled.course_id, enrolled.person_id, "launch", now)
    return enrolled


def _upserted(session: Session, facts: LaunchFacts, now: datetime) -> Enrolled:
    course_id = upsert_id(
        session,
        Course,
        {
            "issuer": facts.issuer,
            "client_id": facts.client_id,
            "deployment_id": facts.deployment_id,
            "context_id": facts.context_id,
        },
        {
            "title": facts.context_title,
            "label": facts.context_label,
            "nrps_url": facts.nrps_url,
            "nrps_versions": " ".join(facts.nrps_versions) or None,
        },
    )
    person_id = record_person(session, facts)
    enrolment_id = upsert_id(
        session,
        Enrolment,
        {"course_id": course_id, "person_id": person_id},
        {},
        # A launch proves they are in the course: someone the roster had dropped is back.
        {
            "role": facts.role,
            "lti_roles": " ".join(facts.lti_roles),
            "last_launch_at": now,
            "active": True,
            "left_at": None,
        },
    )
    if facts.resource_link_id:
        upsert_id(
            session,
            ResourceLink,
            {"course_id": course_id, "link_id": facts.resource_link_id},
            {
                "title": facts.resource_link_title,
                "ags_lineitems_url": facts.ags_lineitems_url,
                "ags_lineitem_url": facts.ags_lineitem_url,
                "ags_scopes": " ".join(facts.ags_scopes) or None,
            },
        )
    return Enrolled(enrolment_id, course_id, person_id)


def lock_enrolment(session: Session, course_id: int, person_id: int) -> None:
    """Make one person's capped writes in a course run one at a time (a row lock until commit).

    Counting rows and then inserting is only safe when no other request of the same person
    counts in between; SQLite serialises writers anyway and ignores the lock.
    """
    session.execute(
        select(Enrolment.id)
        .where(Enrolment.course_id == course_id, Enrolment.person_id == person_id)
        .with_for_update()
    )
