"""All tables, importable from one place so Alembic and tests see the whole schema."""

from cohorts.limits import CHALLENGE_KINDS, GIFT_KINDS

from .activity import (
    ACTIVITY_KINDS,
    ALERT_ACTIONS,
    ALERT_KINDS,
    ActivityEvent,
    ActivitySettings,
    ActivityWeek,
    AlertAction,
)
from .base import Base, UTCDateTime, utcnow
from .cohorts import (
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
from .gifts import (
    EXCHANGE_STATUSES,
    NOTICE_KINDS,
    Exchange,
    ExchangeSettings,
    Gift,
    GiftEdit,
    ModerationCase,
    Notification,
    Report,
)
from .lti import Deployment, LaunchHealth, LoginState, Platform, RegistrationInvite, ToolKey
from .people import ROLES, Course, Enrolment, Person, ResourceLink

__all__ = [
    "ACTIVITY_KINDS",
    "ALERT_ACTIONS",
    "ALERT_KINDS",
    "ActivityEvent",
    "ActivitySettings",
    "ActivityWeek",
    "AlertAction",
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
    "LaunchHealth",
    "LoginState",
    "Person",
    "Platform",
    "RegistrationInvite",
    "ResourceLink",
    "ToolKey",
    "EXCHANGE_STATUSES",
    "GIFT_KINDS",
    "NOTICE_KINDS",
    "Exchange",
    "ExchangeSettings",
    "Gift",
    "GiftEdit",
    "ModerationCase",
    "Notification",
    "Report",
    "UTCDateTime",
    "utcnow",
]
