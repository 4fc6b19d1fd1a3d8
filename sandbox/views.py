"""The sandbox LMS pages and its LTI platform endpoints."""

import secrets
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
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from . import gradebook, registration, roster, services
from .demo import COURSE, USERS
from .platform import AuthRequestError, DeepLinkRefused, Platform
from .profiles import PROFILES, Profile

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


def chosen_profile() -> Profile:
    """The sandbox course asked for: each profile is a course of its own."""
    name = request.args.get("profile", "default")
    if name not in PROFILES:
        abort(404)
    return platform().profile(name)


def uses_storage(profile: Profile, asked: str | None) -> bool:
    """Canvas always offers platform storage, Moodle never; the lenient course lets you choose."""
    return {"always": True, "never": False}.get(profile.storage, asked != "0")


#: Moodle's session cookie: without a SameSite attribute on http (browsers treat it as Lax),
#: ``SameSite=None; Secure`` on https. Its auth endpoint wants it, as ``require_login`` does.
MOODLE_SESSION = "MoodleSession"


def with_moodle_session(profile: Profile, page: str) -> Any:
    """Sign the visitor in to the sandbox LMS the way a Moodle site's cookie does."""
    response = make_response(page)
    if profile.name == "moodle" and not request.cookies.get(MOODLE_SESSION):
        secure = request.is_secure
        response.set_cookie(
            MOODLE_SESSION,
            "sandbox-" + secrets.token_hex(8),
            path="/",
            httponly=True,
            secure=secure,
            samesite="None" if secure else None,
        )
    return response


@bp.get("/")
def course() -> Any:
    profile = chosen_profile()
    order = {
        label: i
        for i, label in enumerate(
            ("Instructor", "Teaching assistant", "Learner", "Mentor (no course role)")
        )
    }
    people = sorted(USERS.values(), key=lambda u: order.get(u.label, len(order)))
    # The instructor and a few learners up front; everyone else folded away.
    first = people[:1] + [u for u in people if u.label == "Learner"][:3]
    page = render_template(
        "sandbox/course.html",
        course=COURSE,
        people=first,
        more=[u for u in people if u not in first],
        demo=request.args.get("demo"),
        platform=platform(),
        profile=profile,
        profiles=PROFILES.values(),
        scores=gradebook.scores(data_path(), latest=10),
        storage=uses_storage(profile, request.args.get("storage")),
    )
    return with_moodle_session(profile, page)


@bp.get("/start")
def start() -> Any:
    """Begin a launch: the LMS posts the third-party initiated login to the tool."""
    user = USERS.get(request.args.get("user", ""))
    message = request.args.get("message", "resource")
    if user is None or message not in ("resource", "deeplink"):
        abort(404)
    profile = chosen_profile()
    p = platform()
    fields = p.login_initiation(user, message, request.referrer or "", profile.name)
    if uses_storage(profile, request.args.get("storage")):
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
    profile = platform().profile_for(params.get("client_id"))
    if profile is not None and profile.name == "moodle" and not request.cookies.get(MOODLE_SESSION):
        reason = "You are not logged in to the LMS (its session cookie did not come back)"
        return render_template("sandbox/error.html", reason=reason), 401
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


def service_profile(context_id: str) -> Profile:
    """The course a service URL names; Canvas refuses callers without a User-Agent."""
    profile = services.profile_of_context(platform(), context_id)
    if profile is None:
        abort(404)
    try:
        services.check_user_agent(profile, request.headers.get("User-Agent"))
    except services.ServiceError as exc:
        abort(make_response(jsonify({"error": str(exc)}), 403))
    return profile


@bp.post("/token")
def token() -> Any:
    try:
        form = request.form.to_dict()
        assertion = jwt.decode(
            form.get("client_assertion", ""), options={"verify_signature": False}
        )
        profile = platform().profile_for(assertion.get("iss"))
        if profile is not None:
            services.check_user_agent(profile, request.headers.get("User-Agent"))
        return jsonify(services.issue_token(platform(), form))
    except (services.ServiceError, requests.RequestException, jwt.PyJWTError) as exc:
        return jsonify({"error": str(exc)}), 400


@bp.get("/nrps/<context_id>")
def nrps(context_id: str) -> Any:
    profile = service_profile(context_id)
    try:
        services.check_bearer(platform(), request.headers.get("Authorization"), SCOPE_NRPS)
    except services.ServiceError as exc:
        return service_error(exc, 401)
    base = f"{platform().issuer}/nrps/{context_id}"
    body, links = roster.page(platform().roster, base, profile, request.args.to_dict())
    response = jsonify(body)
    response.mimetype = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
    response.headers["Link"] = ", ".join(links)
    return response


@bp.post("/deep-link-return")
def deep_link_return() -> Any:
    """Receive the tool's deep-linking response, as the LMS course editor does."""
    p = platform()
    try:
        tool_jwks = requests.get(p.tool_base_url + "/lti/jwks", timeout=10).json()
        claims = p.verify_tool_jwt(request.form.get("JWT", ""), tool_jwks, p.issuer)
    except (jwt.PyJWTError, requests.RequestException, ValueError) as exc:
        return render_template("sandbox/error.html", reason=f"deep-link response: {exc}"), 400
    try:
        items = p.receive_content_items(claims)
    except DeepLinkRefused as exc:
        return render_template("sandbox/error.html", reason=str(exc)), 404  # as Moodle answers
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
