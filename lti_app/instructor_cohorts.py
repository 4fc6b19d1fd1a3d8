"""Staff pages for cohorts: form a draft, edit it, publish, keep cohorts whole, export."""

from collections import Counter
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)

from cohorts import board as cohort_board
from cohorts import membership
from cohorts.errors import DomainError
from cohorts.exchange import moderation
from cohorts.formation import drafts, reports, upkeep
from cohorts.formation import export as cohort_export
from cohorts.formation import settings as formation_settings
from cohorts.models import utcnow

from .auth import require_role, signed_in_viewer
from .cohort_forms import ActionForm, MergeCohortForm, MoveForm, RenameForm, options
from .extensions import db
from .pages import plural, refuse

bp = Blueprint("instructor_cohorts", __name__, url_prefix="/instructor")


#: Past this many cohorts the page shows one challenge at a time, so it stays quick to load
#: and the move form lists dozens of people rather than thousands.
ONE_CHALLENGE_AT_A_TIME = 60


def _focus(cards: Sequence[reports.CohortCard]) -> tuple[int | None, list[Any]]:
    """Pick the challenge to show (from ?challenge=, or the biggest one in large courses)."""
    counts = Counter(card.cohort.challenge_id for card in cards)
    titles = {card.cohort.challenge_id: card.challenge_title for card in cards}
    wanted = request.args.get("challenge", type=int)
    if wanted not in counts:
        wanted = counts.most_common(1)[0][0] if len(cards) > ONE_CHALLENGE_AT_A_TIME else None
    choices = [
        (cid, titles[cid], n) for cid, n in sorted(counts.items(), key=lambda i: titles[i[0]])
    ]
    return wanted, choices


def _move_form(cards: Sequence[Any], picture: Any, formdata: bool = False) -> MoveForm:
    form = MoveForm() if formdata else MoveForm(formdata=None)
    people = [
        (p.id, p.display_name)
        for card in cards
        if card.cohort.status == "draft"
        for p in card.members
    ]
    people += [(x.person.id, f"{x.person.display_name} (left out)") for x in picture.left_out]
    form.person_id.choices = options(sorted(people, key=lambda item: item[1].lower()))
    form.cohort_id.choices = options(
        (c.cohort.id, c.cohort.name)
        for c in cards
        if c.cohort.status == "draft" and not c.cohort.locked
    )
    return form


def _back() -> Any:
    """Return to the cohorts page, on the challenge the staff member was looking at."""
    focus = parse_qs(urlsplit(request.referrer or "").query).get("challenge", [None])[0]
    return redirect(url_for("instructor_cohorts.cohorts", challenge=focus))


def _page(status: int = 200, move: MoveForm | None = None) -> Any:
    viewer = signed_in_viewer()
    picture = reports.formation_picture(db.session, viewer.course_id)
    settings = formation_settings.get_settings(db.session, viewer.course_id)
    focus, challenge_choices = _focus(picture.cards)
    cards = [c for c in picture.cards if focus is None or c.cohort.challenge_id == focus]
    return render_template(
        "instructor/cohorts.html",
        tab="cohorts",
        picture=picture,
        settings=settings,
        focus=focus,
        challenge_choices=challenge_choices,
        draft_total=sum(c.cohort.status == "draft" for c in picture.cards),
        drafts=[c for c in cards if c.cohort.status == "draft"],
        published=[c for c in cards if c.cohort.status == "published"],
        waiting=upkeep.waiting_groups(db.session, viewer.course_id),
        suggestions=upkeep.shrink_suggestions(db.session, viewer.course_id),
        move=move or _move_form(cards, picture),
        rename=RenameForm(formdata=None),
        action=ActionForm(),
        merge=MergeCohortForm(formdata=None),
    ), status


def _done(message: str) -> Any:
    db.session.commit()
    flash(message, "success")
    return _back()


def _refused(error: DomainError) -> Any:
    """Undo the request, say why and show the page again with the error's status."""
    return _page(refuse(error))


def _run(form: Any, call: Any, message: Any) -> Any:
    """Check the form, run one service call, commit and come back, or explain the refusal."""
    if not form.validate_on_submit():
        flash("That request was incomplete; please try again.", "error")
        return _page(400)
    try:
        result = call()
    except DomainError as error:
        return _refused(error)
    return _done(message(result) if callable(message) else message)


@bp.get("/cohorts")
@require_role("staff")
def cohorts() -> Any:
    return _page()


