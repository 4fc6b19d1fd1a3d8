"""All tables, importable from one place so Alembic and tests see the whole schema."""

from .base import Base, UTCDateTime, utcnow
from .people import ROLES, Course, Enrolment, Person, ResourceLink
from .registration import Deployment, LoginState, Platform, ToolKey

__all__ = [
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
