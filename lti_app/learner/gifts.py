"""One gift's page: take it up, edit or withdraw it; its exchanges have their own pages."""

from collections.abc import Callable
from typing import Any

from flask import Blueprint, render_template, url_for

from cohorts.errors import DomainError
from cohorts.exchange import gifts, queries, steps, threads, visibility, wording
from cohorts.exchange.rules import gift_state
from cohorts.models import utcnow

from ..auth import allow, signed_in_viewer
from ..extensions import db
from ..forms import ActionForm
from ..pages import submit
from .forms import EditForm, ReportForm

bp = Blueprint("gifts", __name__, url_prefix="/exchange")


def _gift_page(gift_id: int, status: int = 200, edit: EditForm | None = None) -> Any:
    """Render the gift as this viewer may see it; a gift they may not see is a 404."""
    viewer = signed_in_viewer()
    try:
        gift = visibility.get_gift(db.session, viewer.course_id, viewer.person_id, gift_id)
    except DomainError as error:
        return render_template("errors/404.html"), error.status
    own = gift.author_id == viewer.person_id
    state = gift_state(gift.status, gift.ends_at, gift.taken, gift.capacity, utcnow())
    rows = queries.gift_exchanges(db.session, gift.id, viewer.person_id)
    return render_template(
        "learner/exchange_gift.html",
        tab="exchange",
        gift=gift,
        own=own,
        state=state,
        finished=wording.gift_finished(state, [r.status for r in rows]),
        author=queries.gift_author(db.session, gift, viewer.person_id),
        exchanges=rows,
        unread_messages=threads.unread_counts(db.session, viewer.course_id, viewer.person_id),
        history=gifts.edits_of(db.session, gift.id) if own else [],
        edit=edit or EditForm(formdata=None, obj=gift),
        report=ReportForm(formdata=None),
        action=ActionForm(),
    ), status


@bp.get("/gifts/<int:gift_id>")
@allow("learner", "guest")
def gift(gift_id: int) -> Any:
    return _gift_page(gift_id)


def _act(gift_id: int, form: Any, call: Callable[[], Any], done: str) -> Any:
    """Run one step on a gift and come back to it, or show it again with the refusal."""
    return submit(
        form,
        call,
        done=done,
        back=lambda _: url_for(".gift", gift_id=gift_id),
        page=lambda status: _gift_page(
            gift_id, status, edit=form if isinstance(form, EditForm) else None
        ),
        invalid="Please check the form and try again.",
    )


@bp.post("/gifts/<int:gift_id>/take")
def take(gift_id: int) -> Any:
    viewer = signed_in_viewer()
    return submit(
        ActionForm(),
        lambda: steps.take_up(db.session, viewer.course_id, viewer.person_id, gift_id, utcnow()),
        done="It's yours. Write to each other here to arrange it.",
        back=lambda row: url_for("learner.threads.exchange", exchange_id=row.id),
        page=lambda status: _gift_page(gift_id, status),
        invalid="Please check the form and try again.",
    )


@bp.post("/gifts/<int:gift_id>/withdraw")
def withdraw(gift_id: int) -> Any:
    viewer = signed_in_viewer()
    return _act(
        gift_id,
        ActionForm(),
        lambda: gifts.withdraw_gift(
            db.session, viewer.course_id, viewer.person_id, gift_id, utcnow()
        ),
        "Withdrawn.",
    )


@bp.post("/gifts/<int:gift_id>/edit")
def edit(gift_id: int) -> Any:
    viewer, form = signed_in_viewer(), EditForm()
    return _act(
        gift_id,
        form,
        lambda: gifts.edit_gift(
            db.session,
            viewer.course_id,
            viewer.person_id,
            gift_id,
            title=form.title.data,
            body=form.body.data or "",
            now=utcnow(),
        ),
        "Saved. The earlier version is kept.",
    )
