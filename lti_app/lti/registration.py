"""LTI Dynamic Registration 1.0 and the Canvas JSON configuration: how a platform learns of us.

The flow: the platform opens ``/lti/register?openid_configuration=...&registration_token=...``;
we read and check its OpenID configuration, post our client registration to its
``registration_endpoint`` and keep the client id and deployment it answers with.
"""

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from cohorts.platforms.admission import Proposal

from .addresses import OutboundRefused, checked_address, current_policy
from .http import http

PLATFORM_CONFIG = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIG = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")
TOOL_NAME = "Communitas"
DESCRIPTION = "Learning communities for online courses: cohorts, challenges and peer support."
DEEP_LINK_LABEL = "Add Communitas"
ENDPOINTS = ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
#: A configuration or registration answer larger than this is not a platform talking.
MAX_BYTES = 256 * 1024


class RegistrationFailed(Exception):
    """Registration cannot go on; ``reason`` goes to the log, the caller sees one message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PlatformConfig:
    """The parts of a platform's OpenID configuration the tool relies on."""

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product: str
    version: str | None = None
    scopes_supported: tuple[str, ...] | None = None
    messages_supported: tuple[str, ...] | None = None
    #: Audience for service token requests when it is not the token endpoint (Brightspace).
    audience: str | None = None


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc.lower()


