"""Find, add, approve and remove registrations in one place that keeps the cache honest.

Every change marks the session; when it commits, this process forgets its cached
registrations at once (other workers within ``tool_conf.CACHE_SECONDS``).
"""

from collections.abc import Iterable

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from cohorts.errors import DomainError
from cohorts.models import Deployment, Platform
from cohorts.platforms import admission

from . import keys, tool_conf

_CHANGED = "communitas_registrations_changed"


class RegistrationConflict(DomainError):
    """The registration exists already, or the change would duplicate what is there."""

    status = 409


def changed(session: Session) -> None:
    """Note that registrations changed, so the cache is dropped when this session commits."""
    session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        tool_conf.forget()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(_CHANGED, None)


def find(session: Session, issuer: str, client_id: str) -> Platform | None:
    """Return the registration of ``issuer`` + ``client_id``, whatever its status."""
    return session.scalars(
        select(Platform).where(
            Platform.issuer == issuer.rstrip("/"), Platform.client_id == client_id
        )
    ).first()


def add(
    session: Session,
    issuer: str,
    client_id: str,
    *,
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str,
    deployment_ids: Iterable[str],
) -> Platform:
    """Register a platform by hand (an administrator's act, so it is active at once)."""
    existing = find(session, issuer, client_id)
    if existing is not None:
        raise RegistrationConflict(
            f"{issuer} with client id {client_id} is already registered (id {existing.id}); "
            "remove it first to change it"
        )
    platform = Platform(
        issuer=issuer,
        client_id=client_id,
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        key_set_url=key_set_url,
    )
    platform.deployments = [Deployment(deployment_id=d) for d in dict.fromkeys(deployment_ids)]
    session.add(platform)
    keys.ensure_active_key(session)
    session.flush()
    changed(session)
    return platform


def add_deployment(session: Session, platform: Platform, deployment_id: str) -> None:
    """Accept launches from one more deployment of a registered platform."""
    if deployment_id in {d.deployment_id for d in platform.deployments}:
        raise RegistrationConflict(f"deployment {deployment_id} is already registered")
    platform.deployments.append(Deployment(deployment_id=deployment_id))
    session.flush()
    changed(session)


def admit(session: Session, proposal: admission.Proposal, mode: str, invited: bool) -> Platform:
    """Keep a dynamic registration as the admission rules say."""
    platform = admission.admit(session, proposal, mode, invited)
    changed(session)
    return platform


def approve(session: Session, platform: Platform) -> bool:
    """Let a pending registration launch; return whether it was pending."""
    was_pending = admission.approve(session, platform)
    changed(session)
    return was_pending


def remove(session: Session, platform: Platform) -> None:
    """Remove a registration; its launches are refused from the next commit on."""
    session.delete(platform)
    session.flush()
    changed(session)
