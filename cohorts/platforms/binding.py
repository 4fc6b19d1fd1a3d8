"""Launches the browser could not bind to its login, and the transport that causes most of them.

Pure: counters and URLs come in as plain values.
"""

import ipaddress
from urllib.parse import urlsplit

from cohorts.platforms.facts import Finding, Limits, Refusals, Report

NO_STATE_COOKIE = "no_state_cookie"
STORAGE_UNAVAILABLE = "storage_unavailable"
NEW_WINDOW_OFFERED = "new_window_offered"
NEW_WINDOW_COMPLETED = "new_window_completed"
#: Browser-binding outcomes in words an LMS administrator recognises.
BINDING_LABELS = {
    NO_STATE_COOKIE: "launches that came back without the login cookie",
    STORAGE_UNAVAILABLE: "logins where the LMS's platform storage did not answer",
    NEW_WINDOW_OFFERED: "logins that had to offer a new window (no cookie in the LMS frame)",
    NEW_WINDOW_COMPLETED: "launches completed in a new window",
}
HTTPS_FIX = (
    "serve Communitas over HTTPS (set COMMUNITAS_BASE_URL to its https:// address): its "
    "cookies are then SameSite=None; Secure; Partitioned, which browsers keep inside an "
    "LMS frame"
)


def _site(url: str) -> tuple[str, str]:
    """Scheme and registrable part of a URL's host (the last two labels; IPs whole)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        ipaddress.ip_address(host)
    except ValueError:
        host = ".".join(host.split(".")[-2:])
    return parts.scheme, host


def same_site(first: str, second: str) -> bool:
    """Tell whether browsers treat two URLs as one site (approximately: no suffix list)."""
    return _site(first) == _site(second)


def http_cross_site(tool_url: str, platform_url: str) -> bool:
    """Tell whether the tool is on plain http and the platform on another site.

    Then no browser returns the tool's SameSite=Lax login cookie on the platform's
    cross-site form post, in a frame or in a new window: only HTTPS (or platform storage)
    lets such launches through.
    """
    return tool_url.startswith("http://") and not same_site(tool_url, platform_url)


def _count(report: Report, kind: str) -> int:
    return next((b.count for b in report.binding if b.kind == kind), 0)


def binding_findings(report: Report, limits: Limits) -> list[Finding]:
    """Explain launches that ended on the new-window page or lost their login cookie."""
    found = []
    insecure = http_cross_site(limits.tool_base_url, report.registration.auth_login_url)
    if insecure:
        found.append(
            Finding(
                "warning",
                "Communitas is served over http and this platform is on another site, so "
                "browsers drop the login cookie on the platform's way back; embedded "
                "launches fail unless the LMS offers platform storage",
                HTTPS_FIX,
            )
        )
    offered, completed = _count(report, NEW_WINDOW_OFFERED), _count(report, NEW_WINDOW_COMPLETED)
    lost, storage = _count(report, NO_STATE_COOKIE), _count(report, STORAGE_UNAVAILABLE)
    if offered or lost:
        found.append(
            Finding(
                "warning",
                f"{offered} login(s) since {report.since} could not keep a cookie in the LMS "
                f"frame and offered a new window ({completed} completed there); {lost} "
                "launch(es) came back without the login cookie",
                HTTPS_FIX
                if insecure or limits.tool_base_url.startswith("http://")
                else "ask the LMS admin to offer platform storage (lti_storage_target), or "
                "expect learners whose browsers block cookies in frames to use the new window",
            )
        )
    if storage:
        found.append(
            Finding(
                "warning",
                f"The platform's storage did not answer for {storage} login(s) since "
                f"{report.since}",
                "check the LMS page's storage frame (the lti_storage_target it sends)",
            )
        )
    return found


def binding_counts(rows: list[Refusals]) -> tuple[Refusals, ...]:
    """Keep the browser-binding outcomes, most frequent first."""
    return tuple(sorted((r for r in rows if r.kind in BINDING_LABELS), key=lambda r: -r.count))
