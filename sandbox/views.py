"""The sandbox LMS pages and its LTI platform endpoints."""

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from . import registration, services
from .demo import COURSE, USERS
from .platform import AuthRequestError, Platform

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")
STORAGE_FRAME = "post_message_forwarding"

SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def platform() -> Platform:
    return current_app.extensions["sandbox_platform"]  # type: ignore[no-any-return]


def data_path() -> Path:
    return current_app.extensions["sandbox_data"]  # type: ignore[no-any-return]


def service_error(exc: services.ServiceError, status: int = 400) -> tuple[Response, int]:
    return jsonify({"error": str(exc)}), status


@bp.get("/")
def course() -> str:
    p = platform()
    order = {
        label: i
        for i, label in enumerate(
            ("Instructor", "Teaching assistant", "Learner", "Mentor (no course role)")
        )
    }
    people = sorted(USERS.values(), key=lambda u: order.get(u.label, len(order)))
    storage = request.args.get("storage", "1") == "1"
    return render_template(
        "sandbox/course.html",
        course=COURSE,
        people=people,
        platform=p,
        scores=services.scores(data_path()),
        storage=storage,
    )


@bp.get("/start")
def start() -> Any:
    """Begin a launch: the LMS posts the third-party initiated login to the tool."""
    user = USERS.get(request.args.get("user", ""))
    message = request.args.get("message", "resource")
    if user is None or message not in ("resource", "deeplink"):
        abort(404)
    p = platform()
    fields = p.login_initiation(user, message, page_url=request.referrer or "")
    if request.args.get("storage") == "1":
        # Like Canvas: the tool may keep its login state in the LMS page via postMessage.
        fields["lti_storage_target"] = STORAGE_FRAME
    return render_template(
        "sandbox/autopost.html", action=p.tool_login_url, fields=fields, note="Opening Communitas"
    )


@bp.get("/storage-frame")
def storage_frame() -> str:
    """The platform side of LTI platform storage, in a hidden frame on the platform's origin."""
    return render_template("sandbox/storage_frame.html")


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> Any:
    """The platform's OIDC authorization endpoint."""
    params = request.values.to_dict()
    try:
        fields = platform().authorize(params)
    except AuthRequestError as exc:
        return render_template("sandbox/error.html", reason=str(exc)), 400
    return render_template(
        "sandbox/autopost.html",
        action=params["redirect_uri"],
        fields=fields,
        note="Signing you in to Communitas",
    )


@bp.get("/jwks")
def jwks() -> Response:
    return jsonify(platform().jwks())


@bp.post("/token")
def token() -> Any:
    try:
        return jsonify(services.issue_token(platform(), request.form.to_dict()))
    except (services.ServiceError, requests.RequestException) as exc:
        return jsonify({"error": str(exc)}), 400


@bp.get("/nrps/<context_id>")
def nrps(context_id: str) -> Any:
    try:
        services.check_bearer(platform(), request.headers.get("Authorization"), SCOPE_NRPS)
    except services.ServiceError as exc:
        return service_error(exc, 401)
    if context_id != COURSE["id"]:
        abort(404)
    response = jsonify(services.roster(platform()))
    response.mimetype = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    return response


@bp.route("/ags/<context_id>/lineitems", methods=["GET", "POST"])
def lineitems(context_id: str) -> Any:
    scope = SCOPE_LINEITEM
    try:
        services.check_bearer(platform(), request.headers.get("Authorization"), scope)
        if request.method == "POST":
            base = f"{platform().issuer}/ags/{context_id}/lineitems"
            item = services.add_lineitem(data_path(), base, request.get_json(force=True))
            return jsonify(item), 201
    except services.ServiceError as exc:
        return service_error(exc)
    return jsonify(services.lineitems(data_path()))


@bp.post("/ags/<context_id>/lineitems/<int:item>/scores")
def post_score(context_id: str, item: int) -> Any:
    try:
        services.check_bearer(platform(), request.headers.get("Authorization"), SCOPE_SCORE)
        lineitem_id = f"{platform().issuer}/ags/{context_id}/lineitems/{item}"
        services.add_score(data_path(), lineitem_id, request.get_json(force=True))
    except services.ServiceError as exc:
        return service_error(exc)
    return "", 204


@bp.post("/deep-link-return")
def deep_link_return() -> Any:
    """Receive the tool's deep-linking response, as the LMS course editor does."""
    p = platform()
    try:
        tool_jwks = requests.get(p.tool_base_url + "/lti/jwks", timeout=10).json()
        claims = p.verify_tool_jwt(request.form.get("JWT", ""), tool_jwks, p.issuer)
    except (jwt.PyJWTError, requests.RequestException, ValueError) as exc:
        return render_template("sandbox/error.html", reason=f"deep-link response: {exc}"), 400
    items = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", [])
    return render_template("sandbox/deep_link_done.html", items=items)


# -- dynamic registration ------------------------------------------------------------------------
@bp.before_request
def use_newest_registration() -> None:
    """Launch as the newest dynamically registered client (the data file is shared by workers)."""
    platform().use_registration(registration.effective(data_path()))


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    return jsonify(registration.openid_configuration(platform()))


@bp.get("/register/start")
def register_start() -> Any:
    """Open the tool's registration URL with a fresh token, as an LMS admin page does."""
    p = platform()
    query = urlencode(
        {
            "openid_configuration": p.issuer + "/.well-known/openid-configuration",
            "registration_token": registration.issue_token(data_path()),
        }
    )
    return redirect(f"{p.tool_base_url}/lti/register?{query}")


@bp.post("/register")
def register() -> Any:
    try:
        client = registration.register(
            data_path(),
            platform(),
            request.headers.get("Authorization"),
            request.get_json(silent=True),
        )
    except registration.RegistrationRefused as exc:
        return jsonify({"error": str(exc)}), exc.status
    return jsonify(client)


@bp.post("/register/forget")
def register_forget() -> Any:
    """Go back to the built-in client id (the tool keeps its registrations)."""
    registration.forget(data_path(), platform())
    return redirect(url_for("sandbox.course"), 303)
