"""Where an LMS admin registers Communitas: dynamic registration and the Canvas JSON."""

import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from ..extensions import csrf, db
from ..pages import CSP
from . import keys, registration, tool_conf
from .registration import RegistrationFailed

log = logging.getLogger("communitas.lti")
bp = Blueprint("lti_register", __name__, url_prefix="/lti")
csrf.exempt(bp)


class RegisterForm(FlaskForm):
    """The admin's confirmation; it carries the platform's two query parameters along.

    The LMS shows this page in a frame, often where third-party cookies are blocked, and no
    user session exists yet, so the form is checked with a signed confirmation bound to the
    platform's configuration URL and registration token instead of a session CSRF token.
    """

    class Meta:
        csrf = False

    openid_configuration = HiddenField()
    registration_token = HiddenField()
    confirmation = HiddenField()


CONFIRMATION_SECONDS = 1800


def _signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-register")


def confirmation_for(url: str, token: str | None) -> str:
    return _signer().dumps([url, token or ""])


def confirmed(form: RegisterForm) -> bool:
    try:
        signed = _signer().loads(form.confirmation.data or "", max_age=CONFIRMATION_SECONDS)
    except BadSignature:
        return False
    return signed == [form.openid_configuration.data or "", form.registration_token.data or ""]


def failed(exc: RegistrationFailed) -> tuple[str, int]:
    """Log a failed registration and explain it; nothing is kept."""
    db.session.rollback()
    log.warning("dynamic registration failed (%s): %s", exc.status, exc.reason)
    return render_template("lti/register_error.html", reason=exc.reason), exc.status


@bp.after_request
def any_lms_may_frame(response: Response) -> Response:
    """Registration runs in the admin pages of an LMS we do not know yet: no frame-ancestors.

    A launch session from another LMS would otherwise bind framing to that LMS.
    """
    response.headers["Content-Security-Policy"] = CSP
    return response


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Show what we will ask the platform for (GET), then register on confirmation (POST)."""
    if request.method == "GET":
        url_arg = request.args.get("openid_configuration", "")
        token_arg = request.args.get("registration_token", "")
        form = RegisterForm(
            openid_configuration=url_arg,
            registration_token=token_arg,
            confirmation=confirmation_for(url_arg, token_arg),
        )
    else:
        form = RegisterForm()
        if not confirmed(form):
            return render_template("errors/csrf.html"), 400
    url = (form.openid_configuration.data or "").strip()
    token = (form.registration_token.data or "").strip() or None
    base = current_app.config["BASE_URL"]
    try:
        if not url:
            raise RegistrationFailed(
                "this address must be opened by your LMS, which adds an openid_configuration "
                "parameter; paste it as the tool's registration URL in your LMS"
            )
        config = registration.fetch_configuration(url, token)
        body = registration.tool_registration(base, config)
        if request.method == "GET":
            return render_template(
                "lti/register_confirm.html",
                form=form,
                config=config,
                body=body,
                tool_config=body[registration.TOOL_CONFIG],
            )
        keys.ensure_active_key(db.session)
        client_id, deployment_id = registration.request_client(config, body, token)
    except RegistrationFailed as exc:
        return failed(exc)
    try:
        registration.save_registration(db.session, config, client_id, deployment_id)
        db.session.commit()
    except IntegrityError:
        # Another worker stored the same client id a moment ago: add to its row instead.
        db.session.rollback()
        registration.save_registration(db.session, config, client_id, deployment_id)
        db.session.commit()
    tool_conf.forget()
    log.info("registered %s client id %s deployment %s", config.issuer, client_id, deployment_id)
    return render_template(
        "lti/register_done.html", config=config, client_id=client_id, deployment_id=deployment_id
    )


@bp.get("/config/canvas.json")
def canvas_config() -> Response:
    """Serve the developer-key JSON for Canvas admins who register by hand."""
    response = jsonify(registration.canvas_configuration(current_app.config["BASE_URL"]))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
