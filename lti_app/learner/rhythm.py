"""A learner's own rhythm, and what Communitas records about them."""

from typing import Any

from flask import Blueprint, Response, render_template

from cohorts import privacy
from cohorts.activity import dashboard
from cohorts.formation.export import csv_lines
from cohorts.grades import history
from cohorts.models import utcnow

from ..auth import allow, signed_in_viewer
from ..extensions import db

bp = Blueprint("rhythm", __name__)


@bp.get("/rhythm")
def my_rhythm() -> Any:
    viewer = signed_in_viewer()
    rhythm = dashboard.learner_rhythm(db.session, viewer.course_id, viewer.person_id, utcnow())
    return render_template("learner/rhythm.html", tab="rhythm", rhythm=rhythm)


@bp.get("/privacy")
@allow("learner", "guest")
def what_we_record() -> Any:
    viewer = signed_in_viewer()
    records = privacy.records_of(db.session, viewer.person_id)
    scores = history.scores_of(db.session, viewer.course_id, viewer.person_id)
    return render_template("learner/privacy.html", tab="privacy", records=records, scores=scores)


@bp.get("/privacy/scores.csv")
@allow("learner", "guest")
def my_scores_csv() -> Any:
    """Download the viewer's own scores in this course, and what the platform answered."""
    viewer = signed_in_viewer()
    header = ["Score", "Out of", "Status", "Queued (UTC)", "Sent (UTC)", "Platform's answer"]
    rows = (
        [
            f"{s.score:g}",
            f"{s.maximum:g}",
            s.status,
            s.queued_at.strftime("%Y-%m-%d %H:%M:%S"),
            s.sent_at.strftime("%Y-%m-%d %H:%M:%S") if s.sent_at else "",
            s.answer,
        ]
        for s in history.scores_of(db.session, viewer.course_id, viewer.person_id)
    )
    return Response(
        csv_lines(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=communitas-my-scores.csv"},
    )
