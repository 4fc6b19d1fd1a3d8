"""Staff see who keeps coming back: the curve, weekly activity, alerts, cohorts and learners."""

from typing import Any

from flask import Blueprint, Response, render_template, request, stream_with_context, url_for

from cohorts.activity import alerts, dashboard, learner_table, rules
from cohorts.activity.settings import COLUMNS, course_rules, save_rules
from cohorts.formation.export import csv_lines
from cohorts.models import utcnow

from ..auth import signed_in_viewer
from ..extensions import db
from ..pages import submit
from . import charts
from .forms import ActivitySettingsForm, AlertForm

bp = Blueprint("persistence", __name__, url_prefix="/persistence")
PAGE_SIZE = 50
ANSWERED = {"contacted": "Marked as contacted.", "dismissed": "Alert dismissed for two weeks."}


def _choices() -> tuple[learner_table.Choice, int]:
    args = request.args
    show = args.get("show", "all") if args.get("show") in dashboard.FILTERS else "all"
    sort = args.get("sort", "name") if args.get("sort") in dashboard.SORTS else "name"
    page = args.get("page", "1")
    number = int(page) if page.isdigit() and len(page) < 6 else 1
    choice = learner_table.Choice(show, args.get("q", "")[:80], sort, args.get("dir") == "desc")
    return choice, max(number, 1)


def _curve_marks(page: dashboard.Persistence) -> dict[str, tuple[str, list[charts.Mark]]]:
    """Return each curve's polyline points and its marks."""
    out = {}
    for label, points in page.curves.items():
        marks = charts.line(
            [p.still_active if p.at_risk else None for p in points],
            [f"week {p.week}" for p in points],
        )
        out[label] = (charts.points(marks), marks)
    return out


@bp.get("")
def overview(status: int = 200) -> Any:
    viewer = signed_in_viewer()
    now = utcnow()
    choice, number = _choices()
    page = dashboard.course_persistence(
        db.session, viewer.course_id, now, choice=choice, number=number, size=PAGE_SIZE
    )
    total = page.matching
    weekly = page.weekly
    return render_template(
        "instructor/persistence.html",
        tab="persistence",
        page=page,
        health=page.health,
        rows=[r.facts for r in page.rows],
        total=total,
        pages=max(1, -(-total // PAGE_SIZE)),
        choice={
            "show": choice.show,
            "q": choice.query,
            "sort": choice.sort,
            "dir": "desc" if choice.descending else "asc",
        },
        number=number,
        filters=dashboard.FILTERS,
        curve=_curve_marks(page),
        ticks=charts.line([0.0] * dashboard.CURVE_WEEKS, [""] * dashboard.CURVE_WEEKS),
        bars=charts.bars([n for _, n in weekly], [d.strftime("%d %b") for d, _ in weekly]),
        grid=charts.GRID,
        chart={"width": charts.WIDTH, "height": charts.HEIGHT, "left": charts.LEFT},
        labels=rules.SIGNAL_LABELS,
        lonely_days=rules.LONELY_DAYS,
        alert_form=AlertForm(formdata=None),
    ), status


@bp.get("/learners.csv")
def learners_csv() -> Any:
    viewer = signed_in_viewer()
    measured = learner_table.measure(db.session, viewer.course_id, utcnow())
    choice, _ = _choices()
    rows = learner_table.csv_rows(db.session, measured, choice)
    header = ["name", "cohort", "last active", "active weeks", "streak", "score", "alerts"]
    return Response(
        stream_with_context(csv_lines(header, rows)),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=communitas-persistence.csv"},
    )


@bp.post("/alerts")
def answer() -> Any:
    viewer = signed_in_viewer()
    form = AlertForm()
    return submit(
        form,
        lambda: alerts.answer_alert(
            db.session,
            viewer.course_id,
            viewer.person_id,
            kind=form.kind.data,
            subject_id=form.subject_id.data,
            action=form.action.data,
            now=utcnow(),
        ),
        done=lambda row: ANSWERED[row.action],
        back=lambda _: url_for(".overview") + "#alerts",
        page=lambda status: overview(status),
        invalid="That alert is no longer on the page; reload and try again.",
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Any:
    viewer = signed_in_viewer()
    current = course_rules(db.session, viewer.course_id)
    form = ActivitySettingsForm(
        data={column: current.weights.of(s) for s, column in COLUMNS.items()}
        | {"inactive_days": current.inactive_days}
    )

    def page(status: int = 200) -> Any:
        return render_template(
            "instructor/persistence_settings.html", tab="persistence", form=form
        ), status

    if request.method == "GET":
        return page()
    return submit(
        form,
        lambda: save_rules(
            db.session,
            viewer.course_id,
            weights={s: getattr(form, column).data for s, column in COLUMNS.items()},
            inactive_days=form.inactive_days.data,
        ),
        done="Engagement rules saved.",
        back=".settings",
        page=page,
    )
