"""Compare a roster the platform sent with the enrolments we know: plain data in and out.

Names and emails count only when the platform sends them (Canvas's anonymous privacy level
sends none), so a roster without them never erases what a launch told us.
"""

from collections.abc import Iterable
from dataclasses import dataclass

#: NRPS member statuses; ``Deleted`` appears only in a differences answer.
ACTIVE, INACTIVE, DELETED = "Active", "Inactive", "Deleted"
PERSONAL = ("name", "given_name", "family_name", "email")


@dataclass(frozen=True, slots=True)
class Member:
    """One roster entry as the platform sent it, its roles already mapped."""

    sub: str
    role: str
    lti_roles: tuple[str, ...] = ()
    status: str = ACTIVE
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None

    @property
    def listed(self) -> bool:
        """Whether the roster says this person is in the course now."""
        return self.status == ACTIVE


@dataclass(frozen=True, slots=True)
class Known:
    """An enrolment we hold, with what we know of its person."""

    person_id: int
    sub: str
    role: str
    lti_roles: str
    active: bool
    launched: bool
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class RosterChanges:
    """What applying a roster changes; ``gone`` and ``changed`` name person ids."""

    new: tuple[Member, ...]
    changed: tuple[tuple[int, Member], ...]
    gone: tuple[int, ...]
    #: Listed members (old and new) who have never opened Communitas.
    never_launched: int
    listed: int


def differs(member: Member, known: Known) -> bool:
    """Tell whether the roster says something new about a known person."""
    if not known.active or member.role != known.role:
        return True
    if " ".join(member.lti_roles) != known.lti_roles:
        return True
    return any(
        getattr(member, f) is not None and getattr(member, f) != getattr(known, f) for f in PERSONAL
    )


def roster_changes(
    members: Iterable[Member], known: Iterable[Known], complete: bool
) -> RosterChanges:
    """Diff a roster against the known enrolments.

    ``complete`` is True for a full roster: anyone active it leaves out is gone. A
    differences answer (False) names only changes, so only ``Inactive``/``Deleted`` entries
    remove someone.
    """
    by_sub = {k.sub: k for k in known}
    latest: dict[str, Member] = {}
    for member in members:  # a person listed twice: the last entry wins
        latest[member.sub] = member
    new, changed, gone = [], [], []
    never = 0
    for sub, member in latest.items():
        known_one = by_sub.get(sub)
        if not member.listed:
            if known_one is not None and known_one.active:
                gone.append(known_one.person_id)
            continue
        if known_one is None:
            new.append(member)
            never += 1
            continue
        never += not known_one.launched
        if differs(member, known_one):
            changed.append((known_one.person_id, member))
    if complete:
        listed = {s for s, m in latest.items() if m.listed}
        gone += [k.person_id for k in by_sub.values() if k.active and k.sub not in listed]
    listed_count = sum(m.listed for m in latest.values())
    return RosterChanges(tuple(new), tuple(changed), tuple(sorted(set(gone))), never, listed_count)
