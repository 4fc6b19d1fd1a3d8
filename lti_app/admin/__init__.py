"""Pages for LMS administrators: the doctor for platform registrations."""

from typing import Any

from flask import Blueprint, abort, render_template

from ..auth import current_viewer, signed_in_viewer
from . import doctor

bp = Blueprint("admin", __name__, url_prefix="/admin")
HELPERS = {
    "seconds": doctor.seconds,
    "when": doctor.when,
    "short_scopes": doctor.short_scopes,
    "level_labels": doctor.LEVEL_LABELS,
}


@bp.before_request
def require_platform_admin() -> None:
    """Course staff rights are not enough: only the LMS's own administrators get in.

    They see the registration of their own LMS only; the `flask doctor` command shows all.
    """
    viewer = current_viewer()
    if viewer is None:
        abort(401)
    if not viewer.is_platform_admin:
        abort(403)


@bp.get("/doctor")
def doctor_list() -> Any:
    found = doctor.own_reports(signed_in_viewer().course_id)
    return render_template("admin/doctor_list.html", reports=found, **HELPERS)


@bp.get("/doctor/<int:platform_id>")
def doctor_detail(platform_id: int) -> Any:
    found = doctor.own_reports(signed_in_viewer().course_id, platform_id)
    if not found:
        abort(404)
    return render_template("admin/doctor.html", report=found[0], **HELPERS)
