"""Plain values the admin doctor works on: launch counters, keys, findings and the report."""

from dataclasses import dataclass
from datetime import date, datetime

LAUNCHED = "launched"
SIGNATURE = "signature"
CLOCK_AHEAD = "clock_ahead"
EXPIRED = "expired"
UNKNOWN_DEPLOYMENT = "unknown_deployment"
MESSAGE = "message"
OTHER = "other"

#: Refusal kinds in words an LMS administrator recognises.
REFUSAL_LABELS = {
    SIGNATURE: "signature or key did not verify",
    CLOCK_AHEAD: "token issued in the future (platform clock ahead)",
    EXPIRED: "token expired or too old (platform clock behind, or a slow browser)",
    UNKNOWN_DEPLOYMENT: "deployment id not registered",
    MESSAGE: "LTI claims missing or malformed",
    OTHER: "other token check (nonce, audience, replay)",
}
AGS_NEEDED = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
CLI = "flask --app lti_app"


@dataclass(frozen=True, slots=True)
class Limits:
    """Thresholds the rules compare against; leeway and max age mirror the launch checks."""

    leeway: int = 60
    max_age: int = 600
    clock_warning: int = 30
    clock_behind_warning: int = 120
    key_max_age_days: int = 180
    retire_after_days: int = 7
    recent_days: int = 7


@dataclass(frozen=True, slots=True)
class HealthRow:
    """One day of launches of one outcome for one deployment of a registration."""

    deployment_id: str
    outcome: str
    day: date
    launches: int
    last_at: datetime
    cookie_launches: int = 0
    storage_launches: int = 0
    nrps_launches: int = 0
    ags_launches: int = 0
    ags_scopes: str | None = None
    last_offset: float | None = None
    worst_offset: float | None = None
    last_reason: str | None = None


@dataclass(frozen=True, slots=True)
class KeyFacts:
    """One of the tool's signing keys."""

    kid: str
    status: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RegistrationFacts:
    """A platform registration as the admin typed it."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None
    deployments: tuple[str, ...]
    #: Registered dynamically and waiting for an administrator of the tool: cannot launch.
    pending: bool = False


@dataclass(frozen=True, slots=True)
class DeploymentSeen:
    """A deployment id registered, or seen in launches, with its recent counts."""

    deployment_id: str
    registered: bool
    launches: int
    refused: int
    last_at: datetime | None


@dataclass(frozen=True, slots=True)
class Refusals:
    """Recent refused launches of one kind."""

    kind: str
    label: str
    count: int
    last_reason: str | None
    last_at: datetime


@dataclass(frozen=True, slots=True)
class KeyStatus:
    """The tool key in use and the keys still published beside it."""

    active_kid: str | None
    active_age_days: int | None
    previous_kids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A diagnosis: ``fix`` and ``warning`` need an admin's action, ``note`` does not."""

    level: str
    problem: str
    action: str | None = None

    @property
    def line(self) -> str:
        return f"{self.problem}: {self.action}" if self.action else self.problem


@dataclass(frozen=True, slots=True)
class Report:
    """Everything the doctor page and command show for one registration."""

    registration: RegistrationFacts
    since: date
    deployments: tuple[DeploymentSeen, ...]
    launches: int
    last_launch_at: datetime | None
    nrps_launches: int
    ags_launches: int
    ags_scopes: tuple[str, ...]
    cookie_launches: int
    storage_launches: int
    last_offset: float | None
    worst_offset: float | None
    refusals: tuple[Refusals, ...]
    keys: KeyStatus
    findings: tuple[Finding, ...]

    @property
    def needs_fixing(self) -> bool:
        return any(f.level in ("fix", "warning") for f in self.findings)
