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


def launch_facts(body: dict[str, Any], client_id: str) -> LaunchFacts:
    """Extract what the domain records from a validated id_token body."""
    context = body[CONTEXT]
    link = body.get(RESOURCE_LINK) or {}
    roles = body.get(ROLES) or []
    return LaunchFacts(
        issuer=body["iss"],
        client_id=client_id,
        deployment_id=body[DEPLOYMENT_ID],
        context_id=context["id"],
        sub=body["sub"],
        role=map_role(roles),
        lti_roles=tuple(roles),
        context_title=_text(context.get("title")),
        context_label=_text(context.get("label")),
        name=_text(body.get("name")),
        given_name=_text(body.get("given_name")),
        family_name=_text(body.get("family_name")),
        email=_text(body.get("email")),
        resource_link_id=_text(link.get("id")) if isinstance(link, dict) else None,
        resource_link_title=_text(link.get("title")) if isinstance(link, dict) else None,
    )
