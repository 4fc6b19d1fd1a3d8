"""Who is making this request: the launch-bound session, resolved once per request."""

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, session
from sqlalchemy import select

from cohorts.models import Course, Enrolment, Person

from .extensions import db

SESSION_KEY = "launch"
SESSION_SECONDS = 3 * 3600
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class Viewer:
    """The person, course and role behind a request."""

    enrolment_id: int
    person_id: int
    course_id: int
    role: str
    display_name: str
    course_title: str
    is_platform_admin: bool

    @property
    def is_staff(self) -> bool:
        return self.role == "staff"

    @property
    def read_only(self) -> bool:
        return self.role == "guest"


def start_session(enrolment_id: int, is_platform_admin: bool, **extra: Any) -> None:
    """Bind this browser to one launch; a new launch replaces the old binding."""
    session.clear()
    # Forms check CSRF against this value, so it must travel inside the launch token too.
    session["csrf_token"] = secrets.token_hex(20)
    session[SESSION_KEY] = {
        "e": enrolment_id,
        "t": int(time.time()),
        "adm": is_platform_admin,
        **extra,
    }
    session.permanent = False


def launch_data() -> dict[str, Any]:
    """Return the raw launch binding (empty when there is none or it has expired)."""
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict) or time.time() - data.get("t", 0) > SESSION_SECONDS:
        return {}
    return data


def current_viewer() -> Viewer | None:
    """Return the viewer for this request, loading it at most once."""
    if "viewer" in g:
        return g.viewer  # type: ignore[no-any-return]
    data = launch_data()
    viewer = None
    if data:
        row = db.session.execute(
            select(Enrolment.role, Enrolment.person_id, Enrolment.course_id, Person, Course.title)
            .join(Person, Person.id == Enrolment.person_id)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.id == data["e"])
        ).first()
        if row is not None:
            role, person_id, course_id, person, title = row
            viewer = Viewer(
                enrolment_id=data["e"],
                person_id=person_id,
                course_id=course_id,
                role=role,
                display_name=person.display_name,
                course_title=title or "Your course",
                is_platform_admin=bool(data.get("adm")),
            )
    g.viewer = viewer
    return viewer


def signed_in_viewer() -> Viewer:
    """Return the viewer of a view already guarded by ``require_role``."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    return viewer


def require_role(*roles: str) -> Callable[[F], F]:
    """Answer 401 without a launch and 403 when the viewer's role is not among ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            viewer = current_viewer()
            if viewer is None:
                abort(401)
            if viewer.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
