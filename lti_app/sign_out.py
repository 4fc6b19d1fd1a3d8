"""Sign out: revoke the launch session at once, whatever copies of its token exist."""

from typing import Any

from flask import Blueprint, redirect, render_template, url_for

from .auth import end_session

bp = Blueprint("session", __name__)


@bp.post("/sign-out")
def sign_out() -> Any:
    # CSRF is checked for every POST before this runs, so a page of another site cannot.
    end_session()
    return redirect(url_for("session.signed_out"), 303)


@bp.get("/signed-out")
def signed_out() -> Any:
    return render_template("signed_out.html")
