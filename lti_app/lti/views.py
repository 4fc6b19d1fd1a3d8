"""The endpoints admins type into their LMS: /lti/login, /lti/launch, /lti/jwks."""

import logging
import time
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    current_app,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from pylti1p3.contrib.flask import FlaskRequest
from sqlalchemy.exc import SQLAlchemyError

from cohorts.courses import record_launch, record_person
from cohorts.models import utcnow
from cohorts.platforms.binding import (
    NEW_WINDOW_OFFERED,
    NO_STATE_COOKIE,
    STORAGE_UNAVAILABLE,
    http_cross_site,
)

from .. import auth
from ..extensions import csrf, db
from ..forms import DeepLinkForm
from . import claims, deep_linking, keys
from .errors import BrowserBindingNeeded, LaunchRejected
from .health import note_binding, note_launch, note_refusal
from .launch import CommunitasLaunch, describe
from .login import CommunitasLogin, state_cookie_flags
from .state_store import DatabaseStateStore, FallbackStateStore, RedisStateStore, StateStore
from .tool_conf import DatabaseToolConf

log = logging.getLogger("communitas.lti")
STORAGE_KEY = "communitas-state-"
#: Added to the login URL the new window opens, so the doctor can count completions.
NEW_WINDOW_PARAM = "new_window"
bp = Blueprint("lti", __name__, url_prefix="/lti")


def state_store() -> StateStore:
    """Return Redis-backed state when configured, the database otherwise."""
    client = current_app.extensions.get("communitas_redis")
    database = DatabaseStateStore(db.session)
    if client is None:
        return database
    return FallbackStateStore(RedisStateStore(client), database)


def lti_request() -> FlaskRequest:
    """pylti1p3's view of this request, its parameters looked up once rather than per read."""
    return FlaskRequest(request_data=request.args if request.method == "GET" else request.form)


def tool_url(endpoint: str) -> str:
    """Return an absolute URL of the tool under its configured public base URL."""
    return current_app.config["BASE_URL"] + url_for(endpoint)


def rejected(exc: LaunchRejected, stage: str) -> tuple[str, int]:
    """Log a refused login or launch and show its reason on a clear page."""
    db.session.rollback()
    log.warning("%s rejected (%s): %s", stage, exc.status, exc.reason)
    page = render_template("lti/error.html", reason=exc.reason, stage=stage)
    return page, exc.status


def cookie_attributes() -> str:
    """The attributes of the state cookie, for the page that tests the browser keeps it."""
    if request.is_secure:
        return "; SameSite=None; Secure; Partitioned"
    return "; SameSite=Lax"


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login() -> Any:
    """Start the login; inside a frame, first check the browser can keep its state.

    The platform's ``lti_message_hint`` may work only once (Moodle), so it goes to the
    platform only from a browser that can complete the launch: in the frame when platform
    storage or cookies work there, otherwise from a new window opened here.
    """
    try:
        oidc = CommunitasLogin(
            lti_request(),
            DatabaseToolConf(db.session),
            state_store(),
            current_app.config["BASE_URL"],
        )
        new_window = request.values.get(NEW_WINDOW_PARAM) == "1"
        plan = oidc.plan(tool_url("lti.launch"), new_window=new_window)
    except LaunchRejected as exc:
        return rejected(exc, "login")
    if plan.storage_target or request.headers.get("Sec-Fetch-Dest") != "document":
        page = render_template(
            "lti/login_check.html",
            plan=plan,
            key=STORAGE_KEY + plan.state,
            cookie=cookie_attributes(),
            blocked=url_for("lti.blocked", state=plan.state),
        )
        return oidc.set_cookies(make_response(page))
    return oidc.set_cookies(redirect(plan.auth_url))


@bp.get("/login/blocked")
def blocked() -> Any:
    """The frame kept neither cookie nor platform storage: offer a fresh login in a window."""
    store = state_store()
    state = request.args.get("state", "")
    info = store.peek(state) if state else None
    if info is None:
        return rejected(
            LaunchRejected("this login has expired; open Communitas again", 400), "login"
        )
    store.take(state)  # the frame's login goes no further; the new window starts its own
    kinds = [STORAGE_UNAVAILABLE] if request.args.get("why") == "storage" else []
    note_binding(db.session, info, *kinds, NEW_WINDOW_OFFERED)
    db.session.commit()
    return new_window_page(info, 200)


