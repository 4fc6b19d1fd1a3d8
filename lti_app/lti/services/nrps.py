"""Names and Role Provisioning: read a course's roster, page by page, as plain members.

Pages follow ``Link: <...>; rel="next"``; a ``rel="differences"`` link, when the platform
offers one, is kept so the next sync asks only for what changed. Links must stay on the
roster's own origin. Members and pages are bounded (``cohorts.limits``).
"""

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from pylti1p3.registration import Registration

from cohorts.limits import ROSTER_MAX_MEMBERS, ROSTER_MAX_PAGES, ROSTER_PAGE_SIZE
from cohorts.roster.rules import ACTIVE, DELETED, INACTIVE, Member

from ..claims import map_role, service_url
from .client import ServiceCallFailed, call, json_body
from .token import access_token

SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
STATUSES = (ACTIVE, INACTIVE, DELETED)
_LINK = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]*)*)")
_REL = re.compile(r'rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))', re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Roster:
    """The members one sync read, and how to ask for the changes next time."""

    members: list[Member]
    #: True for a full roster; False when the platform answered with differences only.
    complete: bool
    differences_url: str | None
    pages: int
    #: Entries left out for having no usable user id.
    skipped: int = 0


def links(value: str | None) -> dict[str, str]:
    """Parse a Link header into {rel: url}; the first link of each rel wins."""
    found: dict[str, str] = {}
    for match in _LINK.finditer(value or ""):
        for rel in _REL.finditer(match.group(2)):
            for name in (rel.group(1) or rel.group(2)).lower().split():
                found.setdefault(name, match.group(1).strip())
    return found


def _same_origin(url: str, base: str) -> str | None:
    """Resolve a link against the page; keep it only on the roster's own scheme and host."""
    resolved = service_url(urljoin(base, url))
    if resolved is None:
        return None
    a, b = urlsplit(resolved), urlsplit(base)
    return resolved if (a.scheme, a.netloc) == (b.scheme, b.netloc) else None


def with_page_size(url: str) -> str:
    """Ask for large pages unless the URL already says how many (platforms may cap it)."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    if any(k == "limit" for k, _ in query):
        return url
    query.append(("limit", str(ROSTER_PAGE_SIZE)))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _text(value: Any, limit: int = 255) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def member(entry: Any) -> Member | None:
    """One roster entry as a Member, or None when it names nobody usable."""
    if not isinstance(entry, dict):
        return None
    sub = entry.get("user_id")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > 255 or "\x00" in sub:
        return None
    roles = entry.get("roles")
    roles = (
        [r for r in roles if isinstance(r, str) and len(r) <= 255]
        if isinstance(roles, list)
        else []
    )
    status = entry.get("status", ACTIVE)
    return Member(
        sub=sub,
        role=map_role(roles),
        lti_roles=tuple(roles[:20]),
        status=status if status in STATUSES else ACTIVE,
        name=_text(entry.get("name")),
        given_name=_text(entry.get("given_name")),
        family_name=_text(entry.get("family_name")),
        email=_text(entry.get("email")),
    )


def fetch_roster(
    registration: Registration, url: str, differences_url: str | None = None
) -> Roster:
    """Read the roster (or, given a differences link, what changed since the last sync)."""
    start = differences_url or with_page_size(url)
    bearer = access_token(registration, [SCOPE])
    members: list[Member] = []
    skipped = pages = 0
    differences: str | None = None
    next_url: str | None = start
    seen: set[str] = set()
    while next_url is not None:
        if pages >= ROSTER_MAX_PAGES:
            raise ServiceCallFailed(f"roster: more than {ROSTER_MAX_PAGES} pages; stopped")
        seen.add(next_url)
        page, page_links = _page(next_url, bearer)
        pages += 1
        entries = page.get("members")
        if not isinstance(entries, list):
            raise ServiceCallFailed("roster: the platform's answer has no members list")
        for entry in entries:
            found = member(entry)
            if found is None:
                skipped += 1
            else:
                members.append(found)
        if len(members) > ROSTER_MAX_MEMBERS:
            raise ServiceCallFailed(
                f"roster: more than {ROSTER_MAX_MEMBERS:,} members; Communitas reads at most that"
            )
        if "differences" in page_links:
            differences = _same_origin(page_links["differences"], next_url) or differences
        following = page_links.get("next")
        next_url = _same_origin(following, next_url) if following else None
        if next_url in seen:
            next_url = None  # a platform that links a page to itself would loop forever
    return Roster(members, differences_url is None, differences, pages, skipped)


def _page(url: str, bearer: str) -> tuple[dict[str, Any], dict[str, str]]:
    reply = call("GET", url, token=bearer, accept=MEDIA_TYPE, what="roster")
    body = json_body(reply, "roster")
    if not isinstance(body, dict):
        raise ServiceCallFailed("roster: the platform's answer is not a membership container")
    # Several Link headers are one list (RFC 8288).
    return body, links(", ".join(v for k, v in reply.headers if k.lower() == "link"))
