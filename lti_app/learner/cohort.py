"""The learner's published cohort: who is in it, why, and its board."""

from typing import Any

from flask import Blueprint, g, render_template, url_for

from cohorts import board, free_hours, profiles
from cohorts.activity.cohort_measures import quiet_members
from cohorts.activity.events import record_activity
from cohorts.exchange import moderation
from cohorts.exchange.encouragement import encourage as encourage_mate
from cohorts.formation.why import why_this_cohort
from cohorts.membership import published_cohort_of
from cohorts.models import utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..forms import ActionForm
from ..pages import submit
from .forms import PostForm

bp = Blueprint("cohort", __name__)


def _cohort_page(form: PostForm, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    cohort = published_cohort_of(db.session, viewer.course_id, viewer.person_id)
    if cohort is None:
        return render_template("learner/cohort.html", tab="cohort", why=None), status
    now = utcnow()
    why = why_this_cohort(db.session, viewer.course_id, cohort, viewer.person_id, now)
    zone = profiles.zone_of(db.session, viewer.course_id, viewer.person_id)
    g.viewer_zone = zone  # the page's times are shown in it too: no second lookup
    return render_template(
        "learner/cohort.html",
        tab="cohort",
        why=why,
        free=free_hours.free_together(why.together, why.sharing, len(why.mates) + 1, zone, now),
        threads=board.threads(db.session, cohort.id),
        hidden=moderation.hidden_post_ids(db.session, cohort.id),
        quiet=quiet_members(db.session, viewer.course_id, cohort.id, utcnow()),
        encourage_form=ActionForm(formdata=None),
        form=form,
        reply=PostForm(formdata=None),
    ), status


@bp.get("/cohort")
def my_cohort() -> Any:
    viewer = signed_in_viewer()
    if not viewer.read_only:
        record_activity(db.session, viewer.course_id, viewer.person_id, "cohort_view", utcnow())
        db.session.commit()
    return _cohort_page(PostForm(formdata=None))


@bp.post("/cohort/posts")
def add_post() -> Any:
    viewer = signed_in_viewer()
    form = PostForm()
    return submit(
        form,
        lambda: board.add_post(
            db.session,
            viewer.course_id,
            viewer.person_id,
            body=form.body.data,
            parent_id=form.parent_id.data,
            now=utcnow(),
        ),
        done="Your message is on the board.",
        back=lambda _: url_for(".my_cohort") + "#board",
        page=lambda status: _cohort_page(form, status),
    )


@bp.post("/cohort/members/<int:mate_id>/encourage")
def encourage(mate_id: int) -> Any:
    viewer = signed_in_viewer()
    return submit(
        ActionForm(),
        lambda: encourage_mate(db.session, viewer.course_id, viewer.person_id, mate_id, utcnow()),
        done=lambda row: f"Sent. {row.receiver.display_name} will find your encouragement.",
        back=".my_cohort",
        page=lambda status: _cohort_page(PostForm(formdata=None), status),
        invalid="The page was open too long; please try again.",
    )