def is_http_url(value: object) -> bool:
    """Tell whether ``value`` is an absolute http(s) URL short enough to store."""
    if not isinstance(value, str) or len(value) > 1024:
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _strings(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(v for v in value if isinstance(v, str))


def parse_configuration(url: str, data: object) -> PlatformConfig:
    """Check an OpenID configuration fetched from ``url`` against the Dynamic Registration rules."""
    if not isinstance(data, dict):
        raise RegistrationFailed("the platform's OpenID configuration is not a JSON object")
    issuer = data.get("issuer")
    if not isinstance(issuer, str) or not is_http_url(issuer) or len(issuer) > 255:
        raise RegistrationFailed("the platform's OpenID configuration has no valid issuer")
    # The spec binds the configuration to its issuer: it must be served from the issuer's origin.
    if _origin(url) != _origin(issuer):
        raise RegistrationFailed(
            f"the configuration at {url} declares issuer {issuer}, which is on another site"
        )
    missing = [name for name in ENDPOINTS if not is_http_url(data.get(name))]
    if missing:
        raise RegistrationFailed(
            "the platform's OpenID configuration lacks a valid " + ", ".join(missing)
        )
    lti = data.get(PLATFORM_CONFIG)
    if not isinstance(lti, dict):
        raise RegistrationFailed(f"the platform's OpenID configuration has no {PLATFORM_CONFIG}")
    algorithms = _strings(data.get("id_token_signing_alg_values_supported"))
    if algorithms is not None and "RS256" not in algorithms:
        raise RegistrationFailed("the platform does not sign id_tokens with RS256")
    messages = lti.get("messages_supported")
    audience = data.get("authorization_server")
    return PlatformConfig(
        issuer=issuer,
        **{name: data[name] for name in ENDPOINTS},
        product=str(lti.get("product_family_code") or "your platform")[:80],
        version=str(lti["version"])[:40] if lti.get("version") else None,
        scopes_supported=_strings(data.get("scopes_supported")),
        messages_supported=tuple(
            m["type"] for m in messages if isinstance(m, dict) and isinstance(m.get("type"), str)
        )
        if isinstance(messages, list)
        else None,
        audience=audience if isinstance(audience, str) and 0 < len(audience) <= 1024 else None,
    )


def _auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


def _json(response: requests.Response, what: str) -> object:
    """Read a JSON body of bounded size."""
    if len(response.content) > MAX_BYTES:
        raise RegistrationFailed(f"{what} is too large")
    try:
        return json.loads(response.content)
    except ValueError as exc:
        raise RegistrationFailed(f"{what} is not JSON") from exc


def check_addresses(config: PlatformConfig) -> None:
    """Refuse endpoints on internal addresses or, outside development, over plain http://."""
    policy = current_policy()
    for url in (config.issuer, *(getattr(config, name) for name in ENDPOINTS)):
        try:
            checked_address(url, policy)
        except (OutboundRefused, requests.ConnectionError) as exc:
            raise RegistrationFailed(f"the configuration names {url}: {exc}") from exc


def fetch_configuration(url: str, token: str | None) -> PlatformConfig:
    """Fetch and check the platform's OpenID configuration (redirects are not followed)."""
    if not is_http_url(url):
        raise RegistrationFailed("openid_configuration must be an http(s) URL")
    try:
        response = http.get(url, headers={**_auth(token), "Accept": "application/json"})
    except requests.RequestException as exc:
        reason = f"the OpenID configuration at {url} could not be read: {exc}"
        raise RegistrationFailed(reason) from exc
    if response.status_code != 200:
        raise RegistrationFailed(
            f"the OpenID configuration at {url} answered HTTP {response.status_code}"
        )
    config = parse_configuration(url, _json(response, "the platform's OpenID configuration"))
    check_addresses(config)
    return config


def tool_registration(base_url: str, config: PlatformConfig) -> dict[str, Any]:
    """Build the client registration request: what we ask of this platform."""
    launch = base_url + "/lti/launch"
    offered = set(config.scopes_supported) if config.scopes_supported is not None else None
    scopes = [s for s in SCOPES if offered is None or s in offered]
    messages: list[dict[str, str]] = [{"type": "LtiResourceLinkRequest"}]
    if config.messages_supported is None or "LtiDeepLinkingRequest" in config.messages_supported:
        messages.append(
            {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": DEEP_LINK_LABEL}
        )
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": base_url + "/lti/login",
        "redirect_uris": [launch],
        "client_name": TOOL_NAME,
        "jwks_uri": base_url + "/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(scopes),
        TOOL_CONFIG: {
            "domain": urlsplit(base_url).netloc,
            "target_link_uri": launch,
            "description": DESCRIPTION,
            "claims": list(CLAIMS),
            "messages": messages,
        },
    }


def parse_client(data: object) -> tuple[str, str]:
    """Take the client id and deployment id out of the platform's registration answer."""
    if not isinstance(data, dict):
        raise RegistrationFailed("the platform's registration answer is not a JSON object")
    client_id = data.get("client_id")
    if not isinstance(client_id, str) or not client_id.strip() or len(client_id) > 255:
        raise RegistrationFailed("the platform's registration answer has no client_id")
    tool = data.get(TOOL_CONFIG)
    deployment = tool.get("deployment_id") if isinstance(tool, dict) else None
    if isinstance(deployment, int) and not isinstance(deployment, bool):
        deployment = str(deployment)
    if not isinstance(deployment, str) or not deployment.strip() or len(deployment) > 255:
        # Moodle and Canvas send one; without it no launch could pass, so keep nothing.
        raise RegistrationFailed(
            f"the platform registered client id {client_id} but sent no deployment_id; "
            "nothing was saved here. Add it by hand with `flask --app lti_app platform add` "
            "and the deployment id your LMS shows for the tool"
        )
    return client_id.strip(), deployment.strip()


def request_client(
    config: PlatformConfig, body: dict[str, Any], token: str | None
) -> tuple[str, str]:
    """Post the registration to the platform; return (client_id, deployment_id)."""
    try:
        response = http.post(
            config.registration_endpoint,
            json=body,
            headers={**_auth(token), "Accept": "application/json"},
        )
    except requests.RequestException as exc:
        raise RegistrationFailed(
            f"the platform's registration endpoint could not be reached: {exc}"
        ) from exc
    if response.status_code in (401, 403):
        raise RegistrationFailed(
            "the platform refused the registration token; start again from your LMS"
            if token
            else "the platform requires a registration token: start the registration from "
            "your LMS's tool management page, which adds one"
        )
    if not 200 <= response.status_code < 300:
        raise RegistrationFailed(
            f"the platform's registration endpoint answered HTTP {response.status_code}"
        )
    return parse_client(_json(response, "the platform's registration answer"))


def proposal(config: PlatformConfig, client_id: str, deployment_id: str) -> Proposal:
    """What the platform's answer asks the tool to trust, for the admission rules."""
    return Proposal(
        issuer=config.issuer,
        client_id=client_id,
        deployment_id=deployment_id,
        auth_login_url=config.authorization_endpoint,
        auth_token_url=config.token_endpoint,
        key_set_url=config.jwks_uri,
        auth_audience=config.audience,
    )
