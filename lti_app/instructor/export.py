"""Staff export published cohorts as group files their LMS imports."""

from typing import Any

from flask import Blueprint, Response, render_template

from cohorts.formation import export as cohort_export

from ..auth import signed_in_viewer
from ..extensions import db

bp = Blueprint("export", __name__, url_prefix="/export")
WRITERS = {"moodle": cohort_export.moodle_csv, "canvas": cohort_export.canvas_csv}


@bp.get("")
def page() -> Any:
    rows = cohort_export.export_rows(db.session, signed_in_viewer().course_id)
    return render_template("instructor/export.html", tab="export", rows=rows)


@bp.get("/<any(moodle, canvas):lms>.csv")
def csv(lms: str) -> Any:
    return Response(
        WRITERS[lms](db.session, signed_in_viewer().course_id),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=communitas-{lms}-groups.csv"},
    )
