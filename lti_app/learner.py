"""Pages for learners (and read-only guests) inside their course."""

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from cohorts import board, challenges, profiles
from cohorts.errors import DomainError
from cohorts.exchange import moderation
from cohorts.formation import reports, upkeep
from cohorts.membership import published_cohort_of
from cohorts.models import utcnow

from .auth import Viewer, require_role, signed_in_viewer
from .cohort_forms import ChallengeForm, PickForm, PostForm, ProfileForm
from .extensions import db
from .pages import refuse

bp = Blueprint("learner", __name__, url_prefix="/learner")


@bp.get("/")
@require_role("learner", "guest")
def home() -> Any:
    viewer = signed_in_viewer()
    cohort = published_cohort_of(db.session, viewer.course_id, viewer.person_id)
    picks = challenges.choices_of(db.session, viewer.course_id, viewer.person_id)
    return render_template("learner/home.html", tab="home", cohort=cohort, picks=picks)


def _challenges_page(pick: PickForm, propose: ChallengeForm, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    rows = challenges.list_challenges(db.session, viewer.course_id)
    cohort = published_cohort_of(db.session, viewer.course_id, viewer.person_id)
    return render_template(
        "learner/challenges.html",
        tab="challenges",
        rows=rows,
        pick=pick,
        propose=propose,
        cohort=cohort,
    ), status


def _pick_form(viewer: Viewer) -> PickForm:
    rows = challenges.list_challenges(db.session, viewer.course_id)
    form = PickForm()
    form.set_challenges([(r.challenge.id, r.challenge.title) for r in rows])
    if request.method == "GET":
        chosen = challenges.choices_of(db.session, viewer.course_id, viewer.person_id)
        for name, cid in zip(("first", "second", "third"), chosen, strict=False):
            getattr(form, name).data = cid
    return form


@bp.route("/challenges", methods=["GET", "POST"])
@require_role("learner", "guest")
def pick_challenges() -> Any:
    viewer = signed_in_viewer()
    form = _pick_form(viewer)
    propose = ChallengeForm(formdata=None)
    if request.method == "POST":
        if viewer.read_only:
            return render_template("errors/403.html"), 403
        if not form.validate_on_submit():
            return _challenges_page(form, propose, 400)
        try:
            cohort = upkeep.pick_and_place(
                db.session, viewer.course_id, viewer.person_id, form.picks(), utcnow()
            )
        except DomainError as error:
            return _challenges_page(form, propose, refuse(error))
        db.session.commit()
        flash(
            "You joined a cohort. Say hello to them!"
            if cohort
            else "Thank you, your picks are saved. You can change them until cohorts are formed.",
            "success",
        )
        return redirect(url_for("learner.my_cohort" if cohort else "learner.pick_challenges"))
    return _challenges_page(form, propose)


@bp.post("/challenges/propose")
@require_role("learner")
def propose_challenge() -> Any:
    viewer = signed_in_viewer()
    form = ChallengeForm()
    pick = _pick_form(viewer)
    if not form.validate_on_submit():
        return _challenges_page(pick, form, 400)
    try:
        challenges.propose_challenge(
            db.session,
            viewer.course_id,
            viewer.person_id,
            title=form.title.data,
            description=form.description.data or "",
            kind=form.kind.data,
            now=utcnow(),
        )
    except DomainError as error:
        return _challenges_page(pick, form, refuse(error))
    db.session.commit()
    flash("Thank you! Your instructor will look at your suggestion soon.", "success")
    return redirect(url_for("learner.pick_challenges"))


@bp.route("/profile", methods=["GET", "POST"])
@require_role("learner")
def profile() -> Any:
    viewer = signed_in_viewer()
    stored = profiles.facts_of(profiles.get_profile(db.session, viewer.course_id, viewer.person_id))
    form = ProfileForm(
        data={
            "utc_offset": stored.utc_offset,
            "availability": list(stored.day_parts),
            "offers": ", ".join(sorted(stored.offers)),
            "needs": ", ".join(sorted(stored.needs)),
        }
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate_on_submit():
            try:
                profiles.save_profile(
                    db.session,
                    viewer.course_id,
                    viewer.person_id,
                    utc_offset=form.utc_offset.data,
                    day_parts=form.availability.data or [],
                    offers=form.offers.data or "",
                    needs=form.needs.data or "",
                    now=utcnow(),
                )
            except DomainError as error:
                status = refuse(error)
            else:
                db.session.commit()
                flash("Your profile is saved.", "success")
                return redirect(url_for("learner.profile"))
    return render_template("learner/profile.html", tab="profile", form=form), status


def _cohort_page(form: PostForm, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    cohort = published_cohort_of(db.session, viewer.course_id, viewer.person_id)
    if cohort is None:
        return render_template("learner/cohort.html", tab="cohort", why=None), status
    why = reports.why_this_cohort(db.session, viewer.course_id, cohort, viewer.person_id)
    threads = board.threads(db.session, cohort.id)
    hidden = moderation.hidden_post_ids(db.session, cohort.id)
    return render_template(
        "learner/cohort.html",
        tab="cohort",
        why=why,
        threads=threads,
        hidden=hidden,
        form=form,
        reply=PostForm(formdata=None),
    ), status


@bp.get("/cohort")
@require_role("learner")
def my_cohort() -> Any:
    return _cohort_page(PostForm(formdata=None))


@bp.post("/cohort/posts")
@require_role("learner")
def add_post() -> Any:
    viewer = signed_in_viewer()
    form = PostForm()
    if not form.validate_on_submit():
        return _cohort_page(form, 400)
    try:
        parent = int(form.parent_id.data) if form.parent_id.data else None
        now = utcnow()
        board.add_post(
            db.session,
            viewer.course_id,
            viewer.person_id,
            body=form.body.data,
            parent_id=parent,
            now=now,
        )
    except ValueError:
        return _cohort_page(form, 400)
    except DomainError as error:
        return _cohort_page(form, refuse(error))
    db.session.commit()
    flash("Your message is on the board.", "success")
    return redirect(url_for("learner.my_cohort") + "#board")
