"""The staff overview and the course's formation settings."""

from typing import Any

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from cohorts import challenges
from cohorts.attention import staff_attention
from cohorts.formation import report_upkeep
from cohorts.formation import settings as formation_settings
from cohorts.models import Cohort, Enrolment, utcnow
from cohorts.roster.runs import learners_opened

from ..auth import signed_in_viewer
from ..extensions import db
from ..pages import submit
from .forms import SettingsForm

bp = Blueprint("course", __name__)


def _counts(column: Any, course_id: int) -> dict[str, int]:
    """Count a course's rows by one column (roles of enrolments, statuses of cohorts)."""
    table = column.class_
    query = select(column, func.count()).where(table.course_id == course_id).group_by(column)
    return dict(db.session.execute(query).all())  # type: ignore[arg-type]


@bp.get("/")
def home() -> Any:
    viewer = signed_in_viewer()
    return render_template(
        "instructor/home.html",
        tab="home",
        counts=_counts(Enrolment.role, viewer.course_id),
        opened=learners_opened(db.session, viewer.course_id),
        cohorts=_counts(Cohort.status, viewer.course_id),
        rows=challenges.list_challenges(db.session, viewer.course_id, ("active", "proposed")),
        attention=staff_attention(db.session, viewer.course_id, utcnow()),
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Any:
    viewer = signed_in_viewer()
    form = SettingsForm(obj=formation_settings.get_settings(db.session, viewer.course_id))

    def page(status: int = 200) -> Any:
        return render_template("instructor/settings.html", tab="settings", form=form), status

    if request.method == "GET":
        db.session.commit()  # keeps the default settings row created on first visit
        return page()
    return submit(
        form,
        lambda: report_upkeep.update_settings(
            db.session,
            viewer.course_id,
            utcnow(),
            target=form.target.data,
            minimum=form.minimum.data,
            maximum=form.maximum.data,
            weight_preference=form.weight_preference.data,
            weight_availability=form.weight_availability.data,
            weight_complement=form.weight_complement.data,
            show_emails=form.show_emails.data,
        ),
        done="Formation settings saved.",
        back=".settings",
        page=page,
    )
