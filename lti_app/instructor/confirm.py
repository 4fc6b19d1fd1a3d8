"""Ask before the staff actions learners notice at once: publish, remove a member, archive."""

from typing import Any

from flask import Blueprint, abort, render_template, url_for
from sqlalchemy import func, select

from cohorts import challenges, membership
from cohorts.errors import NotFound
from cohorts.models import Choice, Cohort, Membership, Person

from ..auth import signed_in_viewer
from ..extensions import db
from ..forms import ActionForm
from ..templating import plural

bp = Blueprint("confirm", __name__)


def _ask(question: str, lines: list[str], button: str, action: str, cancel: str, **kw: Any) -> Any:
    """Render the question; without a button the page only leads back."""
    return render_template(
        "instructor/confirm.html",
        tab=kw.pop("tab", "cohorts"),
        question=question,
        consequences=lines,
        button=button,
        action=action,
        cancel=cancel,
        form=ActionForm(formdata=None),
        danger=kw.pop("danger", False),
    )


@bp.get("/cohorts/publish")
def publish() -> Any:
    course = signed_in_viewer().course_id
    drafts, members = db.session.execute(
        select(func.count(func.distinct(Cohort.id)), func.count(Membership.id))
        .outerjoin(Membership, Membership.cohort_id == Cohort.id)
        .where(Cohort.course_id == course, Cohort.status == "draft")
    ).one()
    if not drafts:
        return _ask(
            "Nothing to publish",
            ["There are no draft cohorts. Form draft cohorts first, then publish them."],
            "",
            "",
            url_for("instructor.cohorts.cohorts"),
        )
    return _ask(
        f"Publish {drafts} draft {plural(drafts, 'cohort')}?",
        [
            f"{members} {plural(members, 'learner')} see their cohort, its members and its "
            "board right away.",
            "After publishing you can still remove members or merge small cohorts, but "
            "re-forming leaves published cohorts as they are.",
        ],
        f"Publish {drafts} {plural(drafts, 'cohort')}",
        url_for("instructor.cohorts.publish"),
        url_for("instructor.cohorts.cohorts"),
    )


@bp.get("/cohorts/<int:cohort_id>/members/<int:person_id>/remove")
def remove_member(cohort_id: int, person_id: int) -> Any:
    course = signed_in_viewer().course_id
    try:
        cohort = membership.get_cohort(db.session, course, cohort_id, ("draft", "published"))
    except NotFound:
        abort(404)
    person = db.session.scalar(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.cohort_id == cohort.id, Person.id == person_id)
    )
    if person is None:
        abort(404)
    name = person.display_name
    if cohort.status == "published":
        lines = [
            f"{name} no longer sees “{cohort.name}” or its board; their earlier messages stay.",
            "Their picks stay, so they are listed among waiting learners and can be placed "
            "again. Communitas does not tell them; let them know why if it helps.",
        ]
    else:
        lines = [
            f"{name} is left out of the drafts until you move them into one or re-form.",
            "Learners see nothing of drafts, so they are not told.",
        ]
    return _ask(
        f"Remove {name} from “{cohort.name}”?",
        lines,
        f"Remove {name}",
        url_for("instructor.cohorts.remove_member", cohort_id=cohort.id, person_id=person_id),
        url_for("instructor.cohorts.cohorts", challenge=cohort.challenge_id),
        danger=True,
    )


@bp.get("/challenges/<int:challenge_id>/archive")
def archive(challenge_id: int) -> Any:
    course = signed_in_viewer().course_id
    try:
        challenge = challenges.get_challenge(db.session, course, challenge_id, ("active",))
    except NotFound:
        abort(404)
    picks = db.session.scalar(
        select(func.count(Choice.id)).where(Choice.challenge_id == challenge.id)
    )
    running = db.session.scalar(
        select(func.count(Cohort.id)).where(
            Cohort.challenge_id == challenge.id, Cohort.status == "published"
        )
    )
    return _ask(
        f"Archive “{challenge.title}”?",
        [
            "Learners can no longer pick it.",
            f"{picks or 0} {plural(picks or 0, 'learner')} picked it; "
            f"{running or 0} published {plural(running or 0, 'cohort')} around it keep running.",
            "There is no undo: to offer it again, add it as a new challenge.",
        ],
        "Archive it",
        url_for("instructor.challenges.change_status", challenge_id=challenge.id, change="archive"),
        url_for("instructor.challenges.manage"),
        tab="challenges",
        danger=True,
    )
