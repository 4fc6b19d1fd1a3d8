"""Staff pages for cohorts: form a draft, edit it, publish, keep cohorts whole."""

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from flask import Blueprint, abort, render_template, request, url_for
from sqlalchemy import func, select

from cohorts import board as cohort_board
from cohorts import member_fit, membership
from cohorts.errors import DomainError
from cohorts.exchange import moderation
from cohorts.formation import drafts, reports, upkeep
from cohorts.formation import settings as formation_settings
from cohorts.limits import ONE_CHALLENGE_AT_A_TIME
from cohorts.models import Choice, Cohort, Person, utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..forms import ActionForm, options
from ..pages import submit
from ..templating import plural
from .forms import MergeCohortForm, MoveForm, RenameForm

bp = Blueprint("cohorts", __name__)
T = TypeVar("T")


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


def _back() -> str:
    """Return to the cohorts page, on the challenge the staff member was looking at."""
    focus = parse_qs(urlsplit(request.referrer or "").query).get("challenge", [None])[0]
    return url_for(".cohorts", challenge=focus)


def _page(status: int = 200, move: MoveForm | None = None) -> Any:
    viewer = signed_in_viewer()
    picture = reports.formation_picture(db.session, viewer.course_id)
    focus, challenge_choices = _focus(picture.cards)
    cards = [c for c in picture.cards if focus is None or c.cohort.challenge_id == focus]
    shown = [(c.cohort.id, c.cohort.challenge_id, [p.id for p in c.members]) for c in cards]
    return render_template(
        "instructor/cohorts.html",
        tab="cohorts",
        picture=picture,
        settings=formation_settings.get_settings(db.session, viewer.course_id),
        focus=focus,
        challenge_choices=challenge_choices,
        draft_total=sum(c.cohort.status == "draft" for c in picture.cards),
        drafts=[c for c in cards if c.cohort.status == "draft"],
        published=[c for c in cards if c.cohort.status == "published"],
        waiting=upkeep.waiting_groups(db.session, viewer.course_id),
        fits=member_fit.course_fits(db.session, viewer.course_id, shown),
        moves=membership.manual_moves(db.session, viewer.course_id),
        removed=_removed(viewer.course_id, [x.person.id for x in picture.left_out]),
        suggestions=upkeep.shrink_suggestions(db.session, viewer.course_id),
        move=move or _move_form(cards, picture),
        rename=RenameForm(formdata=None),
        action=ActionForm(),
        merge=MergeCohortForm(formdata=None),
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
    return submit(
        form or ActionForm(),
        lambda: call(course),
        done=done,
        back=lambda _: _back(),
        page=_page,
        invalid="That request was incomplete; please try again.",
    )


@bp.get("/cohorts")
def cohorts() -> Any:
    return _page()


@bp.post("/cohorts/form")
def form_draft() -> Any:
    return _run(
        lambda course: drafts.form_draft(db.session, course, utcnow()),
        lambda rows: (
            f"Formed {len(rows)} draft {plural(len(rows), 'cohort')}. "
            "Review the drafts, then publish."
        ),
    )


@bp.post("/cohorts/move")
def move_member() -> Any:
    viewer = signed_in_viewer()
    picture = reports.formation_picture(db.session, viewer.course_id)
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
        lambda course: drafts.set_locked(db.session, course, cohort_id, change == "lock"),
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
        lambda course: upkeep.remove_member(db.session, course, cohort_id, person_id),
        lambda c: (
            f"Removed {_name(person_id)} from “{c.name}”."
            + (" They are now among the waiting learners." if c.status == "published" else "")
        ),
    )


@bp.post("/cohorts/<int:cohort_id>/merge")
def merge(cohort_id: int) -> Any:
    form = MergeCohortForm()
    return _run(
        lambda course: upkeep.merge_cohorts(db.session, course, cohort_id, form.target_id.data),
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
