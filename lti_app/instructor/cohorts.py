"""Staff pages for cohorts: form a draft, edit it, publish, keep cohorts whole."""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy import func, select

from cohorts import board as cohort_board
from cohorts import member_fit, membership
from cohorts.activity.cohort_measures import cohort_pulses
from cohorts.activity.merging import activity_merges
from cohorts.errors import DomainError
from cohorts.exchange import moderation
from cohorts.formation import drafts, reports, runs, upkeep
from cohorts.formation import settings as formation_settings
from cohorts.models import Choice, Cohort, FormationRun, Person, utcnow

from .. import jobs
from ..auth import signed_in_viewer
from ..extensions import db
from ..formation_jobs import form_course_cohorts
from ..forms import ActionForm, options
from ..pages import submit
from ..templating import plural
from .forms import MergeCohortForm, MoveForm, RenameForm

bp = Blueprint("cohorts", __name__)
#: While cohorts form in the background, the page reloads itself this often.
REFRESH_SECONDS = 5
T = TypeVar("T")
#: Quiet cohorts listed at once, the quietest first.
QUIET_ROWS = 20


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


def _back() -> str:
    """Return to the cohorts page, on the challenge the staff member was looking at."""
    focus = parse_qs(urlsplit(request.referrer or "").query).get("challenge", [None])[0]
    return url_for(".cohorts", challenge=focus)


def _page(status: int = 200, move: MoveForm | None = None) -> Any:
    viewer = signed_in_viewer()
    wanted = request.args.get("challenge", type=int)
    number = request.args.get("page", "1")
    page = int(number) if number.isdigit() and len(number) < 6 else 1
    picture = reports.formation_picture(db.session, viewer.course_id, wanted, page=page)
    if picture.computed and status == 200:
        db.session.commit()  # keep the report counted for cohorts stored before it was
    cards = picture.cards
    settings = formation_settings.get_settings(db.session, viewer.course_id)
    pulses = cohort_pulses(db.session, viewer.course_id, utcnow())
    quiet = activity_merges(pulses, settings.minimum, settings.maximum)
    fits = {}
    for card in cards:
        members = [p.id for p in card.members]
        fits.update(member_fit.fits_of(picture.learners, card.cohort.challenge_id, members))
    return render_template(
        "instructor/cohorts.html",
        tab="cohorts",
        picture=picture,
        settings=settings,
        quiet=quiet[:QUIET_ROWS],
        quiet_total=len(quiet),
        focus=picture.focus,
        challenge_choices=picture.challenge_choices,
        draft_total=picture.draft_total,
        drafts=[c for c in cards if c.cohort.status == "draft"],
        published=[c for c in cards if c.cohort.status == "published"],
        waiting=upkeep.waiting_groups(db.session, viewer.course_id),
        fits=fits,
        moves=membership.manual_moves(db.session, viewer.course_id),
        removed=_removed(viewer.course_id, [x.person.id for x in picture.left_out]),
        suggestions=upkeep.shrink_suggestions(db.session, viewer.course_id),
        move=move or _move_form(cards, picture),
        rename=RenameForm(formdata=None),
        action=ActionForm(),
        merge=MergeCohortForm(formdata=None),
        forming=runs.active_run(db.session, viewer.course_id),
        last_run=runs.latest_run(db.session, viewer.course_id),
        now=utcnow(),
        refresh_seconds=REFRESH_SECONDS,
        cards_per_page=reports.CARDS_PER_PAGE,
    ), status


def _removed(course_id: int, left_out: Sequence[int]) -> set[int]:
    """Left-out learners who picked before the first cohort was formed: not late pickers."""
    if not left_out:
        return set()
    first = select(func.min(Cohort.created_at)).where(Cohort.course_id == course_id)
    return set(
        db.session.scalars(
            select(Choice.person_id)
            .where(Choice.course_id == course_id, Choice.person_id.in_(left_out))
            .group_by(Choice.person_id)
            .having(func.min(Choice.created_at) < first.scalar_subquery())
        )
    )


def _name(person_id: int) -> str:
    person = db.session.get(Person, person_id)
    return person.display_name if person else "The learner"


