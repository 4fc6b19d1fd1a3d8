"""A learner's home, challenge picks and profile."""

from typing import Any

from flask import Blueprint, render_template, request, url_for

from cohorts import challenges, profiles
from cohorts.formation import upkeep
from cohorts.membership import published_cohort_of
from cohorts.models import utcnow

from ..auth import Viewer, allow, signed_in_viewer
from ..extensions import db
from ..forms import ChallengeForm
from ..pages import submit
from .forms import PickForm, ProfileForm

bp = Blueprint("course", __name__)


@bp.get("/")
@allow("learner", "guest")
def home() -> Any:
    viewer = signed_in_viewer()
    cohort = published_cohort_of(db.session, viewer.course_id, viewer.person_id)
    picks = challenges.choices_of(db.session, viewer.course_id, viewer.person_id)
    return render_template("learner/home.html", tab="home", cohort=cohort, picks=picks)


def _challenges_page(pick: PickForm, propose: ChallengeForm, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    return render_template(
        "learner/challenges.html",
        tab="challenges",
        rows=challenges.list_challenges(db.session, viewer.course_id),
        pick=pick,
        propose=propose,
        cohort=published_cohort_of(db.session, viewer.course_id, viewer.person_id),
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
@allow("learner", "guest")
def pick_challenges() -> Any:
    viewer = signed_in_viewer()
    form, propose = _pick_form(viewer), ChallengeForm(formdata=None)
    if request.method == "GET":
        return _challenges_page(form, propose)
    return submit(
        form,
        lambda: upkeep.pick_and_place(
            db.session, viewer.course_id, viewer.person_id, form.picks(), utcnow()
        ),
        done=lambda cohort: (
            "You joined a cohort. Say hello to them!"
            if cohort
            else "Thank you, your picks are saved. You can change them until cohorts are formed."
        ),
        back=lambda cohort: url_for("learner.cohort.my_cohort" if cohort else ".pick_challenges"),
        page=lambda status: _challenges_page(form, propose, status),
    )


@bp.post("/challenges/propose")
def propose_challenge() -> Any:
    viewer = signed_in_viewer()
    form, pick = ChallengeForm(), _pick_form(viewer)
    return submit(
        form,
        lambda: challenges.propose_challenge(
            db.session,
            viewer.course_id,
            viewer.person_id,
            title=form.title.data,
            description=form.description.data or "",
            kind=form.kind.data,
            now=utcnow(),
        ),
        done="Thank you! Your instructor will look at your suggestion soon.",
        back=".pick_challenges",
        page=lambda status: _challenges_page(pick, form, status),
    )


@bp.route("/profile", methods=["GET", "POST"])
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

    def page(status: int = 200) -> Any:
        return render_template("learner/profile.html", tab="profile", form=form), status

    if request.method == "GET":
        return page()
    return submit(
        form,
        lambda: profiles.save_profile(
            db.session,
            viewer.course_id,
            viewer.person_id,
            utc_offset=form.utc_offset.data,
            day_parts=form.availability.data or [],
            offers=form.offers.data or "",
            needs=form.needs.data or "",
            now=utcnow(),
        ),
        done="Your profile is saved.",
        back=".profile",
        page=page,
    )
