"""Assignment and Grade Services (AGS 2.0): find or create our line item, post scores.

Plain values in and out; the access token comes from the caller. URLs may carry a query of
their own (Moodle's ``?type_id=2``), so filters and ``/scores`` are added around it, never
by string concatenation.
"""

import json
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from requests.utils import parse_header_links

from .. import http
from .client import call, json_body

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READ = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
#: A course with more line items than this many pages of them is not searched further.
MAX_PAGES = 20


class AgsError(Exception):
    """The platform's line item service answered, but not with what AGS promises."""


def with_query(url: str, **params: str) -> str:
    """Add query parameters to a URL, keeping those it already has."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def scores_url(lineitem_url: str) -> str:
    """The score endpoint of a line item: its path plus ``/scores``, its query kept."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _next_page(reply: http.Reply) -> str | None:
    for name, value in reply.headers:
        if name.lower() == "link":
            for link in parse_header_links(value):
                # Moodle writes rel=“next” with typographic quotes.
                if link.get("rel", "").strip('"“”') == "next" and link.get("url"):
                    return link["url"]
    return None


def find_line_item(
    token: str, lineitems_url: str, *, tag: str, resource_link_id: str
) -> dict[str, Any] | None:
    """Return the platform's line item with our tag for this resource link, if there is one."""
    url: str | None = with_query(lineitems_url, tag=tag, resource_link_id=resource_link_id)
    for _ in range(MAX_PAGES):
        if url is None:
            return None
        what = "listing the course's line items"
        reply = call("GET", url, token=token, accept=CONTAINER_TYPE, what=what)
        items = json_body(reply, what)
        if not isinstance(items, list):
            raise AgsError("The platform's list of line items was not a list.")
        for item in items:
            # Filters are optional for a platform: check them here as well.
            if (
                isinstance(item, dict)
                and isinstance(item.get("id"), str)
                and item.get("tag") == tag
                and item.get("resourceLinkId", resource_link_id) == resource_link_id
            ):
                return item
        url = _next_page(reply)
    return None


def create_line_item(
    token: str,
    lineitems_url: str,
    *,
    label: str,
    score_maximum: float,
    tag: str,
    resource_link_id: str,
) -> dict[str, Any]:
    """Create the column in the platform's gradebook; return the line item it made."""
    body = {
        "label": label,
        "scoreMaximum": score_maximum,
        "tag": tag,
        "resourceLinkId": resource_link_id,
    }
    what = "creating the gradebook column"
    reply = call(
        "POST",
        lineitems_url,
        token=token,
        accept=LINEITEM_TYPE,
        json=body,
        content_type=LINEITEM_TYPE,
        what=what,
    )
    item = json_body(reply, what)
    if not isinstance(item, dict) or not isinstance(item.get("id"), str):
        raise AgsError("The platform's new line item has no id.")
    return item


def score_body(user_id: str, given: float, maximum: float, timestamp: datetime) -> dict[str, Any]:
    """The score JSON for one learner, final (FullyGraded: Moodle keeps scoreGiven only then)."""
    return {
        "userId": user_id,
        "scoreGiven": given,
        "scoreMaximum": maximum,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timestamp.isoformat(timespec="seconds"),
        # Canvas: update the grade without making each publication a new submission attempt.
        "https://canvas.instructure.com/lti/submission": {"new_submission": False},
    }


def post_score(token: str, lineitem_url: str, body: dict[str, Any]) -> http.Reply:
    """Post one score; the caller reads the answer (errors reaching the platform propagate)."""
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": SCORE_TYPE,
        "User-Agent": http.USER_AGENT,
    }
    return http.exchange("POST", scores_url(lineitem_url), headers, json.dumps(body).encode())
