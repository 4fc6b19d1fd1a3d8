"""What every template may use: the viewer, its launch token, unread notices, filters."""

from datetime import datetime
from typing import Any

from flask import Flask, g

from cohorts import limits, profiles, timezones
from cohorts.attention import pending_reports
from cohorts.exchange import notifications, wording
from cohorts.exchange.rules import KIND_LABELS, hides_asker

from .auth import current_viewer
from .extensions import db
from .launch_session import current_token
from .rich_text import render_markdown


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """The noun that goes with ``count``, so no page says "1 learners"."""
    return singular if count == 1 else plural_form or singular + "s"


def viewer_zone() -> str | None:
    """The viewer's own time zone (from their profile in this course), looked up once."""
    if "viewer_zone" not in g:
        viewer = current_viewer()
        g.viewer_zone = (
            profiles.zone_of(db.session, viewer.course_id, viewer.person_id) if viewer else None
        )
    return g.viewer_zone


def local_time(moment: datetime, pattern: str = "%d %b %H:%M") -> str:
    """Show a stored UTC moment on the viewer's clocks ("UTC" added when they named none)."""
    return timezones.show(moment, viewer_zone(), pattern)


def page_context() -> dict[str, Any]:
    """Expose the viewer and a lazy unread count to templates without each view passing them."""

    def unread() -> int:
        viewer = current_viewer()
        if viewer is None or viewer.role != "learner":
            return 0
        if "unread_notices" not in g:  # a view that counted them already leaves the count here
            g.unread_notices = notifications.unread_count(
                db.session, viewer.course_id, viewer.person_id
            )
        return g.unread_notices  # type: ignore[no-any-return]

    def reports() -> int:
        viewer = current_viewer()
        if viewer is None or not viewer.is_staff:
            return 0
        return pending_reports(db.session, viewer.course_id)

    return {
        "pending_reports": reports,
        "viewer": current_viewer(),
        "launch_token": current_token(),
        # Set on a launch's answer: the address the page takes (see the launch view).
        "page_address": g.get("page_address"),
        "gift_kinds": KIND_LABELS,
        "hides_asker": hides_asker,
        "exchange_words": wording,
        "limits": limits,
        "unread_notices": unread,
    }


def init_app(app: Flask) -> None:
    """Register the context processor and filters on the app."""
    app.context_processor(page_context)
    app.add_template_filter(plural, "plural")
    app.add_template_filter(render_markdown, "markdown")
    app.add_template_filter(local_time, "local_time")
