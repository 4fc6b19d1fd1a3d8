"""Staff sync the course roster from the platform now, and see how the last sync went."""

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, url_for
from flask_wtf import FlaskForm

from cohorts.models import Course, RosterSync, utcnow
from cohorts.roster import runs

from .. import jobs
from ..auth import current_viewer, signed_in_viewer
from ..extensions import db
from ..pages import submit
from ..roster_jobs import sync_course_roster

bp = Blueprint("roster", __name__, url_prefix="/persistence/roster")
TRIGGERS = {
    "staff": "asked for by staff",
    "daily": "daily sync",
    "command": "from the command line",
}


class RosterSyncForm(FlaskForm):
    """Ask for a roster sync now; the form carries only its CSRF token."""


@dataclass(frozen=True, slots=True)
class RosterStatus:
    """What the Persistence page shows about the roster."""

    service: bool
    run: RosterSync | None
    opened: runs.Opened
    form: RosterSyncForm
    triggers: dict[str, str]


def roster_status() -> RosterStatus | None:
    """The viewer's course roster status, for ``_roster_status.html`` (queried only there)."""
    viewer = current_viewer()
    if viewer is None or not viewer.is_staff:
        return None
    course_id = viewer.course_id
    return RosterStatus(
        service=bool(db.session.get(Course, course_id).nrps_url),  # type: ignore[union-attr]
        run=runs.latest_run(db.session, course_id),
        opened=runs.learners_opened(db.session, course_id),
        form=RosterSyncForm(formdata=None),
        triggers=TRIGGERS,
    )


@bp.app_context_processor
def templates_may_ask() -> dict[str, Any]:
    return {"roster_status": roster_status}


def _start(course_id: int) -> RosterSync:
    run = runs.start_run(db.session, course_id, "staff", utcnow())
    jobs.submit(sync_course_roster, course_id, run.id)  # handed over once the run commits
    return run


@bp.post("/sync")
def sync() -> Any:
    from .persistence import overview

    viewer = signed_in_viewer()
    return submit(
        RosterSyncForm(),
        lambda: _start(viewer.course_id),
        done="Roster sync started.",
        back=lambda _: url_for("instructor.persistence.overview") + "#roster",
        page=lambda status: overview(status),
        invalid="The page had expired; reload it and press Sync roster again.",
    )
