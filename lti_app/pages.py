"""What every page template needs: the viewer and security headers."""

from typing import Any

from .auth import current_viewer


def page_context() -> dict[str, Any]:
    """Expose the viewer to templates without each view passing it."""
    return {"viewer": current_viewer()}


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'"
)


def security_headers(response: Any) -> Any:
    """Send a strict script policy; framing stays open because the LMS embeds us."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response
