"""The sandbox LMS pages and its LTI platform endpoints."""

from pathlib import Path
from typing import Any

import jwt
import requests
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request

from . import services
from .demo import COURSE, USERS
from .platform import AuthRequestError, Platform

bp = Blueprint("sandbox", __name__, url_prefix="/sandbox")

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
    order = {label: i for i, label in enumerate(
        ("Instructor", "Teaching assistant", "Learner", "Mentor (no course role)"))}
    people = sorted(USERS.values(), key=lambda u: order.get(u.label, len(order)))
    return render_template("sandbox/course.html", course=COURSE, people=people, platform=p,
                           scores=services.scores(data_path()))


@bp.get("/start")
def start() -> Any:
    """Begin a launch: the LMS posts the third-party initiated login to the tool."""
    user = USERS.get(request.args.get("user", ""))
    message = request.args.get("message", "resource")
    if user is None or message not in ("resource", "deeplink"):
        abort(404)
    p = platform()
    return render_template("sandbox/autopost.html", action=p.tool_login_url,
                           fields=p.login_initiation(user, message), note="Opening Communitas")


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> Any:
    """The platform's OIDC authorization endpoint."""
    params = request.values.to_dict()
    try:
        fields = platform().authorize(params)
    except AuthRequestError as exc:
        return render_template("sandbox/error.html", reason=str(exc)), 400
    return render_template("sandbox/autopost.html", action=params["redirect_uri"],
                           fields=fields, note="Signing you in to Communitas")


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