@bp.post("/launch")
@csrf.exempt
def launch() -> Any:
    config = current_app.config
    message = CommunitasLaunch(
        lti_request(),
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
    if not claims.has_course(body):
        return outside_a_course(body, message.get_client_id())
    facts = claims.launch_facts(body, message.get_client_id())
    enrolled = record_launch(db.session, facts, now=utcnow())
    binding = _binding(message, body, enrolled.enrolment_id, facts.role)
    cookie = message.binding == "cookie"  # else the token must travel in links
    token = auth.start_session(binding, cookie=cookie)
    note_launch(db.session, message, body)  # last before the commit: row lock held briefly
    db.session.commit()  # one commit: the records, the session and the nonce taken
    auth.launched_viewer(
        binding, enrolled.person_id, enrolled.course_id, facts.name, facts.context_title
    )
    landing = "lti.deep_link" if binding.deep_link else auth.landing_endpoint(binding.role)
    address = url_for(landing, lt=token)
    response = redirect(address, 303) if binding.deep_link else landed(landing, address)
    if cookie:  # a used state cookie only weighs down later requests
        response.delete_cookie(
            f"lti1p3-{request.form['state']}", **state_cookie_flags(request.is_secure)
        )
    return response


def landed(endpoint: str, address: str) -> Response:
    """The role's page in the launch's own answer, rather than a redirect to it.

    A redirect would cost the browser one more round trip to the tool on every launch. The
    page takes its own address once loaded (``address.js``), so reloading it or coming back
    to it asks for that page again instead of posting the used launch. When the page cannot
    be read now, the launch is kept all the same: the browser is sent to the page's address,
    where a reload can try again.
    """
    g.page_address = address
    # The launch is committed and the page only reads: no BEGIN and ROLLBACK around it.
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    try:
        return make_response(current_app.view_functions[endpoint]())
    except SQLAlchemyError as error:
        log.warning("launch kept, its page not read (%s): redirecting to it", type(error).__name__)
        return redirect(address, 303)
    finally:
        db.session.rollback()  # hands back the autocommit connection: later work gets transactions


def outside_a_course(body: dict[str, Any], client_id: str) -> tuple[str, int]:
    """A valid launch from outside any course: keep the person, explain where the tool lives."""
    record_person(db.session, claims.launch_facts(body, client_id))
    db.session.commit()  # the person, and the nonce taken during validation
    return render_template("lti/no_course.html", staff=claims.map_role(body[claims.ROLES])), 200


def _binding(
    message: CommunitasLaunch, body: dict[str, Any], enrolment_id: int, role: str
) -> auth.LaunchBinding:
    """What this validated launch binds the browser to, deep-linking request included."""
    deep_link = None
    if body[claims.MESSAGE_TYPE] == claims.DEEP_LINKING_REQUEST:
        deep_link = auth.DeepLinkRequest(
            issuer=body["iss"],
            client_id=message.get_client_id(),
            deployment_id=body[claims.DEPLOYMENT_ID],
            settings=body[claims.DEEP_LINKING_SETTINGS],
            ticket=deep_linking.open_request(state_store()),
        )
    return auth.LaunchBinding(
        enrolment_id=enrolment_id,
        role=role,
        issued_at=int(time.time()),
        platform_admin=claims.is_platform_admin(body[claims.ROLES]),
        frame_ancestors=tuple(claims.frame_origins(body)),
        deep_link=deep_link,
    )


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
    note_binding(db.session, exc.info, NO_STATE_COOKIE)
    db.session.commit()
    return new_window_page(exc.info, 401)


def new_window_page(info: dict[str, Any], status: int) -> tuple[str, int]:
    """Offer the login again in a window of its own, or say why no window would help."""
    base = current_app.config["BASE_URL"]
    if http_cross_site(base, str(info.get("origin", ""))):
        log.warning("login cookie lost: the tool is on http and the platform on another site")
        return render_template("lti/new_window.html", url=None, https_needed=True), status
    login = info.get("login")
    query = {**login, NEW_WINDOW_PARAM: "1"} if isinstance(login, dict) else None
    url = tool_url("lti.login") + "?" + urlencode(query) if query else None
    return render_template("lti/new_window.html", url=url, https_needed=False), status


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
    if not deep_linking.close_request(state_store(), request_data.ticket):
        db.session.rollback()
        return render_template("lti/deep_link_missing.html", answered=True), 409
    db.session.commit()  # the request is answered: a second answer finds no ticket
    token = deep_linking.response_jwt(
        registration, request_data, tool_url("lti.launch"), form.title.data
    )
    return_url = request_data.settings["deep_link_return_url"]
    return render_template("lti/deep_link_return.html", return_url=return_url, token=token)