@bp.post("/cohorts/form")
@require_role("staff")
def form_draft() -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: drafts.form_draft(db.session, course, utcnow()),
        lambda rows: (
            f"Formed {len(rows)} draft {plural(len(rows), 'cohort')}. "
            "Review the drafts, then publish."
        ),
    )


@bp.post("/cohorts/move")
@require_role("staff")
def move_member() -> Any:
    viewer = signed_in_viewer()
    picture = reports.formation_picture(db.session, viewer.course_id)
    form = _move_form(picture.cards, picture, formdata=True)
    if not form.validate_on_submit():
        return _page(400, form)
    return _run(
        ActionForm(),
        lambda: drafts.move_member(
            db.session, viewer.course_id, form.person_id.data, form.cohort_id.data, utcnow()
        ),
        lambda cohort: f"Moved into “{cohort.name}”.",
    )


@bp.get("/cohorts/<int:cohort_id>/board")
@require_role("staff")
def board(cohort_id: int) -> Any:
    """Let staff read a cohort's board, with what moderation hides from learners marked."""
    course = signed_in_viewer().course_id
    try:
        cohort = membership.get_cohort(db.session, course, cohort_id)
    except DomainError:
        abort(404)
    return render_template(
        "instructor/cohort_board.html",
        tab="cohorts",
        cohort=cohort,
        threads=cohort_board.threads(db.session, cohort.id),
        hidden=moderation.hidden_post_ids(db.session, cohort.id),
    )


@bp.post("/cohorts/<int:cohort_id>/lock")
@require_role("staff")
def lock(cohort_id: int) -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: drafts.set_locked(db.session, course, cohort_id, True),
        lambda c: f"“{c.name}” is locked: re-forming and late joiners leave it alone.",
    )


@bp.post("/cohorts/<int:cohort_id>/unlock")
@require_role("staff")
def unlock(cohort_id: int) -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: drafts.set_locked(db.session, course, cohort_id, False),
        lambda c: f"“{c.name}” is unlocked.",
    )


@bp.post("/cohorts/<int:cohort_id>/rename")
@require_role("staff")
def rename(cohort_id: int) -> Any:
    course = signed_in_viewer().course_id
    form = RenameForm()
    return _run(
        form,
        lambda: drafts.rename_cohort(db.session, course, cohort_id, form.name.data),
        lambda c: f"Renamed to “{c.name}”.",
    )


@bp.post("/cohorts/publish")
@require_role("staff")
def publish() -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: drafts.publish_drafts(db.session, course, utcnow()),
        lambda n: f"Published {n} {plural(n, 'cohort')}. Their members can see them now.",
    )


@bp.post("/cohorts/<int:cohort_id>/members/<int:person_id>/remove")
@require_role("staff")
def remove_member(cohort_id: int, person_id: int) -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: upkeep.remove_member(db.session, course, cohort_id, person_id),
        lambda c: f"Removed from “{c.name}”.",
    )


@bp.post("/cohorts/<int:cohort_id>/merge")
@require_role("staff")
def merge(cohort_id: int) -> Any:
    course = signed_in_viewer().course_id
    form = MergeCohortForm()
    target = form.target_id.data
    if not (target or "").isdigit():
        return _page(400)
    return _run(
        form,
        lambda: upkeep.merge_cohorts(db.session, course, cohort_id, int(target)),
        lambda c: f"Merged into “{c.name}”.",
    )


@bp.post("/cohorts/<int:cohort_id>/dismiss")
@require_role("staff")
def dismiss(cohort_id: int) -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: upkeep.dismiss_merge(db.session, course, cohort_id),
        lambda c: f"“{c.name}” stays as it is.",
    )


@bp.post("/waiting/<int:challenge_id>/form")
@require_role("staff")
def form_from_waiting(challenge_id: int) -> Any:
    course = signed_in_viewer().course_id
    return _run(
        ActionForm(),
        lambda: upkeep.form_from_waiting(db.session, course, challenge_id, utcnow()),
        lambda rows: (
            f"Published {len(rows)} new {plural(len(rows), 'cohort')} from waiting learners."
        ),
    )


@bp.get("/export")
@require_role("staff")
def export() -> Any:
    rows = cohort_export.export_rows(db.session, signed_in_viewer().course_id)
    return render_template("instructor/export.html", tab="export", rows=rows)


@bp.get("/export/<any(moodle, canvas):lms>.csv")
@require_role("staff")
def export_csv(lms: str) -> Any:
    viewer = signed_in_viewer()
    write = cohort_export.moodle_csv if lms == "moodle" else cohort_export.canvas_csv
    return Response(
        write(db.session, viewer.course_id),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=communitas-{lms}-groups.csv"},
    )
