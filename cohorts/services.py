"""Use cases on a SQLAlchemy session: they flush, never commit."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table, bindparam, case, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import Base, Course, Enrolment, Person, ResourceLink


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


_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


@lru_cache(maxsize=32)
def _upsert_statement(
    dialect: str,
    table: Table,
    keys: tuple[str, ...],
    keep: tuple[str, ...],
    replace: tuple[str, ...],
    add: tuple[str, ...] = (),
    widest: tuple[str, ...] = (),
) -> Any:
    """Build an INSERT .. ON CONFLICT DO UPDATE .. RETURNING id once per dialect and shape."""
    if dialect not in _INSERTS:
        raise NotImplementedError(f"record_launch needs ON CONFLICT support, not {dialect}")
    columns = keys + keep + replace + add + widest
    statement = _INSERTS[dialect](table).values({c: bindparam(c) for c in columns})
    changes = {name: func.coalesce(statement.excluded[name], table.c[name]) for name in keep}
    changes.update({name: statement.excluded[name] for name in replace})
    changes.update({name: table.c[name] + statement.excluded[name] for name in add})
    for name in widest:  # the value furthest from zero wins; CASE works on both dialects
        new, old = statement.excluded[name], table.c[name]
        changes[name] = case((func.abs(new) > func.abs(func.coalesce(old, 0)), new), else_=old)
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
    return statement.returning(table.c.id)


def _upsert_id(
    session: Session,
    model: type[Base],
    keys: Mapping[str, Any],
    keep: Mapping[str, Any],
    replace: Mapping[str, Any] = MappingProxyType({}),
    add: Mapping[str, Any] = MappingProxyType({}),
    widest: Mapping[str, Any] = MappingProxyType({}),
) -> int:
    """Insert or update one row by its natural key in a single statement; return its id.

    ``keep`` columns change only when the platform sends a value (privacy settings may
    withhold names on a later launch); ``replace`` columns always take the new value;
    ``add`` columns are counters increased by the value; ``widest`` columns keep the value
    furthest from zero.
    """
    connection = session.connection()
    statement = _upsert_statement(
        connection.dialect.name,
        model.__table__,
        tuple(keys),
        tuple(keep),
        tuple(replace),
        tuple(add),
        tuple(widest),
    )
    values = {**keys, **keep, **replace, **add, **widest}
    return connection.execute(statement, values).scalar_one()


def record_launch(session: Session, facts: LaunchFacts, now: datetime) -> int:
    """Upsert course, person, enrolment and resource link for one launch; return the enrolment."""
    course_id = _upsert_id(
        session,
        Course,
        {
            "issuer": facts.issuer,
            "deployment_id": facts.deployment_id,
            "context_id": facts.context_id,
        },
        {"title": facts.context_title, "label": facts.context_label},
    )
    person_id = _upsert_id(
        session,
        Person,
        {"issuer": facts.issuer, "sub": facts.sub},
        {
            "name": facts.name,
            "given_name": facts.given_name,
            "family_name": facts.family_name,
            "email": facts.email,
        },
    )
    enrolment_id = _upsert_id(
        session,
        Enrolment,
        {"course_id": course_id, "person_id": person_id},
        {},
        {"role": facts.role, "lti_roles": " ".join(facts.lti_roles), "last_launch_at": now},
    )
    if facts.resource_link_id:
        _upsert_id(
            session,
            ResourceLink,
            {"course_id": course_id, "link_id": facts.resource_link_id},
            {"title": facts.resource_link_title},
        )
    return enrolment_id
