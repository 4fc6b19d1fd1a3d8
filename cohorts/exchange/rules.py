"""Pure rules of the gift exchange: states, who may act, caps, matching and reciprocity."""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cohorts.errors import DomainError, Forbidden
from cohorts.exchange.tags import canonical_set
from cohorts.limits import PILE_ON_REPORTS, REPORTS_PER_DAY, REPORTS_PER_TEN_MINUTES

KIND_LABELS = {
    "feedback": "Feedback on work",
    "explanation": "Explanation",
    "resource": "Resource or link",
    "encouragement": "Encouragement",
    "practice": "Practice partner",
    "other": "Something else",
}
#: (current status, action) -> (who may do it, next status)
TRANSITIONS = {
    ("claimed", "give"): ("giver", "given"),
    ("given", "receive"): ("receiver", "received"),
    ("received", "thank"): ("receiver", "thanked"),
    ("claimed", "withdraw"): ("either", "withdrawn"),
}
DONE = ("given", "received", "thanked")


class GiftClosed(DomainError):
    """The gift was withdrawn, has ended, or has no place left."""

    status = 409


class GiftToSelf(DomainError):
    """Nobody claims, answers or thanks their own gift."""


class WeeklyCapReached(DomainError):
    """The person took up as many gifts this week as the course allows."""

    status = 429


class IllegalStep(DomainError):
    """This step does not follow from where the exchange is now."""

    status = 409


def gift_state(
    status: str, ends_at: datetime | None, taken: int, capacity: int | None, now: datetime
) -> str:
    """Return what a gift is now: open, full, withdrawn or expired."""
    if status == "withdrawn":
        return "withdrawn"
    if ends_at is not None and ends_at <= now:
        return "expired"
    if capacity is not None and taken >= capacity:
        return "full"
    return "open"


def check_take_up(actor_id: int, author_id: int, state: str, direction: str) -> None:
    """Refuse claiming an offer or answering an ask that is yours, closed or full."""
    if actor_id == author_id:
        raise GiftToSelf(
            "This is your own offer; others can claim it."
            if direction == "offer"
            else "This is your own ask; a classmate can answer it."
        )
    if state == "withdrawn":
        raise GiftClosed("This was withdrawn by its author.")
    if state == "expired":
        raise GiftClosed("This has ended; it can no longer be taken up.")
    if state == "full":
        raise GiftClosed(
            "Every place on this was just taken."
            if direction == "offer"
            else "Someone is already answering this ask."
        )


def next_status(status: str, action: str, role: str, gift_state_now: str) -> str:
    """Return the exchange's next status, or refuse a step that is illegal for this role."""
    rule = TRANSITIONS.get((status, action))
    if rule is None:
        raise IllegalStep(_illegal_message(status, action))
    who, target = rule
    if role not in ("giver", "receiver"):
        raise Forbidden("Only the two people in this exchange can do that.")
    if who != "either" and who != role:
        if action == "thank":
            raise GiftToSelf("You cannot thank yourself for your own gift.")
        raise IllegalStep(
            "Only the receiver can confirm receipt."
            if action == "receive"
            else "Only the giver can mark this as given."
        )
    if gift_state_now in ("withdrawn", "expired") and action == "give":
        raise GiftClosed(f"This gift was {gift_state_now}; nothing more can be marked on it.")
    return target


def _illegal_message(status: str, action: str) -> str:
    if status == "withdrawn":
        return "This exchange was withdrawn."
    if action == "thank" and status == "thanked":
        return "You already thanked them."
    if action == "thank":
        return "Confirm you received it before thanking."
    if action == "receive" and status == "claimed":
        return "It has not been marked as given yet."
    return "That step is already done."


def week_start(now: datetime) -> datetime:
    """Return Monday 00:00 of ``now``'s ISO week, in ``now``'s zone."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=now.weekday())


def iso_week(now: datetime) -> str:
    """Return the ISO week label, such as ``2026-W10``."""
    year, week, _ = now.isocalendar()
    return f"{year}-W{week:02d}"


def check_weekly_cap(taken_this_week: int, cap: int) -> None:
    """Refuse another claim or answer when the person reached the course's weekly cap."""
    if taken_this_week >= cap:
        raise WeeklyCapReached(
            f"You have taken up {taken_this_week} gifts this week, the most this course allows "
            f"({cap}). Thank you for being so active! You can take up more next week."
        )


