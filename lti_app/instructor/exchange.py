"""Staff pages of the gift exchange: the course picture, settings and the moderation queue."""

from collections import Counter
from typing import Any

from flask import Blueprint, render_template, request, url_for
from sqlalchemy import select

from cohorts.errors import DomainError
from cohorts.exchange import moderation, report, reporting, threads
from cohorts.exchange.settings import exchange_settings, save_exchange_settings
from cohorts.models import ModerationCase, utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..forms import ActionForm
from ..pages import submit
from .forms import ExchangeSettingsForm

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
#: Decided cases listed under the queue, the latest first.
DECIDED_SHOWN = 50
#: What staff are told after a decision, by the case's state before it.
DECIDED = {
    ("restore", "open"): "Kept: it stays visible and its reports are closed. Nobody is told.",
    ("restore", "hidden"): "Restored: learners can see it again. Nobody is told.",
    ("remove", "open"): (
        "Removed: learners no longer see it; it is kept for the record. Its author is told "
        "the kinds of problem reported, never who reported it."
    ),
}
DECIDED[("remove", "hidden")] = DECIDED[("remove", "open")]


@bp.get("/")
def overview() -> Any:
    number = request.args.get("page", "1")
    page = int(number) if number.isdigit() and len(number) < 6 else 1
    picture = report.course_exchange(db.session, signed_in_viewer().course_id, utcnow(), page)
    return render_template("instructor/exchange.html", tab="exchange", picture=picture)


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Any:
    viewer = signed_in_viewer()
    form = ExchangeSettingsForm(obj=exchange_settings(db.session, viewer.course_id))

    def page(status: int = 200) -> Any:
        return render_template(
            "instructor/exchange_settings.html", tab="exchange", form=form
        ), status

    if request.method == "GET":
        db.session.commit()  # keep the defaults created on first visit
        return page()
    return submit(
        form,
        lambda: save_exchange_settings(
            db.session,
            viewer.course_id,
            course_wide=form.course_wide.data,
            weekly_cap=form.weekly_cap.data,
            report_threshold=form.report_threshold.data,
        ),
        done="Exchange settings saved.",
        back=".settings",
        page=page,
    )


def _grouped(reasons: list[tuple[str, str, str]]) -> list[tuple[str, str, str, int]]:
    """One line per reporter, kind and words, with how many times they sent it."""
    counts = Counter(reasons)
    return [(*reason, counts[reason]) for reason in dict.fromkeys(reasons)]


def _queue(status: int = 200) -> Any:
    course = signed_in_viewer().course_id
    items = moderation.queue(db.session, course)
    done = moderation.queue(db.session, course, ("restored", "removed"), limit=DECIDED_SHOWN)
    return render_template(
        "instructor/exchange_moderation.html",
        tab="moderation",
        items=items,
        reasons={item.case.id: _grouped(item.reasons) for item in items},
        done=done,
        piled_on=reporting.piled_on(db.session, course, utcnow()),
        action=ActionForm(),
    ), status


@bp.get("/moderation")
def moderation_queue() -> Any:
    return _queue()


@bp.post("/moderation/<int:case_id>/<any(restore, remove):decision>")
def decide(case_id: int, decision: str) -> Any:
    viewer = signed_in_viewer()
    before = db.session.scalar(
        select(ModerationCase.state).where(
            ModerationCase.id == case_id, ModerationCase.course_id == viewer.course_id
        )
    )
    return submit(
        ActionForm(),
        lambda: moderation.decide(
            db.session, viewer.course_id, viewer.person_id, case_id, decision, utcnow()
        ),
        done=DECIDED.get((decision, before or ""), "Decided."),
        back=".moderation_queue",
        page=_queue,
        invalid="That request was incomplete; please try again.",
    )


def _thread(exchange_id: int, status: int = 200) -> Any:
    """Staff read a whole conversation, names shown, to judge a report or hide a message."""
    viewer = signed_in_viewer()
    try:
        row = threads.open_exchange(
            db.session, viewer.course_id, viewer.person_id, exchange_id, staff=True
        )
    except DomainError as error:
        return render_template("errors/404.html"), error.status
    return render_template(
        "instructor/exchange_thread.html",
        tab="moderation",
        row=row,
        gift=row.gift,
        messages=threads.thread(db.session, row, viewer.person_id, staff=True),
        action=ActionForm(),
    ), status


@bp.get("/exchanges/<int:exchange_id>")
def conversation(exchange_id: int) -> Any:
    return _thread(exchange_id)


@bp.post("/messages/<int:message_id>/hide")
def hide_message(message_id: int) -> Any:
    viewer = signed_in_viewer()
    return submit(
        ActionForm(),
        lambda: moderation.hide(
            db.session, viewer.course_id, viewer.person_id, "message", message_id, utcnow()
        ),
        done="Hidden from learners. Restore it from the moderation queue if you change your mind.",
        back=lambda case: url_for(".moderation_queue") + f"#case-{case.id}",
        page=_queue,
        invalid="That request was incomplete; please try again.",
    )
