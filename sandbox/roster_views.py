"""Sandbox pages that change a course's roster, as an LMS's enrolment screens do."""

from typing import Any

from flask import abort, redirect, request, url_for

from .views import bp, chosen_profile, platform

#: Generated learners one click may add (a bench adds more through ``RosterState.grow``).
GROW_MAX = 10_000


@bp.post("/roster/remove")
def roster_remove() -> Any:
    """Unenrol someone from the chosen course: the next roster sync leaves them out."""
    profile = chosen_profile()
    sub = request.form.get("user", "")
    if sub not in {u.sub for u in platform().roster.people(profile.context_id)}:
        abort(404)
    platform().roster.remove(profile.context_id, sub)
    return redirect(url_for("sandbox.course", profile=profile.name), 303)


@bp.post("/roster/grow")
def roster_grow() -> Any:
    """Enrol generated learners in the chosen course (they never launch)."""
    profile = chosen_profile()
    count = request.form.get("count", "")
    if not count.isdigit() or not 0 < int(count) <= GROW_MAX:
        abort(400)
    platform().roster.grow(profile.context_id, int(count))
    return redirect(url_for("sandbox.course", profile=profile.name), 303)
