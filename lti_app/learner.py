"""Pages for learners (and read-only guests) inside their course."""

from typing import Any

from flask import Blueprint, render_template

from .auth import require_role

bp = Blueprint("learner", __name__, url_prefix="/learner")


@bp.get("/")
@require_role("learner", "guest")
def home() -> Any:
    return render_template("learner/home.html")
