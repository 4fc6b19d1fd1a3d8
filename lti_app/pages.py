"""What every page template needs: the viewer and security headers."""

from typing import Any

from flask import request

from .auth import current_viewer, launch_data


def page_context() -> dict[str, Any]:
    """Expose the viewer to templates without each view passing it."""
    return {"viewer": current_viewer()}


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
