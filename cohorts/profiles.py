"""A learner's optional forming profile: time zone, free day parts, offers and needs."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """A profile as plain values, ready for the formation code."""

    utc_offset: int | None
    day_parts: tuple[str, ...]
    offers: frozenset[str]
    needs: frozenset[str]

    @property
    def windows(self) -> tuple[tuple[int, int], ...]:
        return availability_windows(self.day_parts, self.utc_offset or 0)


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


def availability_windows(day_parts: Iterable[str], utc_offset: int) -> tuple[tuple[int, int], ...]:
    """Turn local day parts into weekly UTC minute windows from Monday 00:00, split at week end."""
    hours = {part: (start, end) for part, _, start, end in PARTS}
    days = [day for day, _ in DAYS]
    windows: list[tuple[int, int]] = []
    for key in day_parts:
        day, _, part = key.partition("-")
        if day not in days or part not in hours:
            continue
        start_hour, end_hour = hours[part]
        start = (days.index(day) * 1440 + start_hour * 60 - utc_offset) % WEEK
        end = start + (end_hour - start_hour) * 60
        if end <= WEEK:
            windows.append((start, end))
        else:
            windows += [(start, WEEK), (0, end - WEEK)]
    return tuple(sorted(windows))


def format_offset(minutes: int) -> str:
    """Show an offset the way people read it: UTC+05:30."""
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{rest:02d}"


def facts_of(profile: Profile | None) -> ProfileFacts:
    """Read a stored profile (or none) as plain values."""
    if profile is None:
        return ProfileFacts(None, (), frozenset(), frozenset())
    return ProfileFacts(
        profile.utc_offset,
        tuple(p for p in profile.availability.split(",") if p),
        frozenset(t for t in profile.offers.split(",") if t),
        frozenset(t for t in profile.needs.split(",") if t),
    )


def get_profile(session: Session, course_id: int, person_id: int) -> Profile | None:
    """Return the learner's profile in this course, if they wrote one."""
    return session.scalars(
        select(Profile).where(Profile.course_id == course_id, Profile.person_id == person_id)
    ).one_or_none()


def save_profile(
    session: Session,
    course_id: int,
    person_id: int,
    *,
    utc_offset: int | None,
    day_parts: Sequence[str],
    offers: str,
    needs: str,
    now: datetime,
) -> Profile:
    """Create or replace the learner's profile after checking every part."""
    if utc_offset is not None and not -720 <= utc_offset <= 840:
        raise DomainError("Choose a time zone between UTC−12:00 and UTC+14:00.")
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
            "utc_offset": utc_offset,
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
