"""All tables, importable from one place so Alembic and tests see the whole schema."""

from .base import Base, UTCDateTime, utcnow
from .cohorts import (
    CHALLENGE_KINDS,
    CHALLENGE_STATUSES,
    COHORT_STATUSES,
    Challenge,
    Choice,
    Cohort,
    FormationSettings,
    Membership,
    Post,
    Profile,
)
from .people import ROLES, Course, Enrolment, Person, ResourceLink
from .registration import Deployment, LoginState, Platform, ToolKey

__all__ = [
    "CHALLENGE_KINDS",
    "CHALLENGE_STATUSES",
    "COHORT_STATUSES",
    "Challenge",
    "Choice",
    "Cohort",
    "FormationSettings",
    "Membership",
    "Post",
    "Profile",
    "ROLES",
    "Base",
    "Course",
    "Deployment",
    "Enrolment",
    "LoginState",
    "Person",
    "Platform",
    "ResourceLink",
    "ToolKey",
    "UTCDateTime",
    "utcnow",
]
