"""What every page template needs: the viewer and security headers."""

from typing import Any

from flask import flash, request

from cohorts.errors import DomainError

from .auth import current_viewer, launch_data
from .extensions import db
from .launch_session import current_token


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun that goes with ``count``, so no page says "1 learners"."""
    return singular if count == 1 else plural_form or singular + "s"


def refuse(error: DomainError) -> int:
    """Undo the request's changes and say why; return the status to answer with."""
    db.session.rollback()
    flash(str(error), "error")
    return error.status


def page_context() -> dict[str, Any]:
    """Expose the viewer to templates without each view passing it."""
    return {"viewer": current_viewer(), "launch_token": current_token()}


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'"
)


def security_headers(response: Any) -> Any:
    """Send a strict script policy; once launched, only the launching LMS may frame us.

    Before a launch is validated (login, launch hand-offs, error pages) the embedding page is
    not known yet, and those pages hold nothing worth framing for clickjacking.
    """
    if request.blueprint == "sandbox":
        return response
    policy = CSP
    ancestors = launch_data().get("fa")
    if ancestors:
        policy += "; frame-ancestors 'self' " + " ".join(ancestors)
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response
