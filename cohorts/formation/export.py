"""Published cohorts as CSV files the LMS can import as groups."""

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from cohorts.models import Cohort, Course, Membership, Person
from cohorts.models.people import display_name_of

MOODLE_HEADER = ("username", "course1", "group1")
CANVAS_HEADER = (
    "name",
    "canvas_user_id",
    "user_id",
    "login_id",
    "sections",
    "group_name",
    "canvas_group_id",
    "group_id",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_START)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One member of one published cohort; ``login`` is None when the LMS never sent it."""

    group_name: str
    name: str
    login: str | None


def safe_cell(value: str) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value[:1] in _FORMULA_FIRST else value


def _rows_query(course_id: int) -> Any:
    return (
        select(
            Cohort.name,
            Person.id,
            Person.name,
            Person.given_name,
            Person.family_name,
            Person.chosen_name,
            Person.username,
        )
        .join(Membership, Membership.cohort_id == Cohort.id)
        .join(Person, Person.id == Membership.person_id)
        .where(Cohort.course_id == course_id, Cohort.status == "published")
        .order_by(Cohort.name, Cohort.id, Person.id)
    )


def _row(group: str, pid: int, *names: Any) -> ExportRow:
    """An export row from a row of the query: cohort, person id, four names and the login."""
    *shown, login = names
    return ExportRow(group, display_name_of(pid, *shown), login)


#: No login known: the LMS never sent one (or sent an empty one).
_NO_LOGIN = or_(Person.username.is_(None), Person.username == "")


def export_rows(session: Session, course_id: int) -> list[ExportRow]:
    """Members of published cohorts with their LMS login (Moodle username, Canvas login id).

    Emails and platform user ids are not logins (Moodle's upload answers "does not exist"),
    so a member whose platform sent no login has none here.
    """
    return [_row(*r) for r in session.execute(_rows_query(course_id))]


@dataclass(frozen=True, slots=True)
class Preview:
    """The export page: the first members, the first without a login, and how many of each."""

    rows: list[ExportRow]
    total: int
    missing: list[ExportRow]
    missing_total: int


def preview(session: Session, course_id: int, limit: int) -> Preview:
    """Count the members and those without a login in SQL; build only the rows shown."""
    query = _rows_query(course_id)
    total, missing_total = session.execute(
        select(func.count(), func.coalesce(func.sum(case((_NO_LOGIN, 1), else_=0)), 0))
        .select_from(Cohort)
        .join(Membership, Membership.cohort_id == Cohort.id)
        .join(Person, Person.id == Membership.person_id)
        .where(Cohort.course_id == course_id, Cohort.status == "published")
    ).one()
    rows = [_row(*r) for r in session.execute(query.limit(limit))]
    missing = [_row(*r) for r in session.execute(query.where(_NO_LOGIN).limit(limit))]
    return Preview(rows, int(total), missing, int(missing_total))


def exportable(rows: list[ExportRow]) -> list[ExportRow]:
    """Rows an LMS can import; the others are listed on the export page instead."""
    return [row for row in rows if row.login]


def _exportable(session: Session, course_id: int) -> Iterator[ExportRow]:
    """Rows an LMS can import, fetched in chunks as a download streams them."""
    query = _rows_query(course_id).where(~_NO_LOGIN)
    for r in session.execute(query, execution_options={"yield_per": CHUNK}):
        yield _row(*r)


#: Lines written, and rows fetched, at a time when a file streams out.
CHUNK = 500


def csv_lines(header: Sequence[str], lines: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield a CSV file a few hundred lines at a time (so a response can stream it, without
    a write and a yield per line), formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in header])
    rows = iter(lines)
    while True:
        chunk = [  # safe_cell inlined, same test: a big table has tens of thousands of cells
            ["'" + c if isinstance(c, str) and c[:1] in _FORMULA_FIRST else c for c in line]
            for line in itertools.islice(rows, CHUNK)
        ]
        if chunk:
            writer.writerows(chunk)
        text = out.getvalue()
        if text:
            yield text
            out.seek(0)
            out.truncate()
        if len(chunk) < CHUNK:
            return


def moodle_lines(session: Session, course_id: int) -> Iterator[str]:
    """Moodle "Upload users" file enrolling each member into a group named like the cohort."""
    course = session.get_one(Course, course_id)
    short = course.label or course.context_id
    rows = _exportable(session, course_id)
    return csv_lines(MOODLE_HEADER, ((r.login or "", short, r.group_name) for r in rows))


def canvas_lines(session: Session, course_id: int) -> Iterator[str]:
    """Canvas group category import file, identifying members by login id."""
    return csv_lines(
        CANVAS_HEADER,
        (
            (r.name, "", "", r.login or "", "", r.group_name, "", "")
            for r in _exportable(session, course_id)
        ),
    )


def moodle_csv(session: Session, course_id: int) -> str:
    """The Moodle file as one string."""
    return "".join(moodle_lines(session, course_id))


def canvas_csv(session: Session, course_id: int) -> str:
    """The Canvas file as one string."""
    return "".join(canvas_lines(session, course_id))
