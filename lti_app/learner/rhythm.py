"""A learner's own rhythm, and what Communitas records about them."""

from typing import Any

from flask import Blueprint, render_template

from cohorts import privacy
from cohorts.activity import dashboard
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
    records = privacy.records_of(db.session, signed_in_viewer().person_id)
    return render_template("learner/privacy.html", tab="privacy", records=records)
