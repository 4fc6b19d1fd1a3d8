"""The sandbox's roster service (NRPS): pages, a differences link, big rosters, removals.

Like real platforms, it answers in pages (``limit``, at most ``max_page`` members; 10 when
the tool does not ask) linked by ``Link: <...>; rel="next"``, and offers on the last page a
``rel="differences"`` link that returns only the members added or removed since.
``grow`` adds generated learners (a bench's 10,000-member course), ``remove`` takes someone
out of a course. State lives in this process, like the rest of the sandbox.
"""

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from .demo import LEARNER, USERS, DemoUser
from .profiles import Profile

DEFAULT_PAGE = 10


@dataclass
class RosterState:
    """Who is in each sandbox course beyond the demo people, and what changed when."""

    #: Largest page the service sends, whatever the tool asks for.
    max_page: int = 100
    generated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, set[str]] = field(default_factory=dict)
    #: (sequence number, context id, sub, "added" or "removed"), oldest first.
    log: list[tuple[int, str, str, str]] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: Each course's people, built once per change rather than once per page.
    _people: dict[str, list[DemoUser]] = field(default_factory=dict, repr=False)

    def grow(self, context_id: str, count: int) -> None:
        """Add ``count`` generated learners to a course."""
        with self._lock:
            first = self.generated.get(context_id, 0)
            self.generated[context_id] = first + count
            for i in range(first, first + count):
                self._note(context_id, generated_user(i).sub, "added")

    def remove(self, context_id: str, sub: str) -> None:
        """Take someone out of a course (the next full roster leaves them out)."""
        with self._lock:
            self.removed.setdefault(context_id, set()).add(sub)
            self._note(context_id, sub, "removed")

    def reset(self) -> None:
        with self._lock:
            self.generated.clear()
            self.removed.clear()
            self.log.clear()
            self._people.clear()

    def _note(self, context_id: str, sub: str, change: str) -> None:
        self.log.append((len(self.log) + 1, context_id, sub, change))
        self._people.pop(context_id, None)

    def people(self, context_id: str) -> list[DemoUser]:
        """Everyone in the course now, demo people first."""
        with self._lock:
            found = self._people.get(context_id)
            if found is None:
                gone = self.removed.get(context_id, set())
                count = self.generated.get(context_id, 0)
                generated = (generated_user(i) for i in range(count))
                found = [u for u in (*USERS.values(), *generated) if u.sub not in gone]
                self._people[context_id] = found
        return found

    @property
    def sequence(self) -> int:
        return len(self.log)


def generated_user(i: int) -> DemoUser:
    """The i-th generated learner of a big course."""
    return DemoUser(f"gen-{i + 1}", "Learner", f"No{i + 1}", LEARNER)


def entry(user: DemoUser, profile: Profile, status: str = "Active") -> dict[str, Any]:
    """One member as NRPS sends it; names and email only when the privacy level allows."""
    member: dict[str, Any] = {"status": status, "user_id": user.sub, "roles": list(user.roles)}
    if profile.privacy != "anonymous" and status != "Deleted":
        member.update(user.pii())
    return member


def _number(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() and len(value) < 7 else default


def page(
    state: RosterState, base: str, profile: Profile, args: dict[str, str]
) -> tuple[dict[str, Any], list[str]]:
    """One page of the roster (or the differences since ``since``) and its Link values."""
    context = {"id": profile.context_id, "label": profile.context_claim()["label"]}
    container = {"id": base, "context": context}
    differences = f'<{base}?{urlencode({"since": state.sequence})}>; rel="differences"'
    if "since" in args:
        since = _number(args.get("since"), 0)
        users = {u.sub: u for u in state.people(profile.context_id)}
        changes = [
            entry(users[sub], profile)
            if change == "added" and sub in users
            else {"status": "Deleted", "user_id": sub, "roles": []}
            for _, ctx, sub, change in state.log[since:]
            if ctx == profile.context_id
        ]
        return container | {"members": changes}, [differences]
    size = min(_number(args.get("limit"), DEFAULT_PAGE) or DEFAULT_PAGE, state.max_page)
    number = max(_number(args.get("page"), 1), 1)
    people = state.people(profile.context_id)
    chunk = people[(number - 1) * size : number * size]
    links = []
    if number * size < len(people):
        links.append(f'<{base}?{urlencode({"limit": size, "page": number + 1})}>; rel="next"')
    else:
        links.append(differences)
    return container | {"members": [entry(u, profile) for u in chunk]}, links
