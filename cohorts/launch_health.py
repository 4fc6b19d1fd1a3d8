"""Pure rules of the admin doctor: launch counters in, a report with "what to fix" lines out.

Nothing here reads a database or a clock: rows, keys and ``now`` come in as plain values, so
every rule is unit-tested without an app.
"""

from dataclasses import replace
from datetime import datetime, timedelta

from .health_facts import (
    AGS_NEEDED,
    CLI,
    CLOCK_AHEAD,
    EXPIRED,
    LAUNCHED,
    MESSAGE,
    OTHER,
    REFUSAL_LABELS,
    SIGNATURE,
    UNKNOWN_DEPLOYMENT,
    DeploymentSeen,
    Finding,
    HealthRow,
    KeyFacts,
    KeyStatus,
    Limits,
    Refusals,
    RegistrationFacts,
    Report,
)

SYNC_CLOCK = "ask the LMS admin to sync its clock (NTP)"


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
        *deployment_findings(report),
        *clock_findings(report, limits),
        *service_findings(report),
        *refusal_findings(report),
        *key_findings(report.keys, limits),
        *traffic_findings(report),
    ]
    order = {"fix": 0, "warning": 1, "note": 2}
    return replace(report, findings=tuple(sorted(findings, key=lambda f: order[f.level])))


def _times(count: int) -> str:
    return f"{count} launch{'es' if count != 1 else ''}"


def _refused(report: Report, kind: str) -> Refusals | None:
    return next((r for r in report.refusals if r.kind == kind), None)


def _since_fixed(report: Report, refusals: Refusals) -> bool:
    """Tell whether launches have succeeded after the last refusal of this kind."""
    return report.last_launch_at is not None and report.last_launch_at > refusals.last_at


def deployment_findings(report: Report) -> list[Finding]:
    """Unregistered deployment ids that launches use, and registered ones nobody uses."""
    reg, found = report.registration, []
    for seen in report.deployments:
        if not seen.registered and seen.refused:
            found.append(
                Finding(
                    "fix",
                    f"Launches arrive with deployment id '{seen.deployment_id}', which is not "
                    f"registered ({_times(seen.refused)} refused since {report.since})",
                    f"run `{CLI} platform add-deployment --issuer {reg.issuer} "
                    f"--client-id {reg.client_id} --deployment-id {seen.deployment_id}`",
                )
            )
        elif seen.registered and not seen.launches and report.launches:
            found.append(
                Finding(
                    "note",
                    f"Deployment id '{seen.deployment_id}' is registered but no launch "
                    f"used it since {report.since}",
                )
            )
    return found


def clock_findings(report: Report, limits: Limits) -> list[Finding]:
    """Platform clock ahead (refused or close to it) or far behind."""
    ahead, last = _refused(report, CLOCK_AHEAD), report.last_offset
    if ahead and not _since_fixed(report, ahead):
        worst = max(report.worst_offset or 0, limits.leeway)
        return [
            Finding(
                "fix",
                f"The platform's clock is {worst:.0f} s ahead: {_times(ahead.count)} "
                f"refused since {report.since}; launches beyond {limits.leeway} s are refused",
                SYNC_CLOCK,
            )
        ]
    if last is not None and last > limits.clock_warning:
        return [
            Finding(
                "warning",
                f"The platform's clock is {last:.0f} s ahead; launches beyond "
                f"{limits.leeway} s are refused",
                SYNC_CLOCK,
            )
        ]
    if last is not None and last < -limits.clock_behind_warning:
        return [
            Finding(
                "warning",
                f"The platform's clock is {-last:.0f} s behind (or launches take that "
                f"long to arrive); tokens older than {limits.max_age} s are refused",
                SYNC_CLOCK,
            )
        ]
    if ahead:
        return [
            Finding(
                "note",
                f"{_times(ahead.count)} refused for a clock ahead since "
                f"{report.since}; later launches were accepted (if it recurs, one LMS "
                "server may drift)",
                SYNC_CLOCK,
            )
        ]
    return []


