"""Weekly hours a group shares, said on the reader's own clocks.

Free hours are kept as weekly UTC minute windows (from Monday 00:00 UTC, as formation uses
them); a reader in Lisbon and one in Bogotá see the same hour as their own local times.
"""

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cohorts import timezones

WEEK = 7 * 24 * 60


def _joined(windows: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Windows in order, with one running past Sunday midnight UTC joined back together."""
    ordered = sorted(windows)
    if len(ordered) > 1 and ordered[0][0] == 0 and ordered[-1][1] == WEEK:
        first, last = ordered[0], ordered[-1]
        ordered = [*ordered[1:-1], (last[0], first[1] + WEEK)]
    return ordered


def local_windows(
    windows: Sequence[tuple[int, int]], zone: str | None, at: datetime
) -> list[tuple[datetime, datetime]]:
    """Each UTC window of ``at``'s week as local start and end times in ``zone``, by
    local day and hour."""
    utc = at.astimezone(UTC)
    monday = (utc - timedelta(days=utc.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    spans = [
        (
            timezones.local(monday + timedelta(minutes=start), zone),
            timezones.local(monday + timedelta(minutes=end), zone),
        )
        for start, end in _joined(windows)
    ]
    return sorted(spans, key=lambda span: (span[0].weekday(), span[0].time()))


def span_words(start: datetime, end: datetime) -> str:
    """ "Mon 18:00–22:00", or "Sun 23:00–Mon 01:00" across midnight."""
    if end.date() == start.date():
        return f"{start:%a %H:%M}–{end:%H:%M}"
    if end.time().hour == 0 and end.time().minute == 0 and end - start <= timedelta(days=1):
        return f"{start:%a %H:%M}–24:00"
    return f"{start:%a %H:%M}–{end:%a %H:%M}"


def free_together(
    windows: Sequence[tuple[int, int]],
    sharing: int,
    members: int,
    zone: str | None,
    at: datetime,
) -> tuple[str, ...]:
    """Say when a group is free together on the reader's clocks, or plainly that it is not
    (yet), with what to do next."""
    missing = members - sharing
    later = (
        f" {missing} of you {'has' if missing == 1 else 'have'} not said when they are free yet."
        if missing > 0
        else ""
    )
    if sharing < 2:
        return (
            "We cannot find an hour you are all free yet: fewer than two of you have said when "
            "you are free. Add your free times to your profile and ask the others to do the same.",
        )
    if not windows:
        return (
            f"There is no hour in the week when all {sharing} of you who gave your hours are free "
            "together. Add more free times to your profile, or agree on a time on the board."
            + later,
        )
    spans = ", ".join(span_words(a, b) for a, b in local_windows(windows, zone, at))
    clock = (
        f"your time, {zone.replace('_', ' ')}"
        if zone
        else "UTC; add your time zone to see your own"
    )
    hours = sum(end - start for start, end in windows) / 60
    return (
        f"All {sharing} of you who gave your hours are free together {hours:g} hours a week: "
        f"{spans} ({clock}).{later}",
    )
