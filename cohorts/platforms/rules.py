"""Pure rules of the admin doctor: launch counters in, a report with "what to fix" lines out.

Nothing here reads a database or a clock: rows, keys and ``now`` come in as plain values, so
every rule is unit-tested without an app.
"""

from dataclasses import replace
from datetime import datetime, timedelta

from cohorts.platforms.facts import (
    CLOCK_AHEAD,
    EXPIRED,
    LAUNCHED,
    MESSAGE,
    OTHER,
    REFUSAL_LABELS,
    SIGNATURE,
    UNKNOWN_DEPLOYMENT,
    DeploymentSeen,
    HealthRow,
    KeyFacts,
    KeyStatus,
    Limits,
    Refusals,
    RegistrationFacts,
    Report,
)
from cohorts.platforms.findings import (
    approval_findings,
    clock_findings,
    deployment_findings,
    key_findings,
    refusal_findings,
    service_findings,
    traffic_findings,
)


def classify_refusal(
    status: int,
    signed: bool,
    iat_offset: float | None,
    expired_for: float | None,
    deployment_known: bool,
    limits: Limits,
) -> str:
    """Name why a launch from a known registration was refused, in the checks' order."""
    if not signed:
        return SIGNATURE
    if iat_offset is not None and iat_offset > limits.leeway:
        return CLOCK_AHEAD
    too_old = iat_offset is not None and iat_offset < -(limits.max_age + limits.leeway)
    if too_old or (expired_for is not None and expired_for > limits.leeway):
        return EXPIRED
    if not deployment_known:
        return UNKNOWN_DEPLOYMENT
    return MESSAGE if status == 400 else OTHER


def _widest(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present, key=abs) if present else None


def _deployments(registered: tuple[str, ...], rows: list[HealthRow]) -> tuple[DeploymentSeen, ...]:
    seen = {d: DeploymentSeen(d, True, 0, 0, None) for d in registered}
    for row in rows:
        if not row.deployment_id:  # unproven claim from a token whose signature failed
            continue
        old = seen.get(row.deployment_id) or DeploymentSeen(row.deployment_id, False, 0, 0, None)
        ok = row.outcome == LAUNCHED
        seen[row.deployment_id] = replace(
            old,
            launches=old.launches + (row.launches if ok else 0),
            refused=old.refused + (0 if ok else row.launches),
            last_at=max(row.last_at, old.last_at or row.last_at),
        )
    return tuple(sorted(seen.values(), key=lambda d: (not d.registered, d.deployment_id)))


def _refusals(rows: list[HealthRow]) -> tuple[Refusals, ...]:
    kinds: dict[str, Refusals] = {}
    for row in sorted(rows, key=lambda r: r.last_at):
        if row.outcome != LAUNCHED:
            count = kinds[row.outcome].count if row.outcome in kinds else 0
            kinds[row.outcome] = Refusals(
                row.outcome,
                REFUSAL_LABELS.get(row.outcome, row.outcome),
                count + row.launches,
                row.last_reason,
                row.last_at,
            )
    return tuple(sorted(kinds.values(), key=lambda r: -r.count))


def key_status(keys: list[KeyFacts], now: datetime) -> KeyStatus:
    """Summarise the tool's keys: which one signs, how old it is, which are still published."""
    active = max(
        (k for k in keys if k.status == "active"), key=lambda k: k.created_at, default=None
    )
    previous = tuple(k.kid for k in keys if k.status == "previous")
    age = (now - active.created_at).days if active else None
    return KeyStatus(active.kid if active else None, age, previous)


def diagnose(
    registration: RegistrationFacts,
    rows: list[HealthRow],
    keys: list[KeyFacts],
    now: datetime,
    limits: Limits = Limits(),  # noqa: B008 (frozen, so sharing is safe)
) -> Report:
    """Build the report for one registration from its recent launch counters."""
    since = now.date() - timedelta(days=limits.recent_days - 1)
    rows = [r for r in rows if r.day >= since]
    ok = sorted((r for r in rows if r.outcome == LAUNCHED), key=lambda r: r.last_at)
    latest = ok[-1] if ok else None
    report = Report(
        registration=registration,
        since=since,
        deployments=_deployments(registration.deployments, rows),
        launches=sum(r.launches for r in ok),
        last_launch_at=latest.last_at if latest else None,
        nrps_launches=sum(r.nrps_launches for r in ok),
        ags_launches=sum(r.ags_launches for r in ok),
        ags_scopes=tuple((latest.ags_scopes or "").split()) if latest else (),
        cookie_launches=sum(r.cookie_launches for r in ok),
        storage_launches=sum(r.storage_launches for r in ok),
        last_offset=latest.last_offset if latest else None,
        worst_offset=_widest([r.worst_offset for r in rows]),
        refusals=_refusals(rows),
        keys=key_status(keys, now),
        findings=(),
    )
    findings = [
        *approval_findings(report),
        *deployment_findings(report),
        *clock_findings(report, limits),
        *service_findings(report),
        *refusal_findings(report),
        *key_findings(report.keys, limits),
        *traffic_findings(report),
    ]
    order = {"fix": 0, "warning": 1, "note": 2}
    return replace(report, findings=tuple(sorted(findings, key=lambda f: order[f.level])))
