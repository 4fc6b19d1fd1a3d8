"""Published cohorts as CSV files the LMS can import as groups."""

import csv
import io
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import select
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


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One member of one published cohort; ``login`` is None when the LMS never sent it."""

    group_name: str
    name: str
    login: str | None


def safe_cell(value: str) -> str:
    """Defuse spreadsheet formulas: a cell starting with = + - @ is read as text."""
    return "'" + value if value.startswith(FORMULA_START) else value


def export_rows(session: Session, course_id: int) -> list[ExportRow]:
    """Members of published cohorts with their LMS login (Moodle username, Canvas login id).

    Emails and platform user ids are not logins (Moodle's upload answers "does not exist"),
    so a member whose platform sent no login has none here.
    """
    rows = session.execute(
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
    ).all()
    return [
        ExportRow(group, display_name_of(pid, name, given, family, chosen), login)
        for group, pid, name, given, family, chosen, login in rows
    ]


def exportable(rows: list[ExportRow]) -> list[ExportRow]:
    """Rows an LMS can import; the others are listed on the export page instead."""
    return [row for row in rows if row.login]


def csv_lines(header: Sequence[str], lines: Iterable[Sequence[object]]) -> Iterator[str]:
    """Yield a CSV file line by line (so a response can stream it), formulas defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in itertools.chain([header], lines):
        writer.writerow([safe_cell(c) if isinstance(c, str) else c for c in line])
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def moodle_lines(session: Session, course_id: int) -> Iterator[str]:
    """Moodle "Upload users" file enrolling each member into a group named like the cohort."""
    course = session.get_one(Course, course_id)
    short = course.label or course.context_id
    rows = exportable(export_rows(session, course_id))
    return csv_lines(MOODLE_HEADER, [(r.login or "", short, r.group_name) for r in rows])


def canvas_lines(session: Session, course_id: int) -> Iterator[str]:
    """Canvas group category import file, identifying members by login id."""
    return csv_lines(
        CANVAS_HEADER,
        [
            (r.name, "", "", r.login or "", "", r.group_name, "", "")
            for r in exportable(export_rows(session, course_id))
        ],
    )


def moodle_csv(session: Session, course_id: int) -> str:
    """The Moodle file as one string."""
    return "".join(moodle_lines(session, course_id))


def canvas_csv(session: Session, course_id: int) -> str:
    """The Canvas file as one string."""
    return "".join(canvas_lines(session, course_id))
