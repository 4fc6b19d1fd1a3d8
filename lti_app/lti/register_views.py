"""Where an LMS admin registers Communitas: dynamic registration and the Canvas JSON."""

import logging
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from flask_wtf import FlaskForm
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField

from cohorts.models import Platform, utcnow
from cohorts.platforms import admission
from cohorts.platforms.admission import PENDING, RegistrationRefused

from ..extensions import csrf, db
from ..pages import CSP
from . import keys, platforms, registration
from .canvas_config import canvas_configuration
from .registration import RegistrationFailed

log = logging.getLogger("communitas.lti")
bp = Blueprint("lti_register", __name__, url_prefix="/lti")
csrf.exempt(bp)
#: The one answer to every failure that involved the platform: which address answered what,
#: and why, is for the log only (the caller might be probing the tool's network).
GENERIC_FAILURE = (
    "Communitas could not complete the registration with this platform. The tool's "
    "administrator can read the reason in its log."
)


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


def confirmation_for(url: str, token: str | None, invite: str | None) -> str:
    return _signer().dumps([url, token or "", invite or ""])


def confirmed(form: RegisterForm, invite: str | None) -> bool:
    try:
        signed = _signer().loads(form.confirmation.data or "", max_age=CONFIRMATION_SECONDS)
    except BadSignature:
        return False
    fields = [form.openid_configuration.data or "", form.registration_token.data or ""]
    return bool(signed == [*fields, invite or ""])


def failed(exc: RegistrationFailed | RegistrationRefused, reason: str = GENERIC_FAILURE) -> Any:
    """Log why a registration failed and show one message; nothing is kept."""
    db.session.rollback()
    log.warning("dynamic registration failed: %s", getattr(exc, "reason", str(exc)))
    return render_template("lti/register_error.html", reason=reason), 400


def refused_before_asking(invite: str | None) -> str | None:
    """Say why this registration is refused before any request leaves the tool."""
    if invite is not None and not admission.invite_open(db.session, invite, utcnow()):
        return "this registration link was already used or has expired; ask for a new one"
    if invite is None and current_app.config["REGISTRATION"] == "closed":
        return (
            "Communitas does not accept registrations from this page; ask its administrator "
            "for a registration link, or to register your LMS by hand"
        )
    if not request.values.get("openid_configuration"):
        return (
            "this address must be opened by your LMS, which adds an openid_configuration "
            "parameter; paste it as the tool's registration URL in your LMS"
        )
    return None


@bp.after_request
def any_lms_may_frame(response: Response) -> Response:
    """Registration runs in the admin pages of an LMS we do not know yet: no frame-ancestors.

    A launch session from another LMS would otherwise bind framing to that LMS.
    """
    response.headers["Content-Security-Policy"] = CSP
    return response


@bp.route("/register", methods=["GET", "POST"])
@bp.route("/register/<invite>", methods=["GET", "POST"])
def register(invite: str | None = None) -> Any:
    """Show what we will ask the platform for (GET), then register on confirmation (POST)."""
    reason = refused_before_asking(invite)
    if reason is not None:
        return failed(RegistrationFailed(reason), reason)
    if request.method == "GET":
        url_arg = request.args.get("openid_configuration", "")
        token_arg = request.args.get("registration_token", "")
        form = RegisterForm(
            openid_configuration=url_arg,
            registration_token=token_arg,
            confirmation=confirmation_for(url_arg, token_arg, invite),
        )
    else:
        form = RegisterForm()
        if not confirmed(form, invite):
            return render_template("errors/csrf.html"), 400
    url = (form.openid_configuration.data or "").strip()
    token = (form.registration_token.data or "").strip() or None
    try:
        config = registration.fetch_configuration(url, token)
        body = registration.tool_registration(current_app.config["BASE_URL"], config)
        if request.method == "GET":
            return render_template(
                "lti/register_confirm.html",
                form=form,
                config=config,
                body=body,
                tool_config=body[registration.TOOL_CONFIG],
                action=url_for("lti_register.register", invite=invite),
                needs_approval=invite is None and current_app.config["REGISTRATION"] != "open",
            )
        keys.ensure_active_key(db.session)
        client_id, deployment_id = registration.request_client(config, body, token)
        platform = keep(registration.proposal(config, client_id, deployment_id), invite)
    except (RegistrationFailed, RegistrationRefused) as exc:
        return failed(exc)
    log.info(
        "registered %s client id %s deployment %s (%s)",
        config.issuer,
        client_id,
        deployment_id,
        platform.status,
    )
    return render_template(
        "lti/register_done.html",
        config=config,
        client_id=client_id,
        deployment_id=deployment_id,
        pending=platform.status == PENDING,
    )


def keep(proposal: admission.Proposal, invite: str | None) -> Platform:
    """Store the registration as the admission rules say, spending the invite; commit."""
    try:
        return _keep_once(proposal, invite)
    except IntegrityError:
        # Another worker stored the same client id a moment ago: add to its row instead.
        db.session.rollback()
        return _keep_once(proposal, invite)


def _keep_once(proposal: admission.Proposal, invite: str | None) -> Platform:
    invited = invite is not None and admission.use_invite(db.session, invite, utcnow())
    if invite is not None and not invited:
        raise RegistrationRefused("the registration link was used by another request")
    platform = platforms.admit(db.session, proposal, current_app.config["REGISTRATION"], invited)
    if invite is not None:
        admission.link_invite(db.session, invite, platform.id)
    db.session.commit()
    return platform


@bp.get("/config/canvas.json")
def canvas_config() -> Response:
    """Serve the developer-key JSON for Canvas admins who register by hand."""
    response = jsonify(canvas_configuration(current_app.config["BASE_URL"]))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
