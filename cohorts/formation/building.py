"""Cohorts under construction: each challenge's learners cut into even, time-sorted chunks."""

from __future__ import annotations

from collections.abc import Sequence

from cohorts.formation.values import CANNOT_SPLIT, WEEK_SLOTS, Member, Settings, Unplaced

DAY_SLOTS = WEEK_SLOTS // 7
ONE_DAY = (1 << DAY_SLOTS) - 1
FOUR_DAYS = (1 << (4 * DAY_SLOTS)) - 1


class Draft:
    """A cohort under construction; version invalidates stale heap entries."""

    __slots__ = (
        "cohort_id",
        "challenge",
        "members",
        "score",
        "hours",
        "row",
        "pos",
        "version",
        "open",
    )

    def __init__(self, challenge: str, members: list[Member], open_: bool = True) -> None:
        self.cohort_id = ""
        self.challenge = challenge
        self.members = members
        self.score = 0.0
        #: Common free hours when known; None once the members change.
        self.hours: float | None = None
        self.row: list[Draft] = []
        self.pos = 0
        self.version = 0
        self.open = open_


def formable(n: int, settings: Settings) -> bool:
    """Whether n learners can be cut into cohorts within the size bounds."""
    return n == 0 or -(-n // settings.maximum) <= n // settings.minimum


def order_key(m: Member) -> tuple[int, float, int, float]:
    """Sort key: learners free at the same UTC hours of day, then same offset, side by side."""
    return (*_hours_key(m.mask, m.offset), m.tiebreak)


def _hours_key(mask: int, offset: float | None) -> tuple[int, float, int]:
    day = mask | (mask >> (4 * DAY_SLOTS))
    day = (day | (day >> (2 * DAY_SLOTS))) & FOUR_DAYS
    day = (day | (day >> DAY_SLOTS)) & ONE_DAY
    return ((day & -day).bit_length(), offset if offset is not None else 100.0, mask)


class _Keys:
    """order_key as one float: the rank of (hours, offset) among all learners, plus the
    tiebreak; sorting floats is several times faster than sorting tuples of big ints.

    Ranks are looked up by each member's shared Timing (hashed by identity), so a
    million members cost a few thousand big-int hashes, not a million.
    """

    def __init__(self, groups: dict[str, list[Member]]) -> None:
        timings = {m.timing for members in groups.values() for m in members}
        pairs = {(t.mask, t.offset) for t in timings}
        ordered = sorted(pairs, key=lambda pair: _hours_key(*pair))
        rank = {pair: float(number) for number, pair in enumerate(ordered)}
        self.rank = {t: rank[t.mask, t.offset] for t in timings}

    def order(self, members: list[Member]) -> list[int]:
        """Positions of `members` sorted by order_key (a stable sort, as list.sort is);
        keys computed once, reading the members in the list's own order."""
        rank = self.rank
        keys = [rank[m.timing] + m.tiebreak for m in members]
        return sorted(range(len(keys)), key=keys.__getitem__)


def split_groups(
    groups: dict[str, list[Member]], settings: Settings
) -> tuple[list[Draft], list[tuple[Member, Unplaced]]]:
    """Cut each challenge group into k even, time-sorted chunks within the size bounds."""
    drafts: list[Draft] = []
    overflow: list[tuple[Member, Unplaced]] = []
    lo, hi = settings.minimum, settings.maximum
    key = _Keys(groups)
    for challenge in sorted(groups):
        members = groups[challenge]
        n = len(members)
        k_low, k_high = -(-n // hi), n // lo
        if k_low <= k_high:
            k = min(max(int(n / settings.target + 0.5), k_low), k_high)
        else:
            k = k_high
            members.sort(key=lambda m, c=challenge: (-m.choices.index(c), m.tiebreak))
            extra = n - k * hi
            overflow += [
                (m, Unplaced(m.learner_id, CANNOT_SPLIT, challenge, n)) for m in members[:extra]
            ]
            members = members[extra:]
        if k:
            drafts += chunk(challenge, members, k, key.order(members))
    return drafts, overflow


def chunk(
    challenge: str, members: list[Member], k: int, order: Sequence[int] | None = None
) -> list[Draft]:
    """Split into k consecutive chunks whose sizes differ by at most one.

    With `order`, the chunks follow those positions of `members`: each member is then
    read once, straight into its chunk, rather than once to reorder and again to cut.
    """
    size, extra = divmod(len(members), k)
    row: list[Draft] = []
    start = 0
    for pos in range(k):
        end = start + size + (pos < extra)
        if order is None:
            picked = members[start:end]
        else:
            picked = [members[i] for i in order[start:end]]
        draft = Draft(challenge, picked)
        draft.row, draft.pos = row, pos
        row.append(draft)
        start = end
    return row
