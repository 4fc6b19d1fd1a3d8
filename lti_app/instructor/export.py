"""Staff export published cohorts as group files their LMS imports."""

from typing import Any

from flask import Blueprint, Response, render_template

from cohorts.formation import export as cohort_export

from ..auth import signed_in_viewer
from ..extensions import db

bp = Blueprint("export", __name__, url_prefix="/export")
WRITERS = {"moodle": cohort_export.moodle_lines, "canvas": cohort_export.canvas_lines}
#: Members previewed on the page; the files hold everyone.
PREVIEW = 100


@bp.get("")
def page() -> Any:
    rows = cohort_export.export_rows(db.session, signed_in_viewer().course_id)
    missing = [row for row in rows if not row.login]
    return render_template(
        "instructor/export.html",
        tab="export",
        rows=rows[:PREVIEW],
        total=len(rows),
        missing=missing[:PREVIEW],
        missing_total=len(missing),
    )


@bp.get("/<any(moodle, canvas):lms>.csv")
def csv(lms: str) -> Any:
    return Response(
        WRITERS[lms](db.session, signed_in_viewer().course_id),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=communitas-{lms}-groups.csv"},
    )
