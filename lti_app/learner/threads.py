"""One exchange's page: where it stands, its steps (give, receive, thank) and its thread."""

from typing import Any

from flask import Blueprint, render_template, url_for

from cohorts.errors import DomainError
from cohorts.exchange import steps, threads
from cohorts.models import utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..forms import ActionForm
from ..pages import submit
from .forms import MessageForm, ReportForm, ThanksForm

bp = Blueprint("threads", __name__, url_prefix="/exchange")
STEP_DONE = {
    "give": "Marked as given. They'll be asked to confirm they received it.",
    "receive": "Lovely! You confirmed you received it.",
    "thank": "Your thanks was sent.",
}


def _exchange_page(
    exchange_id: int,
    status: int = 200,
    message: MessageForm | None = None,
    step_form: ThanksForm | None = None,
) -> Any:
    """Render one of the viewer's exchanges; any other is a 404. Opening it reads the thread."""
    viewer = signed_in_viewer()
    try:
        row = threads.open_exchange(db.session, viewer.course_id, viewer.person_id, exchange_id)
    except DomainError as error:
        return render_template("errors/404.html"), error.status
    messages = threads.thread(db.session, row, viewer.person_id)
    giving = row.giver_id == viewer.person_id
    other = row.receiver if giving else row.giver
    page = render_template(
        "learner/exchange_thread.html",
        tab="exchange",
        row=row,
        gift=row.gift,
        giving=giving,
        other=threads.name_for(row.gift, other.id, other.display_name, viewer.person_id, False),
        messages=messages,
        form=message or MessageForm(formdata=None),
        step=step_form or ThanksForm(formdata=None),
        report=ReportForm(formdata=None),
        action=ActionForm(),
    )
    if status == 200:
        threads.mark_read(db.session, row, viewer.person_id, utcnow())
        db.session.commit()
    return page, status


def _back(exchange_id: int) -> str:
    return url_for(".exchange", exchange_id=exchange_id) + "#conversation"


@bp.get("/exchanges/<int:exchange_id>")
def exchange(exchange_id: int) -> Any:
    return _exchange_page(exchange_id)


@bp.post("/exchanges/<int:exchange_id>/messages")
def write(exchange_id: int) -> Any:
    viewer, form = signed_in_viewer(), MessageForm()
    return submit(
        form,
        lambda: threads.post_message(
            db.session, viewer.course_id, viewer.person_id, exchange_id, form.body.data, utcnow()
        ),
        done="Sent. We let them know.",
        back=lambda _: _back(exchange_id),
        page=lambda status: _exchange_page(exchange_id, status, message=form),
    )


@bp.post("/exchanges/<int:exchange_id>/<any(give, receive, thank):action>")
def step(exchange_id: int, action: str) -> Any:
    viewer, form = signed_in_viewer(), ThanksForm()
    return submit(
        form,
        lambda: steps.step(
            db.session,
            viewer.course_id,
            viewer.person_id,
            exchange_id,
            action,
            note=form.note.data or "",
            helpfulness=form.helpfulness_value(),
            help_text=form.help_text.data or "",
            now=utcnow(),
        ),
        done=STEP_DONE[action],
        back=lambda _: _back(exchange_id),
        page=lambda status: _exchange_page(exchange_id, status, step_form=form),
        invalid="Please check the form and try again.",
    )
