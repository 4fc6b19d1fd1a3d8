"""LTI claim names, the role mapping, and a validated launch turned into plain values."""

from typing import Any
from urllib.parse import urlsplit

from cohorts.courses import LaunchFacts

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
#: Moodle's extension claim; ``user_username`` is the Moodle login.
EXT = LTI + "ext"
#: The custom parameter Communitas asks Canvas to fill with ``$Canvas.user.loginId``.
LOGIN_ID_PARAM = "login_id"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
STAFF_ROLES = frozenset(
    {
        _LIS + "membership#Instructor",
        _LIS + "membership/Instructor#TeachingAssistant",
        _LIS + "membership#TeachingAssistant",
        _LIS + "membership#ContentDeveloper",
        _LIS + "membership#Administrator",
        _LIS + "institution/person#Administrator",
        _LIS + "system/person#Administrator",
        # LTI 1.3 allows the short context role names too.
        "Instructor",
        "TeachingAssistant",
        "ContentDeveloper",
        "Administrator",
    }
)
LEARNER_ROLES = frozenset(
    {_LIS + "membership#Learner", _LIS + "membership/Learner#Learner", "Learner"}
)
ADMIN_ROLES = frozenset(
    {
        _LIS + "system/person#Administrator",
        _LIS + "institution/person#Administrator",
        _LIS + "membership#Administrator",
    }
)


def map_role(roles: list[str]) -> str:
    """Map role URIs to staff, learner or guest (read-only); staff wins over learner."""
    found = set(roles)
    if found & STAFF_ROLES:
        return "staff"
    if found & LEARNER_ROLES:
        return "learner"
    return "guest"


def is_platform_admin(roles: list[str]) -> bool:
    """Tell whether the launch comes from an LMS administrator (not merely faculty)."""
    return bool(set(roles) & ADMIN_ROLES)


def frame_origins(body: dict[str, Any]) -> list[str]:
    """Origins allowed to frame the tool after this launch: the issuer and the LMS page."""
    origins = []
    presentation = body.get(LAUNCH_PRESENTATION)
    return_url = presentation.get("return_url") if isinstance(presentation, dict) else None
    for url in (body.get("iss"), return_url):
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts and parts.scheme in ("http", "https") and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return sorted(set(origins))


def _text(value: Any, limit: int = 255) -> str | None:
    return value.strip()[:limit] or None if isinstance(value, str) else None


def lms_login(body: dict[str, Any]) -> str | None:
    """The person's LMS login: Moodle's username, or Canvas's substituted login id.

    Canvas sends a custom variable it may not fill (privacy level) as its literal
    ``$Name``; that is no login.
    """
    ext, custom = body.get(EXT), body.get(CUSTOM)
    found = ext.get("user_username") if isinstance(ext, dict) else None
    if not found and isinstance(custom, dict):
        found = custom.get(LOGIN_ID_PARAM)
    login = _text(found)
    return None if login is None or login.startswith("$") else login


def has_course(body: dict[str, Any]) -> bool:
    """Tell whether the launch comes from inside a course (it has a context)."""
    return isinstance(body.get(CONTEXT), dict)


#: Service URLs are stored in 1024-character columns; a longer or malformed one is ignored.
MAX_SERVICE_URL = 1024
MAX_SCOPES = 12


def service_url(value: Any) -> str | None:
    """Return an absolute http(s) URL from a service claim, or None for anything else."""
    if not isinstance(value, str) or len(value) > MAX_SERVICE_URL:
        return None
    parts = urlsplit(value)
    clean = value.isprintable() and " " not in value
    return value if clean and parts.scheme in ("http", "https") and parts.netloc else None


def _words(value: Any, limit: int, longest: int = 255) -> tuple[str, ...]:
    """A list of short strings from a claim; anything else (or too many) counts as none."""
    if not isinstance(value, list) or len(value) > limit:
        return ()
    if not all(isinstance(v, str) and 0 < len(v) <= longest and " " not in v for v in value):
        return ()
    return tuple(value)


def nrps_endpoint(body: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    """The roster service a launch offers: its URL and versions (bad types: none)."""
    claim = body.get(NRPS)
    if not isinstance(claim, dict):
        return None, ()
    url = service_url(claim.get("context_memberships_url"))
    return url, _words(claim.get("service_versions"), 4, 10) if url else ()


def ags_endpoint(body: dict[str, Any]) -> tuple[str | None, str | None, tuple[str, ...]]:
    """The grades service a launch offers: line items URL, its own line item, scopes."""
    claim = body.get(AGS)
    if not isinstance(claim, dict):
        return None, None, ()
    lineitems, lineitem = service_url(claim.get("lineitems")), service_url(claim.get("lineitem"))
    scopes = _words(claim.get("scope"), MAX_SCOPES) if lineitems or lineitem else ()
    return lineitems, lineitem, scopes


def launch_facts(body: dict[str, Any], client_id: str) -> LaunchFacts:
    """Extract what the domain records from a validated id_token body."""
    context = body.get(CONTEXT) or {}
    link = body.get(RESOURCE_LINK) or {}
    roles = body.get(ROLES) or []
    nrps_url, nrps_versions = nrps_endpoint(body)
    lineitems, lineitem, scopes = ags_endpoint(body)
    return LaunchFacts(
        issuer=body["iss"],
        client_id=client_id,
        deployment_id=body[DEPLOYMENT_ID],
        context_id=context.get("id", ""),
        sub=body["sub"],
        role=map_role(roles),
        lti_roles=tuple(roles),
        context_title=_text(context.get("title")),
        context_label=_text(context.get("label")),
        name=_text(body.get("name")),
        given_name=_text(body.get("given_name")),
        family_name=_text(body.get("family_name")),
        email=_text(body.get("email")),
        username=lms_login(body),
        resource_link_id=_text(link.get("id")) if isinstance(link, dict) else None,
        resource_link_title=_text(link.get("title")) if isinstance(link, dict) else None,
        nrps_url=nrps_url,
        nrps_versions=nrps_versions,
        ags_lineitems_url=lineitems,
        ags_lineitem_url=lineitem,
        ags_scopes=scopes,
    )
