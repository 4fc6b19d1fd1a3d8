"""What the doctor finds in one registration's launch facts, each with its fix."""

from cohorts.platforms.facts import (
    AGS_NEEDED,
    CLI,
    CLOCK_AHEAD,
    EXPIRED,
    MESSAGE,
    OTHER,
    REFUSAL_LABELS,
    SIGNATURE,
    Finding,
    KeyStatus,
    Limits,
    Refusals,
    Report,
)

SYNC_CLOCK = "ask the LMS admin to sync its clock (NTP)"


def _times(count: int) -> str:
    return f"{count} launch{'es' if count != 1 else ''}"


def _refused(report: Report, kind: str) -> Refusals | None:
    return next((r for r in report.refusals if r.kind == kind), None)


def _since_fixed(report: Report, refusals: Refusals) -> bool:
    """Tell whether launches have succeeded after the last refusal of this kind."""
    return report.last_launch_at is not None and report.last_launch_at > refusals.last_at


def approval_findings(report: Report) -> list[Finding]:
    """A registration waiting for approval refuses every launch until approved."""
    reg = report.registration
    if not reg.pending:
        return []
    return [
        Finding(
            "fix",
            "This registration waits for approval: its launches are refused. Approve it only "
            f"if {reg.key_set_url} is the key set of the LMS at {reg.issuer}",
            f"run `{CLI} platform approve --issuer {reg.issuer} --client-id {reg.client_id}`",
        )
    ]


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
