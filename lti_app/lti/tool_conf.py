"""pylti1p3 tool configuration read from the database: many issuers, clients, deployments.

Registrations are read on every login and launch, and change rarely, so each process keeps
them for a few seconds. Removing a platform reaches every worker within that time.
"""

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.models import Deployment, Platform
from cohorts.platforms.admission import ACTIVE

from . import keys

CACHE_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class PlatformRecord:
    """A registration as plain values, safe to share between requests."""

    id: int
    issuer: str
    client_id: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    auth_audience: str | None
    deployments: frozenset[str]


_cache: dict[tuple[str, str], tuple[float, PlatformRecord]] = {}
_lock = threading.Lock()


def forget() -> None:
    """Drop cached registrations (after a change made in this process)."""
    with _lock:
        _cache.clear()


def _load(session: Session, iss: str, client_id: str | None) -> PlatformRecord | None:
    query = (
        select(Platform, Deployment.deployment_id)
        .outerjoin(Deployment, Deployment.platform_id == Platform.id)
        .where(Platform.issuer == iss, Platform.status == ACTIVE)
    )
    if client_id:
        query = query.where(Platform.client_id == client_id)
    rows = session.execute(query).all()
    platforms = {platform.id: platform for platform, _ in rows}
    # None, or several clients and the request did not say which; pending ones never launch.
    if len(platforms) != 1:
        return None
    platform = rows[0][0]
    return PlatformRecord(
        id=platform.id,
        issuer=platform.issuer,
        client_id=platform.client_id,
        auth_login_url=platform.auth_login_url,
        auth_token_url=platform.auth_token_url,
        key_set_url=platform.key_set_url,
        auth_audience=platform.auth_audience,
        deployments=frozenset(d for _, d in rows if d is not None),
    )


def find_platform(session: Session, iss: str, client_id: str | None) -> PlatformRecord | None:
    """Return the registration for ``iss`` (and ``client_id`` when given), cached briefly."""
    key = (iss, client_id or "")
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    record = _load(session, iss, client_id)
    if record is not None:  # unknown issuers are not cached, so they cannot fill memory
        with _lock:
            _cache[key] = (now, record)
    return record


class ToolRegistration(Registration):
    """A registration whose signing key is loaded only when a message must be signed."""

    def __init__(self, record: PlatformRecord, session: Session) -> None:
        self.platform_id = record.id
        self.set_issuer(record.issuer)
        self.set_client_id(record.client_id)
        self.set_auth_login_url(record.auth_login_url)
        self.set_auth_token_url(record.auth_token_url)
        self.set_key_set_url(record.key_set_url)
        if record.auth_audience:
            self.set_auth_audience(record.auth_audience)
        self._session = session
        self._key: tuple[str, Any, dict[str, Any]] | None = None

    def _signing_key(self) -> tuple[str, Any, dict[str, Any]]:
        if self._key is None:
            row = keys.active_key(self._session) or keys.ensure_active_key(self._session)
            private = keys.load_private_key(row.kid, row.private_pem)
            self._key = (row.kid, private, json.loads(row.public_jwk))
        return self._key

    def get_tool_private_key(self) -> Any:
        # PyJWT accepts the parsed key object wherever pylti1p3 passes the key along.
        return self._signing_key()[1]

    def get_kid(self) -> str:
        return self._signing_key()[0]

    def get_jwks(self) -> list[dict[str, Any]]:
        return [self._signing_key()[2]]


class DatabaseToolConf(ToolConfAbstract):  # type: ignore[type-arg]
    """Look registrations and deployments up by issuer and client id."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def _registration(self, iss: str, client_id: str | None) -> ToolRegistration | None:
        record = find_platform(self._session, iss, client_id)
        return ToolRegistration(record, self._session) if record else None

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self._registration(iss, None)  # type: ignore[return-value]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        return self._registration(iss, client_id)  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        record = find_platform(self._session, iss, client_id or None)
        if record is None or deployment_id not in record.deployments:
            return None
        return LtiDeployment().set_deployment_id(deployment_id)
