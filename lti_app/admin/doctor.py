"""The admin doctor's reports, for the web page and as text for `flask doctor`."""

from datetime import datetime

from cohorts.models import utcnow
from cohorts.platforms.facts import REFUSAL_LABELS, Report
from cohorts.platforms.records import course_platform_id, doctor_reports

from ..extensions import db
from ..lti.health import current_limits

LEVEL_LABELS = {"fix": "Fix", "warning": "Warning", "note": "Note"}


def reports(platform_id: int | None = None) -> list[Report]:
    """Diagnose every registration, or one, as of now."""
    return doctor_reports(db.session, utcnow(), current_limits(), platform_id)


def own_reports(course_id: int, platform_id: int | None = None) -> list[Report]:
    """The report of the registration the viewer's course came from: never another tenant's."""
    own = course_platform_id(db.session, course_id)
    if own is None or platform_id not in (None, own):
        return []
    return reports(own)


def seconds(value: float | None) -> str:
    """Show a clock offset with its sign, so ahead and behind read differently."""
    return "no launch yet" if value is None else f"{value:+.1f} s"


def when(value: datetime | None) -> str:
    """Show a UTC time the way the CLI and the page both print it."""
    return "never" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


def short_scopes(scopes: tuple[str, ...]) -> str:
    """Name AGS scopes by their last path segment (lineitem, score...)."""
    return ", ".join(s.rsplit("/", 1)[-1] for s in scopes) or "none"


def _registration_lines(report: Report) -> list[str]:
    reg = report.registration
    return [
        f"Platform {reg.id}: {reg.issuer} (client id {reg.client_id})"
        + (" WAITING FOR APPROVAL" if reg.pending else ""),
        f"  Login (OIDC auth) URL:   {reg.auth_login_url}",
        f"  Token URL:               {reg.auth_token_url}",
        f"  Key set (JWKS) URL:      {reg.key_set_url}",
        f"  Token audience:          {reg.auth_audience or 'the token URL'}",
        f"  Deployments registered:  {', '.join(reg.deployments) or 'none'}",
    ]


def _launch_lines(report: Report) -> list[str]:
    lines = [f"Deployments seen since {report.since}:"]
    for seen in report.deployments:
        state = "registered" if seen.registered else "NOT registered"
        lines.append(
            f"  {seen.deployment_id}  {state}: {seen.launches} launched, "
            f"{seen.refused} refused, last {when(seen.last_at)}"
        )
    total = report.launches
    lines += [
        f"Launches accepted since {report.since}: {total} ({report.cookie_launches} with the "
        f"login cookie, {report.storage_launches} through platform storage)",
        f"Services granted: roster (NRPS) in {report.nrps_launches} of {total}; grades (AGS) "
        f"in {report.ags_launches} of {total}, last scopes: {short_scopes(report.ags_scopes)}",
        f"Platform clock (token iat minus time received): last {seconds(report.last_offset)}, "
        f"worst {seconds(report.worst_offset)}",
    ]
    return lines


def _key_and_refusal_lines(report: Report) -> list[str]:
    keys = report.keys
    previous = ", ".join(keys.previous_kids) or "none"
    lines = [
        f"Tool signing key: {keys.active_kid or 'none'} "
        f"({keys.active_age_days if keys.active_age_days is not None else '-'} days old); "
        f"previous keys still published: {previous}"
    ]
    lines.append(
        f"Refused launches since {report.since}: {sum(r.count for r in report.refusals) or 'none'}"
    )
    for refused in report.refusals:
        lines.append(
            f"  {refused.count}  {REFUSAL_LABELS.get(refused.kind, refused.kind)} "
            f"(last: {refused.last_reason or '-'}, {when(refused.last_at)})"
        )
    return lines


def report_text(report: Report) -> str:
    """The whole report as plain text, "what to fix" last so it ends the terminal output."""
    lines = [
        *_registration_lines(report),
        *_launch_lines(report),
        *_key_and_refusal_lines(report),
        "What to fix:",
    ]
    for finding in report.findings:
        lines.append(f"  {LEVEL_LABELS[finding.level].upper():8} {finding.line}")
    if not report.needs_fixing:
        lines.append("  Nothing to fix.")
    return "\n".join(lines)
