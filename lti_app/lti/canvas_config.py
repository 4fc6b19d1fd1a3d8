"""The JSON a Canvas admin pastes into a developer key when registering by hand."""

from typing import Any
from urllib.parse import urlsplit

from .registration import DEEP_LINK_LABEL, DESCRIPTION, SCOPES, TOOL_NAME


def canvas_configuration(base_url: str) -> dict[str, Any]:
    """Return the JSON a Canvas admin pastes into a developer key (LTI key, Paste JSON)."""
    launch = base_url + "/lti/launch"
    placements = [
        {
            "placement": "course_navigation",
            "message_type": "LtiResourceLinkRequest",
            "target_link_uri": launch,
            "text": TOOL_NAME,
        },
        {
            "placement": "link_selection",
            "message_type": "LtiDeepLinkingRequest",
            "target_link_uri": launch,
            "text": DEEP_LINK_LABEL,
        },
    ]
    return {
        "title": TOOL_NAME,
        "description": DESCRIPTION,
        "oidc_initiation_url": base_url + "/lti/login",
        "target_link_uri": launch,
        "public_jwk_url": base_url + "/lti/jwks",
        "scopes": list(SCOPES),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": urlsplit(base_url).netloc,
                "tool_id": "communitas",
                "privacy_level": "public",
                "settings": {"text": TOOL_NAME, "placements": placements},
            }
        ],
        "custom_fields": {},
    }
