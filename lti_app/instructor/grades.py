"""Staff turn the participation column on or off, set its rule, publish and follow scores."""

from typing import Any

from flask import Blueprint, render_template

from cohorts.grades import rules
from cohorts.grades.settings import COLUMNS, column_settings, save_column_settings
from cohorts.grades.status import column_status, status_counts
from cohorts.models import utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..grades import publish
from ..pages import submit
from .grade_forms import GradeSettingsForm, PublishForm, RetryForm

bp = Blueprint("grades", __name__, url_prefix="/grades")


def _page(form: GradeSettingsForm | None = None, status: int = 200) -> Any:
    viewer = signed_in_viewer()
    current = column_settings(db.session, viewer.course_id)
    if form is None:
        form = GradeSettingsForm(
            formdata=None,
            data={"enabled": current.enabled, "score_maximum": current.rule.maximum}
            | {column: current.rule.targets.get(s, 0) for s, column in COLUMNS.items()},
        )
    return render_template(
        "instructor/grades.html",
        tab="persistence",
        form=form,
        settings=current,
        rule_words=rules.describe(current.rule),
        column=column_status(db.session, viewer.course_id),
        service=publish.grade_service(db.session, viewer.course_id),
        note=publish.last_publication(db.session, viewer.course_id),
        publish_form=PublishForm(formdata=None),
        retry_form=RetryForm(formdata=None),
    ), status


@bp.get("")
def page() -> Any:
    return _page()


@bp.post("/settings")
def settings() -> Any:
    viewer = signed_in_viewer()
    form = GradeSettingsForm()
    return submit(
        form,
        lambda: save_column_settings(
            db.session,
            viewer.course_id,
            enabled=form.enabled.data,
            maximum=form.score_maximum.data,
            targets={s: getattr(form, column).data for s, column in COLUMNS.items()},
        ),
        done=lambda row: (
            "Column turned on and rule saved."
            if row.enabled
            else "Rule saved; the column is off, so nothing is sent."
        ),
        back=".page",
        page=lambda status: _page(form, status),
    )


@bp.post("/publish")
def publish_scores() -> Any:
    viewer = signed_in_viewer()
    return submit(
        PublishForm(),
        lambda: publish.request_publication(db.session, viewer.course_id, utcnow()),
        done="Publishing participation scores: this page shows them as they are sent.",
        back=".page",
        page=lambda status: _page(status=status),
        invalid="The page had expired; reload it and publish again.",
    )


@bp.post("/retry")
def retry() -> Any:
    viewer = signed_in_viewer()
    return submit(
        RetryForm(),
        lambda: publish.request_retry(db.session, viewer.course_id, utcnow()),
        done=lambda n: (
            f"Trying {n} refused {'score' if n == 1 else 'scores'} again."
            if n
            else "No refused score to try again."
        ),
        back=".page",
        page=lambda status: _page(status=status),
        invalid="The page had expired; reload it and try again.",
    )


@bp.app_context_processor
def grades_status() -> dict[str, Any]:
    """Let the Persistence page's include show the column's state (queried only when used)."""
    return {"participation_column": lambda: _include_data()}


def _include_data() -> dict[str, Any]:
    viewer = signed_in_viewer()
    return {
        "enabled": column_settings(db.session, viewer.course_id).enabled,
        "counts": status_counts(db.session, viewer.course_id),
    }
