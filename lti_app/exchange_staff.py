"""Staff pages of the gift exchange: the course picture, settings and the moderation queue."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from cohorts.errors import DomainError
from cohorts.exchange import moderation, report
from cohorts.exchange.settings import exchange_settings, save_exchange_settings
from cohorts.models import utcnow

from .auth import require_role, signed_in_viewer
from .cohort_forms import ActionForm
from .exchange_forms import ExchangeSettingsForm
from .extensions import db

bp = Blueprint("exchange_staff", __name__, url_prefix="/instructor/exchange")


@bp.get("/")
@require_role("staff")
def overview() -> Any:
    viewer = signed_in_viewer()
    picture = report.course_exchange(db.session, viewer.course_id, utcnow())
    return render_template("instructor/exchange.html", tab="exchange", picture=picture)


@bp.route("/settings", methods=["GET", "POST"])
@require_role("staff")
def settings() -> Any:
    viewer = signed_in_viewer()
    row = exchange_settings(db.session, viewer.course_id)
    form = ExchangeSettingsForm(obj=row)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                save_exchange_settings(
                    db.session,
                    viewer.course_id,
                    course_wide=form.course_wide.data,
                    weekly_cap=form.weekly_cap.data,
                    report_threshold=form.report_threshold.data,
                )
            except DomainError as error:
                db.session.rollback()
                flash(str(error), "error")
                status = error.status
            else:
                db.session.commit()
                flash("Exchange settings saved.", "success")
                return redirect(url_for("exchange_staff.settings"))
    db.session.commit()  # keep the defaults created on first visit
    return render_template("instructor/exchange_settings.html", tab="exchange", form=form), status


def _queue(status: int = 200) -> Any:
    viewer = signed_in_viewer()
    items = moderation.queue(db.session, viewer.course_id)
    done = moderation.queue(db.session, viewer.course_id, ("restored", "removed"))
    return render_template(
        "instructor/exchange_moderation.html",
        tab="moderation",
        items=items,
        done=done,
        action=ActionForm(),
    ), status


@bp.get("/moderation")
@require_role("staff")
def moderation_queue() -> Any:
    return _queue()


@bp.post("/moderation/<int:case_id>/<any(restore, remove):decision>")
@require_role("staff")
def decide(case_id: int, decision: str) -> Any:
    viewer = signed_in_viewer()
    if not ActionForm().validate_on_submit():
        flash("That request was incomplete; please try again.", "error")
        return _queue(400)
    try:
        moderation.decide(
            db.session, viewer.course_id, viewer.person_id, case_id, decision, utcnow()
        )
    except DomainError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _queue(error.status)
    db.session.commit()
    flash(
        "Restored: learners can see it again."
        if decision == "restore"
        else "Removed: learners no longer see it. It is kept for the record.",
        "success",
    )
    return redirect(url_for("exchange_staff.moderation_queue"))
