"""pylti1p3 tool configuration read from the database: many issuers, clients, deployments."""

import json
from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.models import Deployment, Platform, ToolKey

from . import keys


class ToolRegistration(Registration):
    """A registration that signs with a key object parsed once, not a PEM per call."""

    def __init__(self, platform: Platform, key: ToolKey) -> None:
        self.platform_id = platform.id
        self.set_issuer(platform.issuer)
        self.set_client_id(platform.client_id)
        self.set_auth_login_url(platform.auth_login_url)
        self.set_auth_token_url(platform.auth_token_url)
        self.set_key_set_url(platform.key_set_url)
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)
        self._kid = key.kid
        self._public_jwk = json.loads(key.public_jwk)
        # PyJWT accepts a key object wherever pylti1p3 passes the private key along.
        self._tool_private_key = keys.load_private_key(key.kid, key.private_pem)  # type: ignore[assignment]

    def get_kid(self) -> str:
        return self._kid

    def get_jwks(self) -> list[dict[str, Any]]:
        return [self._public_jwk]


class DatabaseToolConf(ToolConfAbstract):  # type: ignore[type-arg]
    """Look registrations and deployments up by issuer and client id, per request."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_platform(self, iss: str, client_id: str | None) -> Platform | None:
        """Return the platform row; without a client id only when the issuer has just one."""
        query = select(Platform).where(Platform.issuer == iss)
        if client_id:
            return self._session.scalars(query.where(Platform.client_id == client_id)).first()
        rows = list(self._session.scalars(query.limit(2)))
        return rows[0] if len(rows) == 1 else None

    def _registration(self, platform: Platform | None) -> ToolRegistration | None:
        if platform is None:
            return None
        key = keys.active_key(self._session) or keys.ensure_active_key(self._session)
        return ToolRegistration(platform, key)

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        return self._registration(self.find_platform(iss, None))  # type: ignore[return-value]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        return self._registration(self.find_platform(iss, client_id))  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        return self.find_deployment_by_params(iss, deployment_id, "")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        query = (
            select(Deployment.deployment_id)
            .join(Platform)
            .where(Platform.issuer == iss, Deployment.deployment_id == deployment_id)
        )
        if client_id:
            query = query.where(Platform.client_id == client_id)
        found = self._session.scalars(query).first()
        return LtiDeployment().set_deployment_id(found) if found else None
