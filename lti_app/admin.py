"""Pages for LMS administrators: the doctor for platform registrations."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, abort, render_template

from . import doctor
from .auth import current_viewer, signed_in_viewer

bp = Blueprint("admin", __name__, url_prefix="/admin")
F = TypeVar("F", bound=Callable[..., Any])
HELPERS = {
    "seconds": doctor.seconds,
    "when": doctor.when,
    "short_scopes": doctor.short_scopes,
    "level_labels": doctor.LEVEL_LABELS,
}


def require_platform_admin(view: F) -> F:
    """Answer 401 without a launch and 403 unless the LMS said this is its administrator.

    Course staff rights are not enough: the page shows the registration of the viewer's LMS.
    """

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        viewer = current_viewer()
        if viewer is None:
            abort(401)
        if not viewer.is_platform_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


@bp.get("/doctor")
@require_platform_admin
def doctor_list() -> Any:
    found = doctor.own_reports(signed_in_viewer().course_id)
    return render_template("admin/doctor_list.html", reports=found, **HELPERS)


@bp.get("/doctor/<int:platform_id>")
@require_platform_admin
def doctor_detail(platform_id: int) -> Any:
    found = doctor.own_reports(signed_in_viewer().course_id, platform_id)
    if not found:
        abort(404)
    return render_template("admin/doctor.html", report=found[0], **HELPERS)
