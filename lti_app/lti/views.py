"""The endpoints admins type into their LMS: /lti/login, /lti/launch, /lti/jwks."""

import logging
import time
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from pylti1p3.contrib.flask import FlaskRequest
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource

from cohorts.courses import record_launch
from cohorts.models import utcnow

from .. import auth
from ..extensions import csrf, db
from ..forms import DeepLinkForm
from ..launch_session import issue_token
from . import claims, keys
from .errors import BrowserBindingNeeded, LaunchRejected
from .health import note_launch, note_refusal
from .launch import CommunitasLaunch, describe
from .login import CommunitasLogin
from .state_store import DatabaseStateStore, FallbackStateStore, RedisStateStore, StateStore
from .tool_conf import DatabaseToolConf

log = logging.getLogger("communitas.lti")
STORAGE_KEY = "communitas-state-"
bp = Blueprint("lti", __name__, url_prefix="/lti")


def state_store() -> StateStore:
    """Return Redis-backed state when configured, the database otherwise."""
    client = current_app.extensions.get("communitas_redis")
    database = DatabaseStateStore(db.session)
    if client is None:
        return database
    return FallbackStateStore(RedisStateStore(client), database)


def tool_url(endpoint: str) -> str:
    """Return an absolute URL of the tool under its configured public base URL."""
    return current_app.config["BASE_URL"] + url_for(endpoint)


def rejected(exc: LaunchRejected, stage: str) -> tuple[str, int]:
    """Log a refused login or launch and show its reason on a clear page."""
    db.session.rollback()
    log.warning("%s rejected (%s): %s", stage, exc.status, exc.reason)
    page = render_template("lti/error.html", reason=exc.reason, stage=stage)
    return page, exc.status


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> Any:
    try:
        oidc = CommunitasLogin(
            FlaskRequest(),
            DatabaseToolConf(db.session),
            state_store(),
            current_app.config["BASE_URL"],
        )
        plan = oidc.plan(tool_url("lti.launch"))
    except LaunchRejected as exc:
        return rejected(exc, "login")
    if plan.storage_target:
        page = render_template("lti/storage_login.html", plan=plan, key=STORAGE_KEY + plan.state)
        return oidc.set_cookies(make_response(page))
    return oidc.set_cookies(redirect(plan.auth_url))


@bp.post("/launch")
@csrf.exempt
def launch() -> Any:
    config = current_app.config
    message = CommunitasLaunch(
        FlaskRequest(),
        DatabaseToolConf(db.session),
        state_store(),
        config["BASE_URL"],
        leeway=config["LTI_LEEWAY_SECONDS"],
        max_age=config["LTI_MAX_TOKEN_AGE_SECONDS"],
    )
    try:
        message.validate()
    except BrowserBindingNeeded as exc:
        return browser_binding_page(exc)
    except LaunchRejected as exc:
        body = message.unverified_body()
        log.info("rejected token: %s", describe(body) if body else "-")
        page = rejected(exc, "launch")
        note_refusal(db.session, message, exc, request.form.get("id_token", ""))
        return page
    body = message.get_launch_data()
    facts = claims.launch_facts(body, message.get_client_id())
    enrolment_id = record_launch(db.session, facts, now=utcnow())
    note_launch(db.session, message, body)  # last before the commit: row lock held briefly
    db.session.commit()  # one commit: the records and the nonce taken during validation
    deep_link = None
    if body[claims.MESSAGE_TYPE] == claims.DEEP_LINKING_REQUEST:
        deep_link = auth.DeepLinkRequest(
            issuer=body["iss"],
            client_id=message.get_client_id(),
            deployment_id=body[claims.DEPLOYMENT_ID],
            settings=body[claims.DEEP_LINKING_SETTINGS],
        )
    auth.start_session(
        auth.LaunchBinding(
            enrolment_id=enrolment_id,
            role=facts.role,
            issued_at=int(time.time()),
            platform_admin=claims.is_platform_admin(body[claims.ROLES]),
            frame_ancestors=tuple(claims.frame_origins(body)),
            deep_link=deep_link,
        )
    )
    token = issue_token(current_app._get_current_object())  # type: ignore[attr-defined]
    target = url_for("lti.deep_link" if deep_link else "home", lt=token)
    response = redirect(target, 303)
    if message.binding == "cookie":  # a used state cookie only weighs down later requests
        state_cookie = f"lti1p3-{request.form['state']}"
        secure = request.is_secure
        response.delete_cookie(
            state_cookie,
            path="/",
            secure=secure,
            httponly=True,
            samesite="None" if secure else "Lax",
            partitioned=secure,
        )
    return response


def browser_binding_page(exc: BrowserBindingNeeded) -> tuple[str, int]:
    """Without the state cookie: confirm through platform storage, or offer a new window."""
    db.session.rollback()
    form = {"id_token": request.form.get("id_token", ""), "state": request.form.get("state", "")}
    if exc.via_storage:
        page = render_template(
            "lti/storage_launch.html", form=form, info=exc.info, key=STORAGE_KEY + form["state"]
        )
        return page, 200
    log.info("launch without state cookie or platform storage: offering a new window")
    login = exc.info.get("login") or {}
    url = tool_url("lti.login") + "?" + urlencode(login) if isinstance(login, dict) else None
    return render_template("lti/new_window.html", url=url), 401


@bp.get("/jwks")
def jwks() -> Response:
    data = keys.published_jwks(db.session)
    if not data["keys"]:
        keys.ensure_active_key(db.session)
        db.session.commit()
        data = keys.published_jwks(db.session)
    response = jsonify(data)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/deep-link", methods=["GET", "POST"])
@auth.require_role("staff")
def deep_link() -> Any:
    binding = auth.launch_binding()
    request_data = binding.deep_link if binding else None
    if request_data is None:
        return render_template("lti/deep_link_missing.html"), 400
    form = DeepLinkForm()
    if not form.validate_on_submit():
        return render_template("lti/deep_link.html", form=form)
    tool_conf = DatabaseToolConf(db.session)
    registration = tool_conf.find_registration_by_params(
        request_data.issuer, request_data.client_id
    )
    if registration is None:
        return render_template("lti/deep_link_missing.html"), 400
    resource = (
        DeepLinkResource()
        .set_url(tool_url("lti.launch"))
        .set_title(form.title.data)
        .set_custom_params({})
    )
    link = DeepLink(registration, request_data.deployment_id, request_data.settings)
    token = link.get_response_jwt([resource])
    return_url = request_data.settings["deep_link_return_url"]
    return render_template("lti/deep_link_return.html", return_url=return_url, token=token)
