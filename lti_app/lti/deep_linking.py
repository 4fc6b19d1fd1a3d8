"""Deep-linking responses the strictest platforms accept, each given once per request."""

import secrets
from typing import Any

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource

from .state_store import StateStore

#: How long an instructor may take to answer one deep-linking request.
ANSWER_SECONDS = 3600
_TICKET = "deep-link-"


class ContentItem(DeepLinkResource):  # type: ignore[misc]
    """A resource link that leaves out empty objects.

    Moodle decodes the response with PHP's ``json_decode($json, true)``, where ``{}`` turns
    into an array, and then fails on an empty ``custom``; so ``custom`` goes only when set.
    """

    def to_dict(self) -> dict[str, object]:
        item: dict[str, object] = super().to_dict()
        return {key: value for key, value in item.items() if value != {}}


def open_request(store: StateStore) -> str:
    """Remember a new deep-linking request; return the ticket that answers it once."""
    ticket = secrets.token_urlsafe(16)
    store.put(_TICKET + ticket, ticket, {}, ttl=ANSWER_SECONDS)
    return ticket


def close_request(store: StateStore, ticket: object) -> bool:
    """Take the request's ticket; False when it was already answered (or has expired)."""
    return isinstance(ticket, str) and store.take(_TICKET + ticket) == ticket


def response_jwt(registration: Any, request: Any, url: str, title: str) -> str:
    """Sign the response that places one Communitas link titled ``title`` in the course."""
    resource = ContentItem().set_url(url).set_title(title)
    link = DeepLink(registration, request.deployment_id, request.settings)
    return link.get_response_jwt([resource])  # type: ignore[no-any-return]