def _run(call: Callable[[int], T], done: Callable[[T], str], form: Any = None) -> Any:
    """Run one change on this course's cohorts and come back to the page."""
    course = signed_in_viewer().course_id

    def change() -> T:
        runs.refuse_if_forming(db.session, course, utcnow())
        return call(course)

    return submit(
        form or ActionForm(),
        change,
        done=done,
        back=lambda _: _back(),
        page=_page,
        invalid="That request was incomplete; please try again.",
    )


@bp.get("/cohorts")
def cohorts() -> Any:
    return _page()


def _form(course: int) -> FormationRun | list[Any]:
    """Form small courses at once; queue large ones for a background job."""
    if not runs.in_background(db.session, course):
        return drafts.form_draft(db.session, course, utcnow())
    run = runs.start_run(db.session, course, signed_in_viewer().person_id, utcnow())
    jobs.submit(form_course_cohorts, run.id)  # handed over once the run is committed
    return run


def _formed(result: FormationRun | list[Any]) -> str:
    if isinstance(result, FormationRun):
        return "Forming cohorts in the background; this page shows the drafts when they are ready."
    count = len(result)
    return f"Formed {count} draft {plural(count, 'cohort')}. Review the drafts, then publish."


@bp.post("/cohorts/form")
def form_draft() -> Any:
    return _run(_form, _formed)


@bp.post("/cohorts/move")
def move_member() -> Any:
    viewer = signed_in_viewer()
    picture = reports.formation_picture(db.session, viewer.course_id, everything=True)
    form = _move_form(picture.cards, picture, formdata=True)
    if not form.validate_on_submit():
        return _page(400, form)

    def move(course: int) -> Any:
        now = utcnow()
        cohort = drafts.move_member(
            db.session, course, form.person_id.data, form.cohort_id.data, now
        )
        membership.mark_moved(db.session, course, form.person_id.data, now)
        return cohort

    return _run(move, lambda cohort: f"Moved {_name(form.person_id.data)} into “{cohort.name}”.")


@bp.get("/cohorts/<int:cohort_id>/board")
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


@bp.post("/cohorts/<int:cohort_id>/<any(lock, unlock):change>")
def lock(cohort_id: int, change: str) -> Any:
    return _run(
        lambda course: drafts.set_locked(db.session, course, cohort_id, change == "lock", utcnow()),
        lambda c: (
            f"“{c.name}” is locked: re-forming and late joiners leave it alone."
            if c.locked
            else f"“{c.name}” is unlocked."
        ),
    )


@bp.post("/cohorts/<int:cohort_id>/rename")
def rename(cohort_id: int) -> Any:
    form = RenameForm()
    return _run(
        lambda course: drafts.rename_cohort(db.session, course, cohort_id, form.name.data),
        lambda c: f"Renamed to “{c.name}”.",
        form,
    )


@bp.post("/cohorts/publish")
def publish() -> Any:
    return _run(
        lambda course: drafts.publish_drafts(db.session, course, utcnow()),
        lambda n: f"Published {n} {plural(n, 'cohort')}. Their members can see them now.",
    )


@bp.post("/cohorts/<int:cohort_id>/members/<int:person_id>/remove")
def remove_member(cohort_id: int, person_id: int) -> Any:
    return _run(
        lambda course: upkeep.remove_member(db.session, course, cohort_id, person_id, utcnow()),
        lambda c: (
            f"Removed {_name(person_id)} from “{c.name}”."
            + (" They are now among the waiting learners." if c.status == "published" else "")
        ),
    )


@bp.post("/cohorts/<int:cohort_id>/merge")
def merge(cohort_id: int) -> Any:
    form = MergeCohortForm()
    return _run(
        lambda course: upkeep.merge_cohorts(
            db.session, course, cohort_id, form.target_id.data, utcnow()
        ),
        lambda c: f"Merged into “{c.name}”.",
        form,
    )


@bp.post("/cohorts/<int:cohort_id>/dismiss")
def dismiss(cohort_id: int) -> Any:
    return _run(
        lambda course: upkeep.dismiss_merge(db.session, course, cohort_id),
        lambda c: f"“{c.name}” stays as it is.",
    )


@bp.post("/waiting/<int:challenge_id>/form")
def form_from_waiting(challenge_id: int) -> Any:
    return _run(
        lambda course: upkeep.form_from_waiting(db.session, course, challenge_id, utcnow()),
        lambda rows: (
            f"Published {len(rows)} new {plural(len(rows), 'cohort')} from waiting learners; "
            "their members can see them now."
        ),
    )
