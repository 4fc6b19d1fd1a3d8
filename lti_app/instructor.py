"""Pages for course staff: the overview, challenges and formation settings."""

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from cohorts import challenges
from cohorts.errors import DomainError, NotFound
from cohorts.formation import settings as formation_settings
from cohorts.models import Cohort, Enrolment, utcnow

from .auth import require_role, signed_in_viewer
from .cohort_forms import ActionForm, ChallengeForm, MergeChallengeForm, SettingsForm, options
from .extensions import db
from .pages import refuse

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.get("/")
@require_role("staff")
def home() -> Any:
    viewer = signed_in_viewer()
    counts = dict(
        db.session.execute(
            select(Enrolment.role, func.count())
            .where(Enrolment.course_id == viewer.course_id)
            .group_by(Enrolment.role)
        ).all()
    )
    cohorts = dict(
        db.session.execute(
            select(Cohort.status, func.count())
            .where(Cohort.course_id == viewer.course_id)
            .group_by(Cohort.status)
        ).all()
    )
    rows = challenges.list_challenges(db.session, viewer.course_id, ("active", "proposed"))
    return render_template(
        "instructor/home.html", tab="home", counts=counts, cohorts=cohorts, rows=rows
    )


def _challenges_page(form: ChallengeForm, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    rows = challenges.list_challenges(
        db.session, viewer.course_id, ("active", "proposed", "archived")
    )
    active = [(r.challenge.id, r.challenge.title) for r in rows if r.challenge.status == "active"]
    merge = MergeChallengeForm(formdata=None)
    merge.target_id.choices = options(active)
    return render_template(
        "instructor/challenges.html",
        tab="challenges",
        rows=rows,
        form=form,
        merge=merge,
        action=ActionForm(),
    ), status


@bp.route("/challenges", methods=["GET", "POST"])
@require_role("staff")
def manage_challenges() -> Any:
    viewer = signed_in_viewer()
    form = ChallengeForm()
    if request.method == "GET":
        return _challenges_page(ChallengeForm(formdata=None))
    if not form.validate_on_submit():
        return _challenges_page(form, 400)
    try:
        challenges.create_challenge(
            db.session,
            viewer.course_id,
            title=form.title.data,
            description=form.description.data or "",
            kind=form.kind.data,
            now=utcnow(),
        )
    except DomainError as error:
        return _challenges_page(form, refuse(error))
    db.session.commit()
    flash(f"Challenge “{form.title.data}” added. Learners can pick it now.", "success")
    return redirect(url_for("instructor.manage_challenges"))


@bp.route("/challenges/<int:challenge_id>/edit", methods=["GET", "POST"])
@require_role("staff")
def edit_challenge(challenge_id: int) -> Any:
    viewer = signed_in_viewer()
    try:
        challenge = challenges.get_challenge(db.session, viewer.course_id, challenge_id)
    except NotFound:
        abort(404)
    form = ChallengeForm(obj=challenge)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                challenges.update_challenge(
                    db.session,
                    viewer.course_id,
                    challenge_id,
                    title=form.title.data,
                    description=form.description.data or "",
                    kind=form.kind.data,
                )
            except DomainError as error:
                status = refuse(error)
            else:
                db.session.commit()
                flash("Challenge saved.", "success")
                return redirect(url_for("instructor.manage_challenges"))
    return render_template(
        "instructor/challenge_edit.html", tab="challenges", form=form, challenge=challenge
    ), status


def _challenge_action(challenge_id: int, action: str) -> Any:
    """Run approve or archive on a challenge of this course."""
    viewer = signed_in_viewer()
    form = MergeChallengeForm() if action == "merge" else ActionForm()
    if action == "merge":
        form.target_id.choices = options(
            (r.challenge.id, r.challenge.title)
            for r in challenges.list_challenges(db.session, viewer.course_id)
        )
    if not form.validate_on_submit():
        flash("Choose a challenge to merge into.", "error")
        return _challenges_page(ChallengeForm(formdata=None), 400)
    try:
        if action == "approve":
            done = challenges.approve_challenge(db.session, viewer.course_id, challenge_id)
            message = f"“{done.title}” is now open to every learner."
        elif action == "archive":
            done = challenges.archive_challenge(db.session, viewer.course_id, challenge_id)
            message = f"“{done.title}” is archived; learners can no longer pick it."
        else:
            done = challenges.merge_challenge(
                db.session, viewer.course_id, challenge_id, form.target_id.data
            )
            message = f"Merged; its picks now count for “{done.title}”."
    except DomainError as error:
        return _challenges_page(ChallengeForm(formdata=None), refuse(error))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("instructor.manage_challenges"))


@bp.post("/challenges/<int:challenge_id>/approve")
@require_role("staff")
def approve_challenge(challenge_id: int) -> Any:
    return _challenge_action(challenge_id, "approve")


@bp.post("/challenges/<int:challenge_id>/archive")
@require_role("staff")
def archive_challenge(challenge_id: int) -> Any:
    return _challenge_action(challenge_id, "archive")


@bp.post("/challenges/<int:challenge_id>/merge")
@require_role("staff")
def merge_challenge(challenge_id: int) -> Any:
    return _challenge_action(challenge_id, "merge")


@bp.route("/settings", methods=["GET", "POST"])
@require_role("staff")
def settings() -> Any:
    viewer = signed_in_viewer()
    row = formation_settings.get_settings(db.session, viewer.course_id)
    form = SettingsForm(obj=row)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                formation_settings.save_settings(
                    db.session,
                    viewer.course_id,
                    target=form.target.data,
                    minimum=form.minimum.data,
                    maximum=form.maximum.data,
                    weight_preference=form.weight_preference.data,
                    weight_availability=form.weight_availability.data,
                    weight_complement=form.weight_complement.data,
                    show_emails=form.show_emails.data,
                )
            except DomainError as error:
                status = refuse(error)
            else:
                db.session.commit()
                flash("Formation settings saved.", "success")
                return redirect(url_for("instructor.settings"))
    db.session.commit()  # keeps the default settings row created on first visit
    return render_template("instructor/settings.html", tab="settings", form=form), status
