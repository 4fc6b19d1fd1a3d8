"""The formation command line and the CSV parser it shares with the web upload."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cohorts.formation.learners_csv import FormationInputError, parse_learners_csv

ROOT = Path(__file__).resolve().parents[2]
GOOD = """learner_id,choices,utc_offset,availability,offers,needs
a1,ethics;design,-5,mon 18:00-20:00;wed 19:00-21:00,SQL; writing,python
a2,ethics,-5,mon 18:00-20:00,python,
a3,ethics,-4,mon 18:30-20:00,,sql
a4,design;ethics,0,tue 09:00-11:00,,
a5,design,0,tue 09:00-11:00,,
a6,design,,,,
a7,,,,,
"""


def run_cli(tmp_path: Path, text: str, *extra: str) -> subprocess.CompletedProcess[str]:
    source = tmp_path / "learners.csv"
    source.write_text(text, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "cohorts.formation",
        str(source),
        "--out",
        str(tmp_path / "cohorts.csv"),
        "--report",
        str(tmp_path / "report.json"),
        *extra,
    ]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)


def test_the_cli_writes_cohorts_and_a_report(tmp_path):
    done = run_cli(tmp_path, GOOD, "--target", "3", "--min", "3", "--max", "4", "--seed", "2")
    assert done.returncode == 0, done.stderr
    with open(tmp_path / "cohorts.csv", newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert list(rows[0]) == ["learner_id", "cohort_id", "challenge_id", "reason"]
    assert sorted(row["learner_id"] for row in rows) == [f"a{i}" for i in range(1, 8)]
    unplaced = [row for row in rows if row["reason"]]
    assert [(r["learner_id"], r["cohort_id"], r["challenge_id"]) for r in unplaced] == [
        ("a7", "", "")
    ]
    assert {row["cohort_id"] for row in rows if not row["reason"]} == {"C0001", "C0002"}
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    for key in (
        "learners",
        "placed",
        "cohorts",
        "first_choice_share",
        "any_choice_share",
        "size_min",
        "size_max",
        "median_overlap_hours",
        "worst_cohort_score",
        "seconds",
    ):
        assert key in report
    assert (report["learners"], report["placed"], report["cohorts"]) == (7, 6, 2)


def test_a_file_with_only_the_required_columns_is_accepted(tmp_path):
    text = "learner_id,choices\n" + "".join(f"p{i},x\n" for i in range(6))
    done = run_cli(tmp_path, text)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "report.json").read_text())["cohorts"] == 1


@pytest.mark.parametrize(
    "bad_row, fragment",
    [
        ("b1,ethics,0,mon 25:00-26:00,,", 'availability "mon 25:00-26:00" is not a time window'),
        ("b1,ethics,0,mon 20:00-18:00,,", "must end after it starts"),
        ("b1,ethics,abc,,,", 'utc_offset "abc"'),
        ("b1,ethics,15,,,", "between -12 and 14"),
        (",ethics,0,,,", "learner_id is empty"),
        ("a1,ethics,0,,,", "already used on line 2"),
    ],
)
def test_a_malformed_row_exits_2_naming_the_line_and_writes_nothing(tmp_path, bad_row, fragment):
    lines = GOOD.splitlines()
    text = "\n".join(lines[:3] + [bad_row] + lines[3:]) + "\n"
    done = run_cli(tmp_path, text)
    assert done.returncode == 2
    assert "learners.csv line 4:" in done.stderr
    assert fragment in done.stderr
    assert not (tmp_path / "cohorts.csv").exists()
    assert not (tmp_path / "report.json").exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "learners.csv"]


def test_a_header_without_choices_is_rejected_on_line_one(tmp_path):
    done = run_cli(tmp_path, "learner_id,offers\nx,sql\n")
    assert done.returncode == 2
    assert "line 1" in done.stderr and "choices" in done.stderr


def test_an_unreadable_file_exits_2_without_output(tmp_path):
    command = [
        sys.executable,
        "-m",
        "cohorts.formation",
        str(tmp_path / "missing.csv"),
        "--out",
        str(tmp_path / "o.csv"),
        "--report",
        str(tmp_path / "r.json"),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "missing.csv" in done.stderr
    assert not list(tmp_path.iterdir())


def test_impossible_size_settings_exit_2(tmp_path):
    done = run_cli(tmp_path, GOOD, "--min", "6", "--target", "5")
    assert done.returncode == 2
    assert "minimum" in done.stderr


def test_the_parser_reads_uploaded_text_and_normalises_tags():
    learners = parse_learners_csv(GOOD)
    first = learners[0]
    assert first.choices == ("ethics", "design")
    assert first.utc_offset == -5.0
    assert first.availability == ((18 * 60, 20 * 60), (2 * 1440 + 19 * 60, 2 * 1440 + 21 * 60))
    assert first.offers == frozenset({"sql", "writing"})
    assert learners[5].utc_offset is None and learners[6].choices == ()


def test_the_parser_accepts_sunday_until_midnight_and_bytes_uploads():
    data = b"learner_id,choices,availability\nz,x,sun 22:00-24:00\n"
    (learner,) = parse_learners_csv(data, name="upload.csv")
    assert learner.availability == ((7 * 1440 - 120, 7 * 1440),)


def test_parser_errors_are_value_errors_naming_the_source_and_line():
    with pytest.raises(FormationInputError, match=r"upload\.csv line 3: utc_offset") as caught:
        parse_learners_csv("learner_id,choices,utc_offset\na,x,1\nb,x,oops\n", name="upload.csv")
    assert isinstance(caught.value, ValueError)
