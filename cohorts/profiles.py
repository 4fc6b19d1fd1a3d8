"""A learner's optional forming profile: time zone, free day parts, offers and needs."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts import timezones
from cohorts.activity.events import record_activity
from cohorts.db import upsert_id
from cohorts.errors import DomainError
from cohorts.limits import DISPLAY_NAME
from cohorts.models import Person, Profile

DAYS = (
    ("mon", "Mon"),
    ("tue", "Tue"),
    ("wed", "Wed"),
    ("thu", "Thu"),
    ("fri", "Fri"),
    ("sat", "Sat"),
    ("sun", "Sun"),
)
#: Local hours each day part stands for: (key, label, start hour, end hour).
PARTS = (
    ("morning", "morning", 8, 12),
    ("afternoon", "afternoon", 12, 17),
    ("evening", "evening", 18, 22),
)
DAY_PARTS = tuple(
    (f"{day}-{part}", f"{label} {part_label}")
    for day, label in DAYS
    for part, part_label, _, _ in PARTS
)
WEEK = 7 * 24 * 60
MAX_TAGS = 10
MAX_TAG_LENGTH = 30


@dataclass(frozen=True, slots=True)
class ProfileFacts:
    """A profile as plain values, ready for the formation code.

    ``utc_offset`` and ``windows`` are the zone's offset and the free hours in UTC for the
    week of the moment the facts were read, so daylight saving moves them with the clocks.
    """

    time_zone: str | None
    day_parts: tuple[str, ...]
    offers: frozenset[str]
    needs: frozenset[str]
    utc_offset: int | None = None
    windows: tuple[tuple[int, int], ...] = ()


def normalise_tags(text: str, what: str) -> tuple[str, ...]:
    """Split comma separated tags, lowercase and de-duplicate them; refuse too many or too long."""
    tags: list[str] = []
    for raw in text.split(","):
        tag = " ".join(raw.split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise DomainError(f"List at most {MAX_TAGS} {what}; you listed {len(tags)}.")
    long = [t for t in tags if len(t) > MAX_TAG_LENGTH]
    if long:
        raise DomainError(
            f"Keep each of your {what} under {MAX_TAG_LENGTH} characters: “{long[0]}” is longer."
        )
    return tuple(tags)


def availability_windows(
    day_parts: Iterable[str], zone: str | None, at: datetime
) -> tuple[tuple[int, int], ...]:
    """Turn local day parts of ``at``'s week into weekly UTC minute windows from Monday 00:00.

    The zone's rules for that week apply, so Lisbon's Monday evening is 18:00 UTC in winter
    and 17:00 UTC in summer; a window running past Sunday midnight UTC is split at week end.
    """
    hours = {part: (start, end) for part, _, start, end in PARTS}
    days = [day for day, _ in DAYS]
    monday = timezones.week_monday(at, zone)
    windows: list[tuple[int, int]] = []
    for key in day_parts:
        day, _, part = key.partition("-")
        if day not in days or part not in hours:
            continue
        start_hour, end_hour = hours[part]
        date = (monday.replace(tzinfo=None) + timedelta(days=days.index(day))).date()
        begin, finish = (
            datetime.combine(date, time(hour), monday.tzinfo).astimezone(UTC)
            for hour in (start_hour, end_hour)
        )
        start = begin.weekday() * 1440 + begin.hour * 60 + begin.minute
        end = start + int((finish - begin).total_seconds() // 60)
        if end <= WEEK:
            windows.append((start, end))
        else:
            windows += [(start, WEEK), (0, end - WEEK)]
    return tuple(sorted(windows))


def facts_of(profile: Profile | None, at: datetime) -> ProfileFacts:
    """Read a stored profile (or none) as plain values, its hours in UTC for ``at``'s week."""
    if profile is None:
        return ProfileFacts(None, (), frozenset(), frozenset())
    parts = tuple(p for p in profile.availability.split(",") if p)
    zone = profile.time_zone
    return ProfileFacts(
        zone,
        parts,
        frozenset(t for t in profile.offers.split(",") if t),
        frozenset(t for t in profile.needs.split(",") if t),
        timezones.offset_minutes(zone, at) if zone else None,
        availability_windows(parts, zone, at),
    )


def get_profile(session: Session, course_id: int, person_id: int) -> Profile | None:
    """Return the learner's profile in this course, if they wrote one."""
    return session.scalars(
        select(Profile).where(Profile.course_id == course_id, Profile.person_id == person_id)
    ).one_or_none()


def zone_of(session: Session, course_id: int, person_id: int) -> str | None:
    """The time zone the person named in this course, if any."""
    return session.scalar(
        select(Profile.time_zone).where(
            Profile.course_id == course_id, Profile.person_id == person_id
        )
    )


def save_profile(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    time_zone: str | None,
    day_parts: Sequence[str],
    offers: str,
    needs: str,
    now: datetime,
) -> Profile:
    """Create or replace the learner's profile after checking every part."""
    zone = timezones.check_zone(time_zone)
    known = {key for key, _ in DAY_PARTS}
    unknown = [p for p in day_parts if p not in known]
    if unknown:
        raise DomainError(f"“{unknown[0]}” is not a day part we know.")
    offer_tags = normalise_tags(offers, "offers")
    need_tags = normalise_tags(needs, "needs")
    profile_id = upsert_id(  # one statement: a double-submitted first save cannot collide
        session,
        Profile,
        {"course_id": course_id, "person_id": person_id},
        keep={},
        replace={
            "time_zone": zone,
            "availability": ",".join(k for k, _ in DAY_PARTS if k in set(day_parts)),
            "offers": ",".join(offer_tags),
            "needs": ",".join(need_tags),
            "updated_at": now,
        },
    )
    record_activity(session, course_id, person_id, "profile", now)
    return session.get_one(Profile, profile_id, populate_existing=True)


def choose_name(session: Session, person_id: int, name: str) -> Person:
    """Keep the name a person without an LMS name chose; classmates see it instead of a number."""
    person = session.get_one(Person, person_id)
    if person.lms_named:
        raise DomainError("Your name comes from your course site; change it there.")
    name = " ".join(name.split())
    if len(name) not in DISPLAY_NAME:
        raise DomainError(f"Choose a name of {DISPLAY_NAME.low} to {DISPLAY_NAME.high} characters.")
    if not any(ch.isalpha() for ch in name):
        raise DomainError("Use at least one letter in your name.")
    person.chosen_name = name
    session.flush()
    return person
