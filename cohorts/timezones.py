"""Named IANA time zones: which to offer, how to check one, and local times in a zone.

Learners name the zone of the place they live (``Europe/Lisbon``), not an offset: an offset
is right for half the year only where clocks change, and a zone carries its daylight-saving
rules, so the same "Monday evening" lands on the right UTC hours in summer and in winter.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from cohorts.errors import DomainError

#: Regions whose zones name a city; the rest of the database is aliases and legacy names.
REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """The zones a learner chooses from: every city zone, then UTC."""
    cities = sorted(z for z in available_timezones() if z.split("/", 1)[0] in REGIONS)
    return (*cities, "UTC")


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check_zone(name: str | None) -> str | None:
    """Return a known zone name (or None for "not said"); refuse anything else."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    try:
        known = name in available_timezones() and _zone(name) is not None
    except (ZoneInfoNotFoundError, ValueError):
        known = False
    if not known:
        raise DomainError(f"“{name[:64]}” is not a time zone we know. Choose one from the list.")
    return name


def offset_minutes(zone: str | None, at: datetime) -> int:
    """Minutes east of UTC in ``zone`` at the moment ``at`` (0 when no zone is known)."""
    if not zone:
        return 0
    offset = at.astimezone(_zone(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def format_offset(minutes: int) -> str:
    """Show an offset the way people read it: UTC+05:30."""
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def is_fixed(zone: str) -> bool:
    """Whether the zone is a bare offset with no daylight-saving rules (``Etc/GMT-1``)."""
    return zone == "UTC" or zone.startswith("Etc/")


def zone_label(zone: str, at: datetime) -> str:
    """Name a zone with its offset now: "Europe/Lisbon (UTC+01:00 now)"."""
    offset = format_offset(offset_minutes(zone, at))
    if zone == "UTC":
        return "UTC"
    if is_fixed(zone):
        return f"{offset}, all year (no summer time)"
    return f"{zone.replace('_', ' ')} ({offset} now)"


def local(moment: datetime, zone: str | None) -> datetime:
    """The same moment on the clocks of ``zone`` (UTC when none is known)."""
    return moment.astimezone(_zone(zone) if zone else UTC)


def show(moment: datetime, zone: str | None, pattern: str = "%d %b %H:%M") -> str:
    """Format a moment in the reader's zone, saying which zone when it is not their own."""
    text = local(moment, zone).strftime(pattern)
    return text if zone else f"{text} UTC"


def week_monday(at: datetime, zone: str | None) -> datetime:
    """Monday 00:00 of ``at``'s week on the clocks of ``zone``, as an aware local time."""
    here = local(at, zone)
    midnight = here.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    monday = midnight - timedelta(days=here.weekday())
    return monday.replace(tzinfo=_zone(zone) if zone else UTC)