def service_findings(report: Report) -> list[Finding]:
    """Roster (NRPS) and grade (AGS) access the platform granted with the launches."""
    if not report.launches:
        return []
    found, total = [], report.launches
    if not report.nrps_launches:
        found.append(
            Finding(
                "fix",
                "The last launches granted no roster (NRPS) access",
                "enable the Names and Role Provisioning service for the tool (Moodle: the tool's "
                "'IMS LTI Names and Role Provisioning' setting; Canvas: the developer key's "
                "membership scope)",
            )
        )
    elif report.nrps_launches < total:
        found.append(
            Finding(
                "note",
                f"{total - report.nrps_launches} of {_times(total)} "
                "came without roster (NRPS) access; placements may differ",
            )
        )
    missing = [s.rsplit("/", 1)[-1] for s in AGS_NEEDED if s not in report.ags_scopes]
    if not report.ags_launches:
        found.append(
            Finding(
                "fix",
                "The last launches granted no grade (AGS) access",
                "enable Assignment and Grade Services for the tool (Moodle: the tool's 'IMS LTI "
                "Assignment and Grade Services' setting; Canvas: the line item and score scopes)",
            )
        )
    elif missing:
        found.append(
            Finding(
                "fix",
                f"The last launch's grade (AGS) claim lacks the scope(s) {', '.join(missing)}",
                "let the tool manage line items and post scores in its AGS setting",
            )
        )
    return found


def refusal_findings(report: Report) -> list[Finding]:
    """Refusals other than clock and deployment, each with what to check."""
    found = []
    bad_key = _refused(report, SIGNATURE)
    if bad_key and not _since_fixed(report, bad_key):
        found.append(
            Finding(
                "fix",
                f"{_times(bad_key.count)} refused since {report.since} because the token's "
                f"signature did not verify ({bad_key.last_reason})",
                f"check that the key set URL registered here "
                f"({report.registration.key_set_url}) is the platform's and reachable",
            )
        )
    expired = _refused(report, EXPIRED)
    if expired and not _since_fixed(report, expired):
        found.append(
            Finding(
                "warning",
                f"{_times(expired.count)} refused since {report.since} because the "
                "token had expired",
                "if the platform's clock is behind, " + SYNC_CLOCK,
            )
        )
    for kind, level in ((MESSAGE, "fix"), (OTHER, "note")):
        refused = _refused(report, kind)
        if refused and not _since_fixed(report, refused):
            found.append(
                Finding(
                    level,
                    f"{_times(refused.count)} refused since {report.since}: "
                    f"{REFUSAL_LABELS[kind]} (last: {refused.last_reason})",
                    "check the tool's placement settings in the LMS" if kind == MESSAGE else None,
                )
            )
    return found


def key_findings(keys: KeyStatus, limits: Limits) -> list[Finding]:
    """The tool's own signing key: present, not too old, old keys retired in time."""
    if keys.active_kid is None or keys.active_age_days is None:
        return [Finding("fix", "The tool has no signing key", f"run `{CLI} keys rotate`")]
    age = keys.active_age_days
    if age >= limits.key_max_age_days:
        what = (
            "Only one signing key has been used"
            if not keys.previous_kids
            else "The signing key has been used"
        )
        return [
            Finding(
                "warning",
                f"{what} for {age} days",
                f"rotate with `{CLI} keys rotate`, then `{CLI} keys retire` a day later",
            )
        ]
    if keys.previous_kids and age >= limits.retire_after_days:
        return [
            Finding(
                "note",
                f"{len(keys.previous_kids)} previous key(s) still published "
                f"{age} days after the rotation",
                f"run `{CLI} keys retire`",
            )
        ]
    return []


def traffic_findings(report: Report) -> list[Finding]:
    """No traffic at all, and launches that needed platform storage."""
    if not report.launches and not report.refusals:
        return [
            Finding(
                "note",
                f"No launch has reached Communitas from this registration since {report.since}",
                f"open Communitas from a course to test; if the LMS shows an "
                f"error first, compare its login and redirect URLs with `{CLI} info`",
            )
        ]
    if report.storage_launches:
        return [
            Finding(
                "note",
                f"{report.storage_launches} of {_times(report.launches)} "
                "came through platform storage because the browser withheld the login "
                "cookie; that works, nothing to fix",
            )
        ]
    return []
