"""``python -m cohorts.formation LEARNERS.csv --out COHORTS.csv --report REPORT.json``."""

from collections.abc import Sequence

from cohorts.formation.exact import form_best
from cohorts.formation.learners_csv import run_command_line


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns 2 on bad input without writing anything."""
    return run_command_line(argv, form_best)


if __name__ == "__main__":
    raise SystemExit(main())
