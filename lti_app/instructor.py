"""Pages for course staff: instructors, teaching assistants, content developers."""

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import func, select

from cohorts.models import Enrolment

from .auth import current_viewer, require_role
from .extensions import db

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.get("/")
@require_role("staff")
def home() -> Any:
    viewer = current_viewer()
    assert viewer is not None
    counts = dict(
        db.session.execute(
            select(Enrolment.role, func.count())
            .where(Enrolment.course_id == viewer.course_id)
            .group_by(Enrolment.role)
        ).all()
    )
    return render_template("instructor/home.html", counts=counts)
