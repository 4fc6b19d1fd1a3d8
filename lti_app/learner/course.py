"""A learner's home, challenge picks and profile."""

from typing import Any

from flask import Blueprint, g, render_template, request, url_for
from sqlalchemy import select

from cohorts import challenges, picks, profiles, timezones
from cohorts.exchange.queries import tag_suggestions
from cohorts.formation import report_upkeep, upkeep
from cohorts.learner_status import learner_status
from cohorts.membership import published_cohort_of
from cohorts.models import Person, utcnow

from ..auth import Viewer, allow, signed_in_viewer
from ..extensions import db
from ..forms import ChallengeForm
from ..pages import submit
from .forms import NameForm, PickForm, PickMoveForm, ProfileForm

bp = Blueprint("course", __name__)


@bp.get("/")
@allow("learner", "guest")
def home() -> Any:
    viewer = signed_in_viewer()
    status = learner_status(db.session, viewer.course_id, viewer.person_id)
    g.unread_notices = status.unread  # the tab's badge shows the same count
    return render_template("learner/home.html", tab="home", cohort=status.cohort, status=status)


def _challenges_page(
    pick: PickForm, propose: ChallengeForm, status: int = 200, listed: Any = None
) -> Any:
    """The challenges page; ``listed`` is the (challenges, picks) pair already read, if any."""
    viewer = signed_in_viewer()
    rows, mine = listed or _listed(viewer)
    titles = {r.challenge.id: r.challenge.title for r in rows}
    return render_template(
        "learner/challenges.html",
        tab="challenges",
        rows=rows,
        mine=[(cid, titles[cid]) for cid in mine if cid in titles],
        ranks={cid: rank for rank, cid in enumerate(mine, start=1)},
        step=PickMoveForm(formdata=None),
        ordinal=picks.ordinal,
        pick=pick,
        propose=propose,
        proposing=status != 200 and request.endpoint == "learner.course.propose_challenge",
        cohort=published_cohort_of(db.session, viewer.course_id, viewer.person_id),
    ), status


def _listed(viewer: Viewer) -> tuple[list[challenges.ChallengeRow], list[int]]:
    """The course's active challenges with their counts, and the viewer's picks in order."""
    return (
        challenges.list_challenges(db.session, viewer.course_id),
        challenges.choices_of(db.session, viewer.course_id, viewer.person_id),
    )


def _pick_form(viewer: Viewer, listed: Any = None) -> PickForm:
    rows, chosen = listed or _listed(viewer)
    form = PickForm()
    form.set_challenges([(r.challenge.id, r.challenge.title) for r in rows])
    if request.method == "GET":
        for name, cid in zip(("first", "second", "third"), chosen, strict=False):
            getattr(form, name).data = cid
    return form


@bp.route("/challenges", methods=["GET", "POST"])
@allow("learner", "guest")
def pick_challenges() -> Any:
    viewer = signed_in_viewer()
    listed = _listed(viewer)
    form, propose = _pick_form(viewer, listed), ChallengeForm(formdata=None)
    if request.method == "GET":
        return _challenges_page(form, propose, listed=listed)
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


def _step_done(picked: list[int], before: list[int], challenge_id: int, move: str) -> str:
    title = challenges.get_challenge(db.session, signed_in_viewer().course_id, challenge_id).title
    if move == "remove":
        return f"“{title}” is no longer among your picks."
    if challenge_id not in picked:
        return "Nothing changed."
    said = f"“{title}” is now your {picks.ordinal(picked.index(challenge_id) + 1)} choice."
    dropped = [c for c in before if c not in picked and c != challenge_id]
    if dropped:
        gone = challenges.get_challenge(db.session, signed_in_viewer().course_id, dropped[0])
        said += f" “{gone.title}” made room: you can pick three at most."
    return said


@bp.post("/challenges/<int:challenge_id>/<any(add, up, down, remove):move>")
def step_pick(challenge_id: int, move: str) -> Any:
    """Add a challenge to the picks at a rank, move it up or down, or remove it."""
    viewer = signed_in_viewer()
    form = PickMoveForm()
    before = challenges.choices_of(db.session, viewer.course_id, viewer.person_id)
    after: list[int] = []

    def call() -> Any:
        wanted = ("active",) if move == "add" else None
        challenges.get_challenge(db.session, viewer.course_id, challenge_id, wanted)
        after[:] = picks.rearranged(before, challenge_id, move, form.rank.data or 1)
        if not after:
            return picks.clear_picks(db.session, viewer.course_id, viewer.person_id)
        return upkeep.pick_and_place(
            db.session, viewer.course_id, viewer.person_id, list(after), utcnow()
        )

    return submit(
        form,
        call,
        done=lambda cohort: (
            "You joined a cohort. Say hello to them!"
            if cohort
            else _step_done(after, before, challenge_id, move)
        ),
        back=lambda cohort: url_for("learner.cohort.my_cohort" if cohort else ".pick_challenges"),
        page=lambda status: _challenges_page(
            _pick_form(viewer), ChallengeForm(formdata=None), status
        ),
        invalid="That request was incomplete; please try again.",
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


def _profile_form(viewer: Viewer, formdata: bool = True) -> tuple[ProfileForm, Any]:
    """The profile form filled from what is stored, with the time zones to choose from."""
    now = utcnow()
    stored = profiles.facts_of(
        profiles.get_profile(db.session, viewer.course_id, viewer.person_id), now
    )
    data = {
        "time_zone": stored.time_zone or "",
        "availability": list(stored.day_parts),
        "offers": ", ".join(sorted(stored.offers)),
        "needs": ", ".join(sorted(stored.needs)),
    }
    form = ProfileForm(data=data) if formdata else ProfileForm(formdata=None, data=data)
    form.set_zones(now, stored.time_zone)
    return form, stored


def _profile_page(form: ProfileForm, stored: Any, name: "NameForm", status: int = 200) -> Any:
    viewer = signed_in_viewer()
    person = db.session.scalars(select(Person).where(Person.id == viewer.person_id)).one()
    if status == 200 and person.chosen_name:
        name.name.data = person.chosen_name
    return render_template(
        "learner/profile.html",
        tab="profile",
        form=form,
        fixed=bool(stored.time_zone and timezones.is_fixed(stored.time_zone)),
        suggestions=tag_suggestions(db.session, viewer.course_id),
        name=name,
        person=person,
    ), status


@bp.route("/profile", methods=["GET", "POST"])
def profile() -> Any:
    viewer = signed_in_viewer()
    form, stored = _profile_form(viewer)

    def page(status: int = 200) -> Any:
        return _profile_page(form, stored, NameForm(formdata=None), status)

    if request.method == "GET":
        return page()
    return submit(
        form,
        lambda: report_upkeep.update_profile(
            db.session,
            viewer.course_id,
            viewer.person_id,
            time_zone=form.time_zone.data or None,
            day_parts=form.availability.data or [],
            offers=form.offers.data or "",
            needs=form.needs.data or "",
            now=utcnow(),
        ),
        done="Your profile is saved.",
        back=".profile",
        page=page,
    )


@bp.post("/profile/name")
def choose_name() -> Any:
    """Let a learner whose course site sent no name choose the one classmates see."""
    viewer = signed_in_viewer()
    form = NameForm()
    return submit(
        form,
        lambda: profiles.choose_name(db.session, viewer.person_id, form.name.data or ""),
        done=lambda person: f"Thank you. Classmates now see you as “{person.chosen_name}”.",
        back=".profile",
        page=lambda status: _profile_page(*_profile_form(viewer, formdata=False), form, status),
    )
