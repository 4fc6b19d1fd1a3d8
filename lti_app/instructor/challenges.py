"""Staff manage the course's challenges: add, edit, approve suggestions, archive, merge."""

from typing import Any

from flask import Blueprint, abort, render_template, request

from cohorts import challenges
from cohorts.errors import NotFound
from cohorts.models import utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..forms import ActionForm, ChallengeForm, options
from ..pages import submit
from .forms import MergeChallengeForm

bp = Blueprint("challenges", __name__, url_prefix="/challenges")


def _merge_form(course_id: int, formdata: bool) -> MergeChallengeForm:
    form = MergeChallengeForm() if formdata else MergeChallengeForm(formdata=None)
    rows = challenges.list_challenges(db.session, course_id)
    form.target_id.choices = options(
        (r.challenge.id, r.challenge.title) for r in rows if r.challenge.status == "active"
    )
    return form


def _page(form: ChallengeForm | None = None, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    return render_template(
        "instructor/challenges.html",
        tab="challenges",
        rows=challenges.list_challenges(
            db.session, viewer.course_id, ("active", "proposed", "archived")
        ),
        form=form or ChallengeForm(formdata=None),
        merge=_merge_form(viewer.course_id, formdata=False),
        action=ActionForm(),
    ), status


@bp.route("", methods=["GET", "POST"])
def manage() -> Any:
    viewer = signed_in_viewer()
    if request.method == "GET":
        return _page()
    form = ChallengeForm()
    return submit(
        form,
        lambda: challenges.create_challenge(
            db.session,
            viewer.course_id,
            title=form.title.data,
            description=form.description.data or "",
            kind=form.kind.data,
            now=utcnow(),
        ),
        done=lambda row: f"Challenge “{row.title}” added. Learners can pick it now.",
        back=".manage",
        page=lambda status: _page(form, status),
    )


@bp.route("/<int:challenge_id>/edit", methods=["GET", "POST"])
def edit(challenge_id: int) -> Any:
    viewer = signed_in_viewer()
    try:
        challenge = challenges.get_challenge(db.session, viewer.course_id, challenge_id)
    except NotFound:
        abort(404)
    form = ChallengeForm(obj=challenge)

    def page(status: int = 200) -> Any:
        return render_template(
            "instructor/challenge_edit.html", tab="challenges", form=form, challenge=challenge
        ), status

    if request.method == "GET":
        return page()
    return submit(
        form,
        lambda: challenges.update_challenge(
            db.session,
            viewer.course_id,
            challenge_id,
            title=form.title.data,
            description=form.description.data or "",
            kind=form.kind.data,
        ),
        done="Challenge saved.",
        back=".manage",
        page=page,
    )


#: What approving or archiving does, and what staff are told after it.
STATUS_CHANGES = {
    "approve": (challenges.approve_challenge, "“{}” is now open to every learner."),
    "archive": (challenges.archive_challenge, "“{}” is archived; learners can no longer pick it."),
}


@bp.post("/<int:challenge_id>/<any(approve, archive):change>")
def change_status(challenge_id: int, change: str) -> Any:
    course = signed_in_viewer().course_id
    service, message = STATUS_CHANGES[change]
    return submit(
        ActionForm(),
        lambda: service(db.session, course, challenge_id),
        done=lambda row: message.format(row.title),
        back=".manage",
        page=lambda status: _page(status=status),
    )


@bp.post("/<int:challenge_id>/merge")
def merge(challenge_id: int) -> Any:
    course = signed_in_viewer().course_id
    form = _merge_form(course, formdata=True)
    return submit(
        form,
        lambda: challenges.merge_challenge(db.session, course, challenge_id, form.target_id.data),
        done=lambda row: f"Merged; its picks now count for “{row.title}”.",
        back=".manage",
        page=lambda status: _page(status=status),
        invalid="Choose a challenge to merge into.",
    )
