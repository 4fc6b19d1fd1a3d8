"""Communitas web and LTI layer."""

import logging
from pathlib import Path
from typing import Any

from flask import Flask, g, redirect, render_template, url_for
from werkzeug.middleware.proxy_fix import ProxyFix

from . import connections, heap, inputs, launch_session, logs, outage
from .config import instance_path, load_config
from .extensions import csrf, db, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app from the environment, overridden by ``test_config`` in tests."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=instance_path(ROOT / "instance"),
    )
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    logging.basicConfig(level=logging.INFO)
    logs.escape_control_characters()

    db.init_app(app)
    with app.app_context():
        # A connection the database dropped (restart, failover) is replaced, not failed on.
        connections.ping_when_needed(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    launch_session.init_app(app)
    csrf.init_app(app)
    inputs.init_app(app)
    if app.config.get("REDIS_URL"):
        import redis

        # Short timeouts: a Redis that is down must cost a request milliseconds, not minutes.
        app.extensions["communitas_redis"] = redis.Redis.from_url(
            app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1
        )

    _register_blueprints(app)
    _register_errors(app)
    from .cli import register_cli

    register_cli(app)
    if app.config["SANDBOX"]:
        from sandbox import register_sandbox

        register_sandbox(app)
    heap.freeze_start_up_objects()
    return app


def _register_blueprints(app: Flask) -> None:
    from . import admin, instructor, learner, sign_out, templating
    from .auth import current_viewer, landing_endpoint
    from .lti.register_views import bp as lti_register_bp
    from .lti.views import bp as lti_bp
    from .pages import security_headers

    for bp in (lti_bp, lti_register_bp, learner.bp, instructor.bp, admin.bp, sign_out.bp):
        app.register_blueprint(bp)
    templating.init_app(app)
    app.after_request(security_headers)
    app.before_request(_forget_previous_request)

    @app.get("/")
    def home() -> Any:
        viewer = current_viewer()
        if viewer is None:
            return render_template("errors/401.html"), 401
        return redirect(url_for(landing_endpoint(viewer.role)))


def _forget_previous_request() -> None:
    """An app context may outlive one request (tests, CLI): never reuse its per-request state."""
    for name in ("viewer", "binding", "csrf_token", "unread_notices", "viewer_zone"):
        g.pop(name, None)


def _register_errors(app: Flask) -> None:
    from flask_wtf.csrf import CSRFError

    from .expired import form_expired

    def page(template: str, status: int) -> Any:
        return lambda _exc: (render_template(template), status)

    app.register_error_handler(401, page("errors/401.html", 401))
    app.register_error_handler(403, page("errors/403.html", 403))
    app.register_error_handler(404, page("errors/404.html", 404))
    app.register_error_handler(405, _wrong_method)
    app.register_error_handler(CSRFError, form_expired)
    app.register_error_handler(500, _server_error)
    for error in outage.OUTAGES:
        app.register_error_handler(error, outage.briefly_unavailable)


def _wrong_method(exc: Any) -> Any:
    """A link to an address that takes a form (the LMS's launch above all): say where to go."""
    from flask import request

    page = render_template("errors/405.html", launch=request.path == "/lti/launch")
    return page, 405, {"Allow": ", ".join(exc.valid_methods or ())}


def _server_error(exc: Exception) -> Any:
    """Say sorry with the audience's tabs, without touching the database that may be failing."""
    from .auth import launch_binding

    original = getattr(exc, "original_exception", None)
    if isinstance(original, outage.OUTAGES):
        return outage.briefly_unavailable(original)

    binding = launch_binding()
    g.viewer = None  # the header then shows no names, which would need a query
    return render_template(
        "errors/500.html", nav_role=binding.role if binding else None, unread_notices=lambda: 0
    ), 500
