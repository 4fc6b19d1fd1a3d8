"""How the sandbox behaves: leniently (``default``), or as strictly as Moodle 4.5 or Canvas.

Each profile is one client id of the sandbox's issuer, so a launch's client id says which
behaviour applies (Canvas's cloud does the same: one issuer, many client ids). Every strict
behaviour below reproduces something a real platform does to tools; see the README.
"""

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from .demo import COURSE, LEARNER, DemoUser

LIS_COURSE = "http://purl.imsglobal.org/vocab/lis/v2/course#"
#: What Canvas sends for a custom variable it may not fill (privacy level, unknown name).
CANVAS_LOGIN_ID = "$Canvas.user.loginId"
#: Moodle's answer when a deep-linking item carries an empty ``custom`` (PHP decodes ``{}``
#: as an array, and ``params_to_string`` wants an object).
MOODLE_EMPTY_CUSTOM = (
    "Exception - params_to_string(): Argument #1 ($params) must be of type object, array "
    "given, called in [dirroot]/mod/lti/locallib.php on line 1518"
)


@dataclass(frozen=True)
class Profile:
    """One platform's behaviour towards the tool."""

    name: str
    label: str
    client_id: str
    deployment_id: str
    context_id: str
    context_type: str = LIS_COURSE + "CourseOffering"
    #: "optional" (a switch on the course page), "always" (Canvas) or "never" (Moodle).
    storage: str = "optional"
    #: Whether the course page grows the tool's frame on ``lti.frameResize``.
    frame_resize: bool = True
    #: Moodle deletes a launch's ``lti_message_hint`` on its first use.
    single_use_hint: bool = False
    #: Moodle decodes deep-linking responses like PHP's ``json_decode($json, true)``.
    php_json: bool = False
    #: Moodle sends the username in the ``ext`` claim.
    sends_username: bool = False
    #: Canvas: "public" sends names and email, "anonymous" sends neither.
    privacy: str = "public"
    #: Custom parameters as the admin configured them, with ``$Variable`` substitution.
    custom: dict[str, str] = field(default_factory=dict)
    #: Canvas refuses API requests without a User-Agent header.
    requires_user_agent: bool = False
    #: Canvas takes scores only for students; Moodle only for users gradable in the course.
    scores_learners_only: bool = False
    #: Moodle's AGS URLs carry the tool type in the query (``.../lineitems?type_id=2``) and a
    #: line item's URL ends in ``/lineitem?type_id=2``, so its scores are at
    #: ``.../lineitem/scores?type_id=2``.
    ags_type_id: bool = False

    def context_claim(self) -> dict[str, Any]:
        return {
            "id": self.context_id,
            "label": COURSE["label"],
            "title": COURSE["title"],
            "type": [self.context_type],
        }

    def user_claims(self, user: DemoUser) -> dict[str, Any]:
        """Names, email, username and custom parameters as this platform sends them."""
        claims: dict[str, Any] = {} if self.privacy == "anonymous" else user.pii()
        if self.sends_username:
            claims["https://purl.imsglobal.org/spec/lti/claim/ext"] = {
                "user_username": username(user),
                "lms": "moodle-2",
            }
        if self.custom:
            values = {} if self.privacy == "anonymous" else {CANVAS_LOGIN_ID: login_id(user)}
            claims["https://purl.imsglobal.org/spec/lti/claim/custom"] = {
                key: values.get(value, value) for key, value in self.custom.items()
            }
        return claims


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def username(user: DemoUser) -> str:
    """A Moodle-style username: first initial and family name, never the email."""
    return _ascii(user.given[:1] + user.family).replace(" ", "").replace("'", "")


def login_id(user: DemoUser) -> str:
    """A Canvas-style login id (the SIS login, not the email)."""
    return _ascii(f"{user.given}.{user.family}").replace(" ", "").replace("'", "")


def is_learner(user: DemoUser) -> bool:
    return user.roles == LEARNER


DEFAULT = Profile(
    name="default",
    label="Lenient sandbox",
    client_id="communitas-sandbox",
    deployment_id="sandbox-deployment-1",
    context_id=COURSE["id"],
)
MOODLE = Profile(
    name="moodle",
    label="Moodle 4.5",
    client_id="communitas-moodle",
    deployment_id="2",  # Moodle's deployment id is the tool type's id
    context_id="42",
    context_type="CourseSection",
    storage="never",
    frame_resize=False,
    single_use_hint=True,
    php_json=True,
    sends_username=True,
    scores_learners_only=True,
    ags_type_id=True,
)
CANVAS = Profile(
    name="canvas",
    label="Canvas",
    client_id="10000000000042",
    deployment_id="7:8865aa05b4b79b64a91a86042e43af5ea8ae79eb",
    context_id="4dde05e8ca1973bcca9bffc13e1548820eee93a3",
    storage="always",
    custom={"login_id": CANVAS_LOGIN_ID},
    requires_user_agent=True,
    scores_learners_only=True,
)
#: A second Canvas developer key on the same issuer, with the anonymous privacy level.
CANVAS_ANONYMOUS = Profile(
    **{
        **CANVAS.__dict__,
        "name": "canvas-anonymous",
        "label": "Canvas, anonymous privacy level",
        "client_id": "10000000000043",
        "deployment_id": "8:1b7a6d6f0e0f6f2c5e4b0f3c2a1d9e8f7a6b5c4d",
        "context_id": "9f0b2c3e4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c",
        "privacy": "anonymous",
    }
)
PROFILES = {p.name: p for p in (DEFAULT, MOODLE, CANVAS, CANVAS_ANONYMOUS)}
STRICT = (MOODLE, CANVAS, CANVAS_ANONYMOUS)


def main() -> None:
    """Print each profile's client id and deployment, one a line, for `make run` to register."""
    for profile in PROFILES.values():
        print(profile.client_id, profile.deployment_id)
