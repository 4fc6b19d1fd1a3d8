"""Platforms the tool trusts, their deployments, the tool's own keys and pending logins."""

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, UTCDateTime, utcnow


class Platform(Base):
    """An LMS registration: one issuer may hold many client ids (Canvas cloud does)."""

    __tablename__ = "platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    auth_token_url: Mapped[str] = mapped_column(String(1024))
    key_set_url: Mapped[str] = mapped_column(String(1024))
    #: Audience for service token requests when the platform wants one other than the token URL.
    auth_audience: Mapped[str | None] = mapped_column(String(1024))
    #: ``active`` (may launch) or ``pending`` (registered dynamically, awaiting an administrator).
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    deployments: Mapped[list["Deployment"]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )


class Deployment(Base):
    """A placement of the tool inside a platform (site, account or course)."""

    __tablename__ = "deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[Platform] = relationship(back_populates="deployments")


class RegistrationInvite(Base):
    """A one-time link an administrator hands an LMS admin: it registers without approval."""

    __tablename__ = "registration_invite"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 of the token in the link; the token itself is shown once and never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platform.id", ondelete="SET NULL"))


class ToolKey(Base):
    """A signing key of the tool; ``previous`` keys stay published until retired."""

    __tablename__ = "tool_key"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_jwk: Mapped[str] = mapped_column(Text)
    #: active (signs), previous (published, no longer signs) or retired (neither).
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginState(Base):
    """An OIDC login in flight: the nonce issued with a state, taken once at launch."""

    __tablename__ = "login_state"
    __table_args__ = (Index("ix_login_state_expires_at", "expires_at"),)

    state: Mapped[str] = mapped_column(String(128), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: What the launch needs to know about its login (platform storage, login parameters
    #: for reopening in a new window), as JSON.
    info: Mapped[str] = mapped_column(Text, default="{}")


class LaunchHealth(Base):
    """Launch counters per registration, deployment, outcome and UTC day, for the admin doctor.

    One upsert per launch keeps it cheap; rows exist only for registered issuer + client id
    pairs, so traffic from unknown issuers cannot grow the table.
    """

    __tablename__ = "launch_health"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id", "outcome", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platform.id", ondelete="CASCADE"))
    #: As sent in the token; empty when the token's signature did not verify (unproven claim).
    deployment_id: Mapped[str] = mapped_column(String(255))
    #: ``launched``, or why the launch was refused (``unknown_deployment``, ``clock_ahead``...).
    outcome: Mapped[str] = mapped_column(String(32))
    day: Mapped[date] = mapped_column(Date)
    launches: Mapped[int] = mapped_column(Integer, default=0)
    cookie_launches: Mapped[int] = mapped_column(Integer, default=0)
    storage_launches: Mapped[int] = mapped_column(Integer, default=0)
    #: Launches carrying the Names and Role Provisioning claim / the grades (AGS) claim.
    nrps_launches: Mapped[int] = mapped_column(Integer, default=0)
    ags_launches: Mapped[int] = mapped_column(Integer, default=0)
    #: AGS scopes granted by the latest launch, space-separated.
    ags_scopes: Mapped[str | None] = mapped_column(Text)
    #: Platform clock offset in seconds: the token's iat minus our receive time.
    last_offset: Mapped[float | None] = mapped_column(Float)
    worst_offset: Mapped[float | None] = mapped_column(Float)
    #: The refusal message shown to the user, for refused outcomes.
    last_reason: Mapped[str | None] = mapped_column(String(255))
    last_at: Mapped[datetime] = mapped_column(UTCDateTime())
