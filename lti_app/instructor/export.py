"""Staff export published cohorts as group files their LMS imports."""

from typing import Any

from flask import Blueprint, Response, render_template, stream_with_context

from cohorts.formation import export as cohort_export

from ..auth import signed_in_viewer
from ..extensions import db

bp = Blueprint("export", __name__, url_prefix="/export")
WRITERS = {"moodle": cohort_export.moodle_lines, "canvas": cohort_export.canvas_lines}
#: Members previewed on the page; the files hold everyone.
PREVIEW = 100


@bp.get("")
def page() -> Any:
    shown = cohort_export.preview(db.session, signed_in_viewer().course_id, PREVIEW)
    return render_template(
        "instructor/export.html",
        tab="export",
        rows=shown.rows,
        total=shown.total,
        missing=shown.missing,
        missing_total=shown.missing_total,
    )


@bp.get("/<any(moodle, canvas):lms>.csv")
def csv(lms: str) -> Any:
    return Response(
        # Rows are fetched as the file streams out, so the request's session must stay open.
        stream_with_context(WRITERS[lms](db.session, signed_in_viewer().course_id)),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=communitas-{lms}-groups.csv"},
    )