def check_rate(recent_posts: int, limit: int, minutes: int) -> None:
    """Refuse a new post when the person posted ``limit`` times within the window."""
    if recent_posts >= limit:
        raise DomainError(
            f"You posted {recent_posts} times in the last {minutes} minutes. "
            "Please wait a little before posting again."
        )


def match_score(
    ask_tags: Iterable[str], offer_tags: Iterable[str], past_gift_tags: Iterable[str]
) -> int:
    """Score how well a member fits an ask: declared offers count double, past gifts once.

    Tags meet in their canonical form, so "stats" matches "statistics"."""
    wanted = canonical_set(ask_tags)
    return 2 * len(wanted & canonical_set(offer_tags)) + len(wanted & canonical_set(past_gift_tags))


def audience_tier(score: int, same_cohort: bool) -> int:
    """Order asks for a member: 0 matched, 1 their cohort, 2 the rest of the course."""
    if score > 0:
        return 0
    return 1 if same_cohort else 2


@dataclass(frozen=True, slots=True)
class Reciprocity:
    """Who in a group gave, received, both, only one, or neither."""

    both: frozenset[int]
    only_give: frozenset[int]
    only_take: frozenset[int]
    neither: frozenset[int]

    @property
    def share_both(self) -> float:
        total = len(self.both) + len(self.only_give) + len(self.only_take) + len(self.neither)
        return len(self.both) / total if total else 0.0


def reciprocity(members: Iterable[int], edges: Iterable[tuple[int, int]]) -> Reciprocity:
    """Sort members by whether they appear as giver and as receiver in completed edges."""
    people = set(members)
    edge_list = list(edges)
    gave = {g for g, _ in edge_list} & people
    got = {r for _, r in edge_list} & people
    return Reciprocity(
        frozenset(gave & got),
        frozenset(gave - got),
        frozenset(got - gave),
        frozenset(people - gave - got),
    )


def median(values: Sequence[float]) -> float | None:
    """Return the median, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


@dataclass(frozen=True, slots=True)
class Node:
    """A person placed on the gift picture."""

    person_id: int
    label: str
    x: float
    y: float


def circle_layout(
    people: Sequence[tuple[int, str]], size: float = 240, margin: float = 40
) -> list[Node]:
    """Place people evenly on a circle inside a ``size`` square, the first at the top."""
    if not people:
        return []
    centre = size / 2
    if len(people) == 1:
        return [Node(people[0][0], people[0][1], centre, centre)]
    radius = centre - margin
    nodes = []
    for index, (person_id, label) in enumerate(people):
        angle = -math.pi / 2 + 2 * math.pi * index / len(people)
        nodes.append(
            Node(
                person_id,
                label,
                round(centre + radius * math.cos(angle), 1),
                round(centre + radius * math.sin(angle), 1),
            )
        )
    return nodes


CATEGORY_LABELS = {
    "unkind": "Unkind or hurtful",
    "spam": "Spam or advertising",
    "private": "Shares someone's private information",
    "cheating": "Helps cheat on graded work",
    "off_topic": "Off topic",
    "other": "Something else",
}


def check_report_rate(last_ten_minutes: int, last_day: int) -> None:
    """Refuse a report past the per-person limits, so reports cannot flood staff or a person."""
    if last_ten_minutes >= REPORTS_PER_TEN_MINUTES or last_day >= REPORTS_PER_DAY:
        raise DomainError(
            "You have sent many reports lately. Staff are looking at them; "
            "please wait a while before reporting more."
        )


def is_pile_on(reports: int, reporters: int) -> bool:
    """Whether reports against one person look like a group singling them out."""
    return reporters >= 2 and reports >= PILE_ON_REPORTS


def should_hide(reported_by_staff: bool, distinct_reporters: int, threshold: int) -> bool:
    """Hide reported content at once for staff, or when enough distinct members reported it."""
    return reported_by_staff or distinct_reporters >= threshold


def hides_asker(
    anonymous: bool, asker_id: int, named_id: int, viewer_id: int, staff: bool = False
) -> bool:
    """Whether naming ``named_id`` to ``viewer_id`` would reveal an anonymous asker.

    The asker sees themselves and staff see everyone; every classmate, the helper included,
    reads "a classmate" instead.
    """
    return anonymous and named_id == asker_id and viewer_id != asker_id and not staff
