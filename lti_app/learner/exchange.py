"""The learners' exchange page, writing offers and asks, notices and reports."""

from typing import Any

from flask import Blueprint, g, render_template, request, url_for

from cohorts.errors import DomainError
from cohorts.exchange import gifts, moderation, notifications, queries, reporting, threads
from cohorts.exchange.settings import exchange_settings
from cohorts.membership import published_cohort_of
from cohorts.models import utcnow

from ..auth import allow, signed_in_viewer
from ..extensions import db
from ..forms import ActionForm
from ..pages import refuse, submit
from .forms import AskForm, OfferForm, ReportForm, end_of_day

bp = Blueprint("exchange", __name__, url_prefix="/exchange")


@bp.get("/")
@allow("learner", "guest")
def home() -> Any:
    viewer = signed_in_viewer()
    page = queries.learner_exchange(db.session, viewer.course_id, viewer.person_id, utcnow())
    flow = (
        queries.cohort_flow(
            db.session, viewer.course_id, page.cohort_id, viewer_id=viewer.person_id
        )
        if page.cohort_id
        else None
    )
    return render_template(
        "learner/exchange.html",
        tab="exchange",
        page=page,
        flow=flow,
        unread_messages=threads.unread_counts(db.session, viewer.course_id, viewer.person_id),
        action=ActionForm(),
    )


def _compose(form: OfferForm | AskForm, template: str, save: Any, done: str) -> Any:
    """Show an offer or ask form; on a valid post, save it and go to the new gift."""
    viewer = signed_in_viewer()

    def page(status: int = 200) -> Any:
        return render_template(
            template,
            tab="exchange",
            form=form,
            cohort=published_cohort_of(db.session, viewer.course_id, viewer.person_id),
            course_wide=exchange_settings(db.session, viewer.course_id).course_wide,
            suggestions=queries.tag_suggestions(db.session, viewer.course_id),
        ), status

    if request.method == "GET":
        return page()
    return submit(
        form,
        save,
        done=done,
        back=lambda gift: url_for("learner.gifts.gift", gift_id=gift.id),
        page=page,
    )


@bp.route("/offer", methods=["GET", "POST"])
def offer() -> Any:
    viewer, form = signed_in_viewer(), OfferForm()
    return _compose(
        form,
        "learner/exchange_offer.html",
        lambda: gifts.offer_gift(
            db.session,
            viewer.course_id,
            viewer.person_id,
            **form.shared(),
            capacity=form.capacity.data,
            ends_at=end_of_day(form.ends_on.data),
            now=utcnow(),
        ),
        "Thank you for offering! Your cohort can see it now.",
    )


@bp.route("/ask", methods=["GET", "POST"])
def ask() -> Any:
    viewer, form = signed_in_viewer(), AskForm()
    return _compose(
        form,
        "learner/exchange_ask.html",
        lambda: gifts.ask_for_help(
            db.session,
            viewer.course_id,
            viewer.person_id,
            **form.shared(),
            needed_by=end_of_day(form.needed_by.data),
            anonymous=form.anonymous.data,
            now=utcnow(),
        ),
        "Your ask is out. We show it first to classmates who offer help with these tags.",
    )


@bp.get("/notices")
def notices() -> Any:
    viewer = signed_in_viewer()
    rows = notifications.recent(db.session, viewer.course_id, viewer.person_id)
    unread = {n.id for n in rows if n.read_at is None}
    notifications.mark_read(db.session, viewer.course_id, viewer.person_id, utcnow())
    db.session.commit()
    g.unread_notices = 0  # the tab's badge: every notice is read now
    return render_template("learner/exchange_notices.html", tab="notices", rows=rows, unread=unread)


@bp.route("/report/<any(gift, post, message):target>/<int:target_id>", methods=["GET", "POST"])
@allow("learner", "staff")
def report(target: str, target_id: int) -> Any:
    viewer, form = signed_in_viewer(), ReportForm()
    try:
        item = moderation.find_target(
            db.session, viewer.course_id, viewer.person_id, target, target_id, viewer.is_staff
        )
    except DomainError as error:
        return render_template("errors/404.html"), refuse(error)

    def page(status: int = 200) -> Any:
        return render_template(
            "learner/exchange_report.html", item=item, form=form, tab="exchange"
        ), status

    if request.method == "GET":
        return page()
    return submit(
        form,
        lambda: reporting.report(
            db.session,
            viewer.course_id,
            viewer.person_id,
            target,
            target_id,
            category=form.category.data,
            details=form.details.data or "",
            staff=viewer.is_staff,
            now=utcnow(),
        ),
        done="Thank you for telling us. Staff will look at it.",
        back="instructor.exchange.moderation_queue" if viewer.is_staff else ".home",
        page=page,
    )
