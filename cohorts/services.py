"""Use cases on a SQLAlchemy session: they flush, never commit."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Base, Course, Enrolment, Person, ResourceLink

M = TypeVar("M", bound=Base)


@dataclass(frozen=True, slots=True)
class LaunchFacts:
    """What a validated launch tells us, as plain values."""

    issuer: str
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
    resource_link_id: str | None = None
    resource_link_title: str | None = None


def _upsert(
    session: Session, model: type[M], keys: Mapping[str, Any], values: Mapping[str, Any]
) -> M:
    """Find the row by its natural key or create it; concurrent creators both end well."""
    query = select(model).filter_by(**keys)
    row = session.scalars(query).one_or_none()
    if row is None:
        try:
            with session.begin_nested():
                row = model(**keys, **values)
                session.add(row)
        except IntegrityError:
            row = session.scalars(query).one()
        else:
            return row
    for name, value in values.items():
        if value is not None and getattr(row, name) != value:
            setattr(row, name, value)
    return row


def record_launch(session: Session, facts: LaunchFacts, now: datetime) -> Enrolment:
    """Upsert course, person, enrolment and resource link for one launch."""
    course = _upsert(
        session,
        Course,
        {"issuer": facts.issuer, "deployment_id": facts.deployment_id,
         "context_id": facts.context_id},
        {"title": facts.context_title, "label": facts.context_label},
    )
    person = _upsert(
        session,
        Person,
        {"issuer": facts.issuer, "sub": facts.sub},
        {"name": facts.name, "given_name": facts.given_name,
         "family_name": facts.family_name, "email": facts.email},
    )
    session.flush()
    enrolment = _upsert(
        session,
        Enrolment,
        {"course_id": course.id, "person_id": person.id},
        {"role": facts.role, "lti_roles": " ".join(facts.lti_roles), "last_launch_at": now},
    )
    if facts.resource_link_id:
        _upsert(
            session,
            ResourceLink,
            {"course_id": course.id, "link_id": facts.resource_link_id},
            {"title": facts.resource_link_title},
        )
    session.flush()
    return enrolment
