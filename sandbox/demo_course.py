"""The sandbox page's "Load a demo course": the same admin command `make run` users would type.

The sandbox stays an LMS that reaches the tool only from outside, so it runs
``flask --app lti_app demo seed`` with the server's own environment rather than calling in.
"""

import subprocess
import sys

from flask import redirect, request, url_for
from werkzeug.wrappers import Response

from .views import bp

SEED_SECONDS = 120


@bp.post("/demo")
def load_demo() -> Response:
    """Fill the sandbox course with learners, picks, profiles, cohorts and gifts."""
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "lti_app", "demo", "seed"],
        capture_output=True,
        text=True,
        timeout=SEED_SECONDS,
        check=False,
    )
    outcome = "loaded" if done.returncode == 0 else "refused"
    if "already has activity" in done.stderr + done.stdout:
        outcome = "exists"
    profile = request.form.get("profile", "default")
    return redirect(url_for("sandbox.course", profile=profile, demo=outcome), 303)
