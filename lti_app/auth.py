"""Who is making this request: the launch-bound session, resolved once per request."""

import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, current_app, g, request, session
from sqlalchemy import bindparam, select

from cohorts.db import core_rows
from cohorts.models import Course, Enrolment, Person, utcnow
from cohorts.models.people import display_name_of

from .extensions import db
from .launch_session import session_store

SESSION_KEY = "launch"
SESSION_SECONDS = 3 * 3600
F = TypeVar("F", bound=Callable[..., Any])
#: Built once: every page runs it, and building a statement costs more than running it.
VIEWER = (
    select(
        Enrolment.role,
        Enrolment.person_id,
        Enrolment.course_id,
        Person.name,
        Person.given_name,
        Person.family_name,
        Person.chosen_name,
        Course.title,
    )
    .join(Person, Person.id == Enrolment.person_id)
    .join(Course, Course.id == Enrolment.course_id)
    .where(Enrolment.id == bindparam("enrolment_id"))
)


@dataclass(frozen=True, slots=True)
class DeepLinkRequest:
    """What a deep-linking launch asked for, kept until the instructor answers it."""

    issuer: str
    client_id: str
    deployment_id: str
    settings: dict[str, Any]
    #: Answers the request once (see ``lti.deep_linking``).
    ticket: str = ""


@dataclass(frozen=True, slots=True)
class LaunchBinding:
    """What one validated launch binds this browser to, for at most ``SESSION_SECONDS``."""

    enrolment_id: int
    role: str
    issued_at: int
    platform_admin: bool = False
    frame_ancestors: tuple[str, ...] = ()
    deep_link: DeepLinkRequest | None = field(default=None)

    @classmethod
    def load(cls, data: Any) -> "LaunchBinding | None":
        """Read a stored binding; anything malformed or expired binds nothing."""
        try:
            link = data.get("deep_link")
            binding = cls(
                enrolment_id=int(data["enrolment_id"]),
                role=str(data["role"]),
                issued_at=int(data["issued_at"]),
                platform_admin=bool(data.get("platform_admin")),
                frame_ancestors=tuple(data.get("frame_ancestors") or ()),
                deep_link=DeepLinkRequest(**link) if link else None,
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            return None
        return binding if time.time() - binding.issued_at <= SESSION_SECONDS else None


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


def landing_endpoint(role: str) -> str:
    """The page a launch of ``role`` lands on: the course overview for staff, else home."""
    return "instructor.course.home" if role == "staff" else "learner.course.home"


def start_session(binding: LaunchBinding, *, cookie: bool) -> str | None:
    """Bind this browser to one launch in a new server-side session; return the token links
    must carry, or None when the browser keeps the cookie.

    The new session is written with the launch's records and committed with them. The
    session this browser's cookie named before (an earlier launch, whoever's) is revoked once
    the response is ready: its token, wherever it was copied to, stops working.
    """
    previous = session.token if session.token and not session.via_url else None
    data = {"csrf_token": secrets.token_hex(20), SESSION_KEY: asdict(binding)}
    token = session_store().create(data, binding.enrolment_id, utcnow())
    session.clear()
    session.update(data)
    session.token, session.via_url, session.new_cookie = token, not cookie, cookie
    session.replaces = previous
    session.modified = False  # stored just now
    for name in ("binding", "viewer"):  # whoever this browser was before, it is now this launch
        g.pop(name, None)
    return None if cookie else token


def launched_viewer(
    binding: LaunchBinding, person_id: int, course_id: int, name: str | None, title: str | None
) -> None:
    """Know this request's viewer from the launch that just wrote it, sparing the query.

    Only when the launch named both person and course: what it sent is then what is stored,
    and a name from the LMS comes before any name chosen here.
    """
    if name and title:
        g.viewer = Viewer(
            enrolment_id=binding.enrolment_id,
            person_id=person_id,
            course_id=course_id,
            role=binding.role,
            display_name=name,
            course_title=title,
            is_platform_admin=binding.platform_admin,
        )


def end_session() -> None:
    """Sign out: revoke this browser's launch session and forget its cookie."""
    session.revoked = True
    g.pop("binding", None)
    g.pop("viewer", None)


def launch_binding() -> LaunchBinding | None:
    """Return this request's launch binding, read from the session once."""
    if "binding" not in g:
        revoked = getattr(session, "revoked", False)
        g.binding = None if revoked else LaunchBinding.load(session.get(SESSION_KEY))
    return g.binding  # type: ignore[no-any-return]


def current_viewer() -> Viewer | None:
    """Return the viewer for this request, loading it at most once."""
    if "viewer" in g:
        return g.viewer  # type: ignore[no-any-return]
    binding = launch_binding()
    viewer = None
    if binding:
        row = core_rows(db.session, VIEWER, {"enrolment_id": binding.enrolment_id}).first()
        if row is not None:
            role, person_id, course_id, name, given_name, family_name, chosen, title = row
            viewer = Viewer(
                enrolment_id=binding.enrolment_id,
                person_id=person_id,
                course_id=course_id,
                role=role,
                display_name=display_name_of(person_id, name, given_name, family_name, chosen),
                course_title=title or "Your course",
                is_platform_admin=binding.platform_admin,
            )
    g.viewer = viewer
    return viewer


def signed_in_viewer() -> Viewer:
    """Return the viewer of a view its audience's guard already let in."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    return viewer


def _check(roles: frozenset[str]) -> None:
    """401 without a launch; 403 for another role, and for any change by a read-only guest."""
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if viewer.role not in roles or (viewer.read_only and request.method != "GET"):
        abort(403)


def allow(*roles: str) -> Callable[[F], F]:
    """Open one view to other roles than its audience's default (read-only guests, staff)."""

    def mark(view: F) -> F:
        view.allowed_roles = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return mark


def guard(bp: Blueprint, *roles: str) -> None:
    """Check once, for every view under ``bp``, that the viewer's role may use it."""

    @bp.before_request
    def check_role() -> None:
        view = current_app.view_functions.get(request.endpoint or "")
        _check(getattr(view, "allowed_roles", frozenset(roles)))


def require_role(*roles: str) -> Callable[[F], F]:
    """Guard a single view that lives outside the audience blueprints (the deep-link page)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            _check(frozenset(roles))
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
