"""Write helpers every service shares: one-statement upserts and savepoint races."""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from types import MappingProxyType
from typing import Any, TypeVar

from sqlalchemy import CursorResult, Executable, Select, Table, bindparam, case, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cohorts.errors import DomainError
from cohorts.models import Base

T = TypeVar("T")

_INSERTS = {"postgresql": pg_insert, "sqlite": sqlite_insert}


def conflict_insert(dialect: str) -> Any:
    """The dialect's INSERT, the one that takes ON CONFLICT (PostgreSQL and SQLite)."""
    if dialect not in _INSERTS:
        raise NotImplementedError(f"upsert needs ON CONFLICT support, not {dialect}")
    return _INSERTS[dialect]


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
    columns = keys + keep + replace + add + widest
    statement = conflict_insert(dialect)(table).values({c: bindparam(c) for c in columns})
    changes = {name: func.coalesce(statement.excluded[name], table.c[name]) for name in keep}
    changes.update({name: statement.excluded[name] for name in replace})
    changes.update({name: table.c[name] + statement.excluded[name] for name in add})
    for name in widest:  # the value furthest from zero wins; CASE works on both dialects
        new, old = statement.excluded[name], table.c[name]
        changes[name] = case((func.abs(new) > func.abs(func.coalesce(old, 0)), new), else_=old)
    statement = statement.on_conflict_do_update(index_elements=list(keys), set_=changes)
    return statement.returning(table.c.id)


def upsert_id(
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


def core_rows(session: Session, statement: Executable, params: Mapping[str, Any]) -> CursorResult:
    """Run a prebuilt statement of plain columns on the session's connection.

    Pending changes are flushed first, as the ORM's own queries would; the ORM's result
    machinery, which plain columns do not need, costs more than the query.
    """
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement, params)


@contextmanager
def unique_or(session: Session, error: DomainError) -> Iterator[None]:
    """Run writes in a savepoint; a broken unique rule means someone else got there first."""
    try:
        with session.begin_nested():
            yield
    except IntegrityError as broken:
        raise error from broken


def get_or_create(session: Session, query: Select[tuple[T]], make: Callable[[], T]) -> T:
    """Return the row ``query`` finds, or add ``make()``; a concurrent insert wins the race."""
    row = session.scalars(query).one_or_none()
    if row is not None:
        return row
    row = make()
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        row = session.scalars(query).one()
    return row
