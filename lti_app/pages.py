"""One way to answer a form post, and the headers every page carries."""

from collections.abc import Callable
from typing import Any, TypeVar

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from cohorts.errors import DomainError

from .auth import launch_binding
from .extensions import db

T = TypeVar("T")
#: Re-renders the form's page with the given status, keeping what was typed.
Page = Callable[[int], ResponseReturnValue]


def refuse(error: DomainError) -> int:
    """Undo the request's changes and say why; return the status to answer with."""
    db.session.rollback()
    flash(str(error), "error")
    return error.status


def submit(
    form: Any,
    call: Callable[[], T],
    *,
    done: str | Callable[[T], str],
    back: str | Callable[[T], str],
    page: Page,
    invalid: str | None = None,
) -> ResponseReturnValue:
    """Check the posted form, run one service call, commit, flash and redirect.

    ``back`` is an endpoint, or a function of the result giving a URL. The message lives in the
    server-side launch session, not in any link, so it shows on the next page only. An invalid
    form re-renders with 400 (and ``invalid`` flashed, for forms without visible fields); a
    refusal from the domain rolls back, flashes why and re-renders with its status.
    """
    if not form.validate_on_submit():
        if invalid:
            flash(invalid, "error")
        return page(400)
    try:
        result = call()
    except DomainError as error:
        return page(refuse(error))
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(back(result) if callable(back) else url_for(back))


CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'"
)


def security_headers(response: Any) -> Any:
    """Send a strict script policy; once launched, only the launching LMS may frame us.

    Before a launch is validated (login, launch hand-offs, error pages) the embedding page is
    not known yet, and those pages hold nothing worth framing for clickjacking.
    """
    if request.blueprint == "sandbox":
        return response
    policy = CSP
    binding = launch_binding()
    ancestors = binding.frame_ancestors if binding else ()
    if ancestors:
        policy += "; frame-ancestors 'self' " + " ".join(ancestors)
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    return response
