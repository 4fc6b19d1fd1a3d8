"""Launch health on a session: one upsert per launch, and the doctor's reports."""

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from cohorts.db import upsert_id
from cohorts.models import Course, LaunchHealth, Platform, ToolKey
from cohorts.platforms.admission import PENDING
from cohorts.platforms.facts import LAUNCHED, HealthRow, KeyFacts, Limits, RegistrationFacts, Report
from cohorts.platforms.rules import diagnose

ROW_FIELDS = tuple(f for f in HealthRow.__dataclass_fields__)


def record_launch_health(
    session: Session,
    platform_id: int,
    deployment_id: str,
    outcome: str,
    now: datetime,
    *,
    binding: str = "",
    nrps: bool = False,
    ags_scopes: str | None = None,
    ags: bool = False,
    offset: float | None = None,
    reason: str | None = None,
) -> None:
    """Count one launch (or refusal) in a single INSERT .. ON CONFLICT statement."""
    ok = outcome == LAUNCHED
    upsert_id(
        session,
        LaunchHealth,
        {
            "platform_id": platform_id,
            "deployment_id": deployment_id[:255],
            "outcome": outcome,
            "day": now.date(),
        },
        {"ags_scopes": ags_scopes, "last_reason": reason[:255] if reason else None},
        {"last_at": now, "last_offset": offset},
        add={
            "launches": 1,
            "cookie_launches": int(ok and binding == "cookie"),
            "storage_launches": int(ok and binding == "platform-storage"),
            "nrps_launches": int(ok and nrps),
            "ags_launches": int(ok and ags),
        },
        widest={"worst_offset": offset},
    )


def _facts(platform: Platform) -> RegistrationFacts:
    return RegistrationFacts(
        id=platform.id,
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        key_set_url=platform.key_set_url,
        auth_audience=platform.auth_audience,
        deployments=tuple(d.deployment_id for d in platform.deployments),
        pending=platform.status == PENDING,
    )


def _rows(session: Session, platform_ids: list[int], since: datetime) -> dict[int, list[HealthRow]]:
    found: dict[int, list[HealthRow]] = {pid: [] for pid in platform_ids}
    query = select(LaunchHealth).where(
        LaunchHealth.platform_id.in_(platform_ids), LaunchHealth.day >= since.date()
    )
    for row in session.scalars(query):
        found[row.platform_id].append(HealthRow(**{f: getattr(row, f) for f in ROW_FIELDS}))
    return found


def course_platform_id(session: Session, course_id: int) -> int | None:
    """The registration a course belongs to (issuer + client id), if it is still registered."""
    return session.scalar(
        select(Platform.id)
        .join(Course, (Course.issuer == Platform.issuer) & (Course.client_id == Platform.client_id))
        .where(Course.id == course_id)
    )


def doctor_reports(
    session: Session,
    now: datetime,
    limits: Limits,
    platform_id: int | None = None,
) -> list[Report]:
    """Diagnose every registration (or one), oldest registration first."""
    query = select(Platform).options(selectinload(Platform.deployments)).order_by(Platform.id)
    if platform_id is not None:
        query = query.where(Platform.id == platform_id)
    platforms = list(session.scalars(query))
    rows = _rows(session, [p.id for p in platforms], now - timedelta(days=limits.recent_days))
    keys = [
        KeyFacts(k.kid, k.status, k.created_at)
        for k in session.execute(select(ToolKey.kid, ToolKey.status, ToolKey.created_at))
    ]
    return [diagnose(_facts(p), rows[p.id], keys, now, limits) for p in platforms]
