"""Settings from the environment; the only module that reads ``os.environ``."""

import os
import secrets
from pathlib import Path

DEFAULT_BASE_URL = "http://127.0.0.1:5000"
REGISTRATION_MODES = ("open", "approve", "closed")
#: The sandbox platform runs inside the tool, on the loopback address.
SANDBOX_OUTBOUND_ALLOW = "127.0.0.0/8,::1"


def _instance_secret(instance_path: Path) -> str:
    """Create the secret key on first start so a fresh clone needs no set-up."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _registration_mode(value: str | None, sandbox: bool) -> str:
    """Who may register through /lti/register: approval by default, open in the sandbox."""
    mode = (value or ("open" if sandbox else "approve")).strip().lower()
    if mode not in REGISTRATION_MODES:
        raise ValueError(f"COMMUNITAS_REGISTRATION must be one of {', '.join(REGISTRATION_MODES)}")
    return mode


def instance_path(default: Path) -> str:
    """Where the SQLite default, the secret key and the sandbox's files live."""
    return os.environ.get("COMMUNITAS_INSTANCE_PATH") or str(default)


def load_config(instance_path: str) -> dict[str, object]:
    """Return Flask settings built from the environment, with embedded defaults."""
    instance = Path(instance_path)
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance / 'communitas.db'}"
    base_url = env.get("COMMUNITAS_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    sandbox = env.get("COMMUNITAS_SANDBOX", "0") == "1"
    allow = env.get("COMMUNITAS_OUTBOUND_ALLOW", SANDBOX_OUTBOUND_ALLOW if sandbox else "")
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        # A connection the database dropped (restart, failover) is replaced, not failed on.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SECRET_KEY": env.get("SECRET_KEY") or _instance_secret(instance),
        "REDIS_URL": env.get("REDIS_URL") or None,
        #: Background jobs: "rq" (default with REDIS_URL), "thread" (default without), "inline".
        "JOBS_MODE": env.get("COMMUNITAS_JOBS") or None,
        "BASE_URL": base_url,
        "SANDBOX": sandbox,
        "REGISTRATION": _registration_mode(env.get("COMMUNITAS_REGISTRATION"), sandbox),
        #: Internal networks outbound calls may reach (loopback, private...): none by default.
        "OUTBOUND_ALLOW": tuple(v.strip() for v in allow.split(",") if v.strip()),
        #: Plain http:// to remote platforms only in development.
        "OUTBOUND_ALLOW_HTTP": sandbox,
        "OUTBOUND_CA_FILE": env.get("COMMUNITAS_OUTBOUND_CA_FILE") or None,
        # Where the sandbox LMS is reached: another host name of this server makes it a
        # cross-site LMS, as a real one is.
        "SANDBOX_URL": (env.get("COMMUNITAS_SANDBOX_URL") or base_url + "/sandbox").rstrip("/"),
        "SESSION_COOKIE_NAME": "communitas_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": base_url.startswith("https://"),
        "SESSION_COOKIE_SAMESITE": "None" if base_url.startswith("https://") else "Lax",
        # CHIPS: browsers that partition third-party cookies keep this one per LMS site.
        "SESSION_COOKIE_PARTITIONED": base_url.startswith("https://"),
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        # A launch session ends after this long without a request, and 3 hours after launch.
        "SESSION_IDLE_SECONDS": 60 * int(env.get("COMMUNITAS_SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_SECONDS": 3 * 3600,
        "LTI_LEEWAY_SECONDS": 60,
        "LTI_MAX_TOKEN_AGE_SECONDS": 600,
    }
