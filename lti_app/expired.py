"""A form posted with an expired or missing CSRF token: nothing changes, and nothing typed is lost.

Inside an LMS frame "reload the page" reloads the LMS page, so no page here says it. Where
the form has a page of its own, that page comes back with what was typed and a fresh token;
otherwise the typed text is shown to send again (or to copy, when the launch has ended).
"""

from flask import current_app, flash, g, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from .auth import current_viewer
from .inputs import refuse_nul_bytes

EXPIRED = (
    "That form had expired. Nothing was changed. What you typed is still here: "
    "check it and send it again."
)
#: Text fields worth keeping, by their name in any form, with the words to show them by.
TEXT_FIELDS = {
    "title": "Title",
    "body": "Your text",
    "description": "Description",
    "details": "Details",
    "note": "Thank-you note",
    "name": "Name",
    "tags": "Tags",
    "offers": "What you can offer",
    "needs": "What you would like help with",
}
#: Never shown back or posted again from this page: a new token is issued instead.
TOKENS = ("csrf_token", "lt")


def _guards() -> ResponseReturnValue | None:
    """Run what would have run after the CSRF check: the input check and the audience's guard."""
    refused = refuse_nul_bytes()
    if refused is not None:
        return refused  # type: ignore[no-any-return]
    for name in reversed(request.blueprints):
        for check in current_app.before_request_funcs.get(name, ()):
            answer = check()
            if answer is not None:
                return answer  # type: ignore[no-any-return]
    return None


def _posted_from_here() -> bool:
    """Only a form of this tool's own pages may be offered again, filled in.

    A cross-site page could otherwise post its own text without a token and have the learner
    send it with one click. Browsers name the origin of every POST (``null`` when hidden);
    a request naming none comes from no browser page at all.
    """
    source = request.headers.get("Origin") or request.headers.get("Referer")
    if source is None:
        return True
    own = request.host_url.rstrip("/")
    return source == own or source.startswith(own + "/")


def form_expired(_error: Exception) -> ResponseReturnValue:
    """Show the form again with what was typed, or keep the text on a page of its own."""
    from . import _forget_previous_request

    _forget_previous_request()  # it runs after the CSRF check: a fresh token, today's viewer
    g.pop("csrf_valid", None)  # the token failed: no form on this request may count it valid
    viewer = current_viewer()
    if viewer is not None:
        try:
            blocked = _guards()
        except HTTPException as exc:
            return current_app.handle_http_exception(exc)
        if blocked is not None:
            return blocked
    if not _posted_from_here():
        return render_template("errors/csrf.html"), 400
    view = current_app.view_functions.get(request.endpoint or "")
    rule = request.url_rule
    if viewer is not None and view is not None and rule and "GET" in (rule.methods or ()):
        flash(EXPIRED, "error")
        # Its form fails on the same token, so the view only shows the page again.
        response = current_app.make_response(view(**(request.view_args or {})))
        response.status_code = 400
        return response
    fields = [(k, v) for k, v in request.form.items(multi=True) if k not in TOKENS]
    kept = [(k, TEXT_FIELDS[k], v) for k, v in fields if k in TEXT_FIELDS and v.strip()]
    page = render_template(
        "errors/csrf.html",
        kept=kept,
        hidden=[(k, v) for k, v in fields if k not in TEXT_FIELDS],
        again=viewer is not None and request.method == "POST",
        action=request.full_path,
    )
    return page, 400
