"""Dev-only LTI 1.3 platform (a fake LMS) for demos, tests and benchmarks.

It reaches the tool only over HTTP, like a real LMS; mounting it in the tool's app under
/sandbox is a convenience of ``make run``, enabled by COMMUNITAS_SANDBOX=1.
"""

from pathlib import Path

from flask import Flask

from . import ags_views, demo_course, roster_views  # noqa: F401  (their routes join the sandbox blueprint)
from .platform import Platform
from .views import bp

__all__ = ["Platform", "create_platform_app", "register_sandbox"]


def _platform_for(app: Flask, issuer: str, tool_base_url: str) -> Platform:
    """Load the sandbox keys from the instance folder (shared by workers), or create them."""
    path = Path(app.instance_path) / "sandbox_platform_keys.json"
    platform = Platform(issuer=issuer, tool_base_url=tool_base_url)
    if path.exists():
        platform.keys = Platform.load_keys(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        platform.save(path)
    return platform


def register_sandbox(app: Flask) -> None:
    """Mount the sandbox platform at /sandbox of the tool's own app."""
    base = app.config["BASE_URL"]
    issuer = app.config.get("SANDBOX_URL") or base + "/sandbox"
    app.extensions["sandbox_platform"] = _platform_for(app, issuer, base)
    app.extensions["sandbox_data"] = Path(app.instance_path) / "sandbox_ags.json"
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
    app.register_blueprint(bp)


def create_platform_app(platform: Platform, data_path: Path) -> Flask:
    """Serve ``platform`` on its own, as the test suite and benchmarks do."""
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__, template_folder=str(root / "templates"), static_folder=str(root / "static")
    )
    app.extensions["sandbox_platform"] = platform
    app.extensions["sandbox_data"] = data_path
    app.register_blueprint(bp)
    return app
