"""Reading learners from CSV and writing formation results.

Shared by the command line and the web upload, so every problem is reported
as one message naming the line, before anything is written.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from cohorts.formation.values import WEEK_MINUTES, CohortState, Learner, Result, Settings
from cohorts.formation.words import quality_words, reason_words

REQUIRED = ("learner_id", "choices")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WINDOW = re.compile(r"^([a-z]+)\s+(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")
OUTPUT_COLUMNS = ("learner_id", "cohort_id", "challenge_id", "reason")


class FormationInputError(ValueError):
    """Bad learner data; the message names the source and line."""


def parse_learners_csv(
    source: str | bytes | os.PathLike[str], name: str | None = None
) -> list[Learner]:
    """Learners from a CSV path, CSV text or uploaded bytes.

    A str counts as a path only when it has no line break and names an existing
    file; anything else is parsed as CSV text.
    """
    text, label = _read(source, name)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [cell.strip().lower() for cell in next(reader)]
    except StopIteration:
        raise FormationInputError(f"{label} line 1: the file is empty") from None
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise FormationInputError(
            f"{label} line 1: header lacks required column {', '.join(missing)}"
        )
    columns = {column: header.index(column) for column in dict.fromkeys(header)}
    learners: list[Learner] = []
    first_line: dict[str, int] = {}
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            try:
                learner = _learner(row, columns)
            except ValueError as error:
                raise FormationInputError(f"{label} line {line}: {error}") from None
            if learner.learner_id in first_line:
                raise FormationInputError(
                    f"{label} line {line}: learner_id {learner.learner_id!r} already used "
                    f"on line {first_line[learner.learner_id]}"
                )
            first_line[learner.learner_id] = line
            learners.append(learner)
    except csv.Error as error:
        raise FormationInputError(f"{label} line {reader.line_num}: {error}") from None
    return learners


def _read(source: str | bytes | os.PathLike[str], name: str | None) -> tuple[str, str]:
    if isinstance(source, bytes):
        return _decode(source, name or "uploaded CSV"), name or "uploaded CSV"
    is_path = isinstance(source, os.PathLike) or ("\n" not in source and os.path.isfile(source))
    if not is_path:
        return str(source), name or "learners CSV"
    label = name or os.path.basename(os.fspath(source))
    try:
        data = Path(source).read_bytes()
    except OSError as error:
        raise FormationInputError(f"{label}: cannot read file ({error.strerror})") from None
    return _decode(data, label), label


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormationInputError(f"{label}: the file is not UTF-8 text") from None


def _cell(row: Sequence[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    return row[index].strip() if index is not None and index < len(row) else ""


def _learner(row: Sequence[str], columns: dict[str, int]) -> Learner:
    learner_id = _cell(row, columns, "learner_id")
    if not learner_id:
        raise ValueError("learner_id is empty")
    choices = tuple(dict.fromkeys(_items(_cell(row, columns, "choices"), lower=False)))
    return Learner(
        learner_id=learner_id,
        choices=choices,
        utc_offset=_offset(_cell(row, columns, "utc_offset")),
        availability=tuple(sorted(_window(w) for w in _items(_cell(row, columns, "availability")))),
        offers=frozenset(_items(_cell(row, columns, "offers"))),
        needs=frozenset(_items(_cell(row, columns, "needs"))),
    )


def _items(cell: str, lower: bool = True) -> list[str]:
    parts = (part.strip() for part in cell.split(";"))
    return [part.lower() if lower else part for part in parts if part]


def _offset(cell: str) -> float | None:
    if not cell:
        return None
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not -12 <= value <= 14:
        raise ValueError(f'utc_offset "{cell}" is not a number of hours between -12 and 14')
    return value


def _window(text: str) -> tuple[int, int]:
    """A "mon 18:00-20:00" window as minutes from Monday 00:00 UTC."""
    match = WINDOW.match(text)
    problem = f'availability "{text}" is not a time window like "mon 18:00-20:00"'
    if match is None:
        raise ValueError(problem)
    day_name, h1, m1, h2, m2 = match.groups()
    day = DAYS.index(day_name) if day_name in DAYS else -1
    if day < 0 and day_name in FULL_DAYS:
        day = FULL_DAYS.index(day_name)
    start, end = _minute(h1, m1), _minute(h2, m2)
    if day < 0 or start is None or end is None or start >= 24 * 60:
        raise ValueError(problem)
    if end <= start:
        raise ValueError(f'availability "{text}" must end after it starts')
    base = day * 24 * 60
    return base + start, min(base + end, WEEK_MINUTES)


def _minute(hours: str, minutes: str) -> int | None:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m):
        return None
    return h * 60 + m


def write_outputs_atomically(
    result: Result, settings: Settings, out_path: Path, report_path: Path, report_text: str
) -> None:
    """Write both files via temp files and os.replace so readers never see half a file."""
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(OUTPUT_COLUMNS)
    for cohort in result.cohorts:
        for learner_id in cohort.members:
            writer.writerow((learner_id, cohort.cohort_id, cohort.challenge_id, ""))
    for item in result.unplaced:
        writer.writerow((item.learner_id, "", "", reason_words(item, settings)))
    staged: list[str] = []
    try:
        staged.append(_stage(out_path, rows.getvalue()))
        staged.append(_stage(report_path, report_text))
    except BaseException:
        for temp in staged:
            os.unlink(temp)
        raise
    for temp, final in zip(staged, (out_path, report_path), strict=True):
        os.replace(temp, final)


def _stage(path: Path, text: str) -> str:
    directory = os.path.dirname(os.path.abspath(path))
    handle, temp = tempfile.mkstemp(prefix=".tmp-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
    except BaseException:
        os.unlink(temp)
        raise
    return temp


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m cohorts.formation", description="Form cohorts from a learners CSV."
    )
    parser.add_argument("learners", type=Path, help="CSV with learner_id,choices,...")
    parser.add_argument("--target", type=int, default=5)
    parser.add_argument("--min", dest="minimum", type=int, default=3)
    parser.add_argument("--max", dest="maximum", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--seconds",
        type=float,
        default=60.0,
        help="time budget for the exact solver (default 60)",
    )
    parser.add_argument("--out", type=Path, required=True, help="cohorts CSV to write")
    parser.add_argument("--report", type=Path, required=True, help="report JSON to write")
    return parser.parse_args(argv)


def run_command_line(
    argv: Sequence[str] | None,
    form: Callable[[Sequence[Learner], Settings, Sequence[CohortState], float], Result],
) -> int:
    """Parse, form and write; every input problem is reported before any file is written."""
    args = _arguments(argv)
    try:
        settings = Settings(
            target=args.target, minimum=args.minimum, maximum=args.maximum, seed=args.seed
        )
        learners = parse_learners_csv(args.learners)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result = form(learners, settings, (), args.seconds)
    report = result.report.as_dict()
    report["quality"] = quality_words(report)
    report_text = json.dumps(report, indent=2) + "\n"
    write_outputs_atomically(result, settings, args.out, args.report, report_text)
    return 0
