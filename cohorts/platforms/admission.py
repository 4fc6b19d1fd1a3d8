"""Who may join through dynamic registration: open, approval by an administrator, or closed.

Anyone can point /lti/register at a configuration file served from an LMS's origin, so a new
client for an issuer the tool already trusts must use the same key set and endpoints as the
clients it has (Canvas's shared issuer keeps working) or wait for an administrator. Courses
and people are keyed by issuer + client id, so even an approved client sees only its own.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from cohorts.errors import DomainError
from cohorts.models import Deployment, Platform, RegistrationInvite

ACTIVE, PENDING = "active", "pending"
MODES = ("open", "approve", "closed")


class RegistrationRefused(DomainError):
    """This registration cannot be kept; the message is for the log, never for the caller."""


@dataclass(frozen=True, slots=True)
class Proposal:
    """A registration the platform answered, with the endpoints its configuration named."""

    issuer: str
    client_id: str
    deployment_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None = None

    def same_endpoints(self, platform: Platform) -> bool:
        """Tell whether ``platform`` trusts exactly the keys and endpoints proposed here."""
        return (platform.key_set_url, platform.auth_login_url, platform.auth_token_url) == (
            self.key_set_url,
            self.auth_login_url,
            self.auth_token_url,
        )


def status_for(proposal: Proposal, known: list[Platform], mode: str, invited: bool) -> str:
    """Decide whether a new client may launch at once or waits for an administrator."""
    if invited:
        return ACTIVE
    if mode != "open":
        return PENDING
    return ACTIVE if all(proposal.same_endpoints(p) for p in known) else PENDING


def admit(session: Session, proposal: Proposal, mode: str, invited: bool) -> Platform:
    """Keep the registration (active or pending) with its deployment; flush, never commit."""
    known = list(session.scalars(select(Platform).where(Platform.issuer == proposal.issuer)))
    platform = next((p for p in known if p.client_id == proposal.client_id), None)
    if platform is not None and not proposal.same_endpoints(platform):
        raise RegistrationRefused(
            f"{proposal.issuer} client id {proposal.client_id} is registered with other "
            "endpoints; the new registration would replace its keys"
        )
    if platform is None:
        platform = Platform(
            issuer=proposal.issuer,
            client_id=proposal.client_id,
            auth_login_url=proposal.auth_login_url,
            auth_token_url=proposal.auth_token_url,
            key_set_url=proposal.key_set_url,
            auth_audience=proposal.auth_audience,
            status=status_for(proposal, [p for p in known if p.status == ACTIVE], mode, invited),
        )
        session.add(platform)
    if proposal.deployment_id not in {d.deployment_id for d in platform.deployments}:
        platform.deployments.append(Deployment(deployment_id=proposal.deployment_id))
    session.flush()
    return platform


def approve(session: Session, platform: Platform) -> bool:
    """Let a pending registration launch; return whether it was pending."""
    was_pending = platform.status == PENDING
    platform.status = ACTIVE
    session.flush()
    return was_pending


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_invite(session: Session, now: datetime, days: int, note: str | None = None) -> str:
    """Create a one-time registration token valid for ``days``; only its hash is kept."""
    token = secrets.token_urlsafe(24)
    expires = now + timedelta(days=days)
    session.add(RegistrationInvite(token_hash=_hash(token), note=note, expires_at=expires))
    session.flush()
    return token


def invite_open(session: Session, token: str, now: datetime) -> bool:
    """Tell whether ``token`` names an unused, unexpired invite."""
    invite = session.scalars(
        select(RegistrationInvite).where(RegistrationInvite.token_hash == _hash(token))
    ).first()
    return invite is not None and invite.used_at is None and invite.expires_at > now


def use_invite(session: Session, token: str, now: datetime) -> bool:
    """Spend the invite in one conditional update, so two registrations cannot share it."""
    result = session.execute(
        update(RegistrationInvite)
        .where(
            RegistrationInvite.token_hash == _hash(token),
            RegistrationInvite.used_at.is_(None),
            RegistrationInvite.expires_at > now,
        )
        .values(used_at=now)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def link_invite(session: Session, token: str, platform_id: int) -> None:
    """Remember which registration an invite produced, for the administrator's records."""
    session.execute(
        update(RegistrationInvite)
        .where(RegistrationInvite.token_hash == _hash(token))
        .values(platform_id=platform_id)
    )
