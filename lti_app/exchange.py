"""The learners' gift exchange: offer, ask, take up, give, receive, thank, report."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from cohorts.errors import DomainError
from cohorts.exchange import gifts, moderation, notifications, queries, steps, visibility
from cohorts.exchange.rules import KIND_LABELS, gift_state
from cohorts.exchange.settings import exchange_settings
from cohorts.membership import published_cohort_of
from cohorts.models import utcnow

from .auth import current_viewer, require_role, signed_in_viewer
from .cohort_forms import ActionForm
from .exchange_forms import AskForm, EditForm, OfferForm, ReportForm, ThanksForm, end_of_day
from .extensions import db
from .pages import refuse
from .rich_text import render_markdown

bp = Blueprint("exchange", __name__, url_prefix="/learner/exchange")
bp.add_app_template_filter(render_markdown, "markdown")


@bp.app_context_processor
def exchange_context() -> dict[str, Any]:
    """Give templates the kind labels and a lazy unread count for the tabs."""

    def unread() -> int:
        viewer = current_viewer()
        if viewer is None or viewer.role != "learner":
            return 0
        return notifications.unread_count(db.session, viewer.course_id, viewer.person_id)

    return {"gift_kinds": KIND_LABELS, "unread_notices": unread}


@bp.get("/")
@require_role("learner", "guest")
def home() -> Any:
    viewer = signed_in_viewer()
    page = queries.learner_exchange(db.session, viewer.course_id, viewer.person_id, utcnow())
    flow = (
        queries.cohort_flow(db.session, viewer.course_id, page.cohort_id)
        if page.cohort_id
        else None
    )
    return render_template(
        "learner/exchange.html", tab="exchange", page=page, flow=flow, action=ActionForm()
    )


def _compose(form: Any, template: str, save: Any, done: str) -> Any:
    """Show an offer or ask form; on a valid post, save it and go to the new gift."""
    viewer = signed_in_viewer()
    cohort = published_cohort_of(db.session, viewer.course_id, viewer.person_id)
    settings = exchange_settings(db.session, viewer.course_id)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                gift = save(viewer)
            except DomainError as error:
                status = refuse(error)
            else:
                db.session.commit()
                flash(done, "success")
                return redirect(url_for("exchange.gift", gift_id=gift.id))
    return render_template(
        template, tab="exchange", form=form, cohort=cohort, course_wide=settings.course_wide
    ), status


@bp.route("/offer", methods=["GET", "POST"])
@require_role("learner")
def offer() -> Any:
    form = OfferForm()
    return _compose(
        form,
        "learner/exchange_offer.html",
        lambda v: gifts.offer_gift(
            db.session,
            v.course_id,
            v.person_id,
            kind=form.kind.data,
            title=form.title.data,
            body=form.body.data or "",
            tags=form.tags.data or "",
            capacity=form.capacity.data,
            ends_at=end_of_day(form.ends_on.data),
            course_wide=form.course_wide.data,
            now=utcnow(),
        ),
        "Thank you for offering! Your cohort can see it now.",
    )


@bp.route("/ask", methods=["GET", "POST"])
@require_role("learner")
def ask() -> Any:
    form = AskForm()
    return _compose(
        form,
        "learner/exchange_ask.html",
        lambda v: gifts.ask_for_help(
            db.session,
            v.course_id,
            v.person_id,
            kind=form.kind.data,
            title=form.title.data,
            body=form.body.data or "",
            tags=form.tags.data or "",
            needed_by=end_of_day(form.needed_by.data),
            anonymous=form.anonymous.data,
            course_wide=form.course_wide.data,
            now=utcnow(),
        ),
        "Your ask is out. We show it first to classmates who offer help with these tags.",
    )


def _gift_page(
    gift_id: int, status: int = 200, edit: EditForm | None = None, report: ReportForm | None = None
) -> Any:
    viewer = signed_in_viewer()
    gift = visibility.get_gift(db.session, viewer.course_id, viewer.person_id, gift_id)
    own = gift.author_id == viewer.person_id
    state = gift_state(gift.status, gift.ends_at, gift.taken, gift.capacity, utcnow())
    return render_template(
        "learner/exchange_gift.html",
        tab="exchange",
        gift=gift,
        own=own,
        state=state,
        author=queries.author_name(gift, viewer.person_id),
        exchanges=queries.gift_exchanges(db.session, gift.id, viewer.person_id),
        history=gifts.edits_of(db.session, gift.id) if own else [],
        edit=edit or EditForm(formdata=None, obj=gift),
        report=report or ReportForm(formdata=None),
        thanks=ThanksForm(formdata=None),
        action=ActionForm(),
    ), status


@bp.get("/gifts/<int:gift_id>")
@require_role("learner", "guest")
def gift(gift_id: int) -> Any:
    try:
        return _gift_page(gift_id)
    except DomainError as error:
        return render_template("errors/404.html"), refuse(error)


def _act(gift_id: int, call: Any, message: str, form: Any = None) -> Any:
    """Check the form, run one service call, commit and go back to the gift."""
    viewer = signed_in_viewer()
    form = form or ActionForm()
    try:
        visibility.get_gift(db.session, viewer.course_id, viewer.person_id, gift_id)
        if not form.validate_on_submit():
            flash("Please check the form and try again.", "error")
            return _gift_page(gift_id, 400, **_forms_with(form))
        call(viewer)
    except DomainError as error:
        status = refuse(error)
        try:
            return _gift_page(gift_id, status)
        except DomainError:
            return render_template("errors/404.html"), status
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("exchange.gift", gift_id=gift_id))


def _forms_with(form: Any) -> dict[str, Any]:
    if isinstance(form, EditForm):
        return {"edit": form}
    if isinstance(form, ReportForm):
        return {"report": form}
    return {}


@bp.post("/gifts/<int:gift_id>/take")
@require_role("learner")
def take(gift_id: int) -> Any:
    return _act(
        gift_id,
        lambda v: steps.take_up(db.session, v.course_id, v.person_id, gift_id, utcnow()),
        "It's yours. Say hello to each other on your cohort board to arrange it.",
    )


@bp.post("/gifts/<int:gift_id>/withdraw")
@require_role("learner")
def withdraw(gift_id: int) -> Any:
    return _act(
        gift_id,
        lambda v: gifts.withdraw_gift(db.session, v.course_id, v.person_id, gift_id, utcnow()),
        "Withdrawn.",
    )


@bp.post("/gifts/<int:gift_id>/edit")
@require_role("learner")
def edit(gift_id: int) -> Any:
    form = EditForm()
    return _act(
        gift_id,
        lambda v: gifts.edit_gift(
            db.session,
            v.course_id,
            v.person_id,
            gift_id,
            title=form.title.data,
            body=form.body.data or "",
            now=utcnow(),
        ),
        "Saved. The earlier version is kept.",
        form,
    )


@bp.post("/exchanges/<int:exchange_id>/<any(give, receive, thank):action>")
@require_role("learner")
def step(exchange_id: int, action: str) -> Any:
    viewer = signed_in_viewer()
    form = ThanksForm()
    try:
        row = visibility.get_exchange(db.session, viewer.course_id, viewer.person_id, exchange_id)
    except DomainError as error:
        return render_template("errors/404.html"), refuse(error)
    messages = {
        "give": "Marked as given. They'll be asked to confirm.",
        "receive": "Lovely! Receipt confirmed.",
        "thank": "Your thanks was sent.",
    }
    return _act(
        row.gift_id,
        lambda v: steps.step(
            db.session,
            v.course_id,
            v.person_id,
            exchange_id,
            action,
            note=form.note.data or "",
            helpfulness=form.helpfulness_value(),
            now=utcnow(),
        ),
        messages[action],
        form,
    )


@bp.get("/notices")
@require_role("learner")
def notices() -> Any:
    viewer = signed_in_viewer()
    rows = notifications.recent(db.session, viewer.course_id, viewer.person_id)
    unread = {n.id for n in rows if n.read_at is None}
    notifications.mark_read(db.session, viewer.course_id, viewer.person_id, utcnow())
    db.session.commit()
    return render_template("learner/exchange_notices.html", tab="notices", rows=rows, unread=unread)


@bp.route("/report/<any(gift, post):target>/<int:target_id>", methods=["GET", "POST"])
@require_role("learner", "staff")
def report(target: str, target_id: int) -> Any:
    viewer = signed_in_viewer()
    form = ReportForm()
    try:
        item = moderation.find_target(
            db.session, viewer.course_id, viewer.person_id, target, target_id, viewer.is_staff
        )
    except DomainError as error:
        return render_template("errors/404.html"), refuse(error)
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                moderation.report(
                    db.session,
                    viewer.course_id,
                    viewer.person_id,
                    target,
                    target_id,
                    reason=form.reason.data,
                    staff=viewer.is_staff,
                    now=utcnow(),
                )
            except DomainError as error:
                status = refuse(error)
            else:
                db.session.commit()
                flash("Thank you for telling us. Staff will look at it.", "success")
                return redirect(
                    url_for(
                        "exchange_staff.moderation_queue" if viewer.is_staff else "exchange.home"
                    )
                )
    return render_template(
        "learner/exchange_report.html", item=item, form=form, tab="exchange"
    ), status
