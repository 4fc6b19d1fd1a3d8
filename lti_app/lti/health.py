"""Feed the admin doctor from launches: one upsert per launch, one per identified refusal."""

import logging
import time
from typing import Any

import jwt
from flask import current_app
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from cohorts.models import utcnow
from cohorts.platforms.facts import LAUNCHED, Limits
from cohorts.platforms.records import record_launch_health
from cohorts.platforms.rules import classify_refusal

from . import claims
from .errors import LaunchRejected
from .launch import CommunitasLaunch
from .tool_conf import find_platform

log = logging.getLogger("communitas.lti")
ONLY_SIGNATURE = {
    "verify_exp": False,
    "verify_iat": False,
    "verify_nbf": False,
    "verify_aud": False,
    "verify_iss": False,
}


def current_limits() -> Limits:
    """The doctor's thresholds, with leeway and token age as the launch checks use them."""
    config = current_app.config
    return Limits(leeway=config["LTI_LEEWAY_SECONDS"], max_age=config["LTI_MAX_TOKEN_AGE_SECONDS"])


def _offset(body: dict[str, Any], key: str, received: float) -> float | None:
    value = body.get(key)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(value - received, 1)
    return None


def note_launch(session: Session, message: CommunitasLaunch, body: dict[str, Any]) -> None:
    """Count a validated launch: binding, services granted and the platform's clock offset."""
    record = find_platform(session, body["iss"], message.get_client_id())
    if record is None:  # removed between validation and now; nothing to attach it to
        return
    ags = body.get(claims.AGS)
    scopes = ags.get("scope") if isinstance(ags, dict) else None
    nrps = body.get(claims.NRPS)
    record_launch_health(
        session,
        record.id,
        body[claims.DEPLOYMENT_ID],
        LAUNCHED,
        utcnow(),
        binding=message.binding,
        nrps=isinstance(nrps, dict) and bool(nrps.get("context_memberships_url")),
        ags=isinstance(ags, dict),
        ags_scopes=" ".join(s for s in scopes if isinstance(s, str))[:2000]
        if isinstance(scopes, list)
        else None,
        offset=_offset(body, "iat", time.time()),
    )


def _signed(token: str, header: dict[str, Any], message: CommunitasLaunch) -> bool:
    """Tell whether the token carries the platform's signature, whatever its claims say.

    Only the key the launch already looked up is used: a refusal never fetches a key set.
    """
    key = message.platform_key
    if header.get("alg") != "RS256" or key is None:
        return False
    try:
        jwt.decode(token, key, algorithms=["RS256"], options=ONLY_SIGNATURE)
    except jwt.PyJWTError:
        return False
    return True


def note_refusal(
    session: Session, message: CommunitasLaunch, exc: LaunchRejected, token: str
) -> None:
    """Count a refused launch of a registered issuer + client id in its own short transaction.

    Unregistered issuers leave no trace, so random traffic cannot grow the table; a deployment
    id is kept only from a token the platform really signed.
    """
    body, header = message.unverified_body(), message.unverified_header()
    if body is None or header is None:
        return
    aud = body.get("aud")
    client_id = message.get_client_id() if isinstance(aud, str | list) and aud else None
    iss = body.get("iss")
    if not isinstance(iss, str) or not isinstance(client_id, str):
        return
    record = find_platform(session, iss, client_id)
    if record is None:
        return
    received, limits = time.time(), current_limits()
    signed = _signed(token, header, message)
    deployment = body.get(claims.DEPLOYMENT_ID) if signed else None
    deployment = deployment if isinstance(deployment, str) else ""
    offset = _offset(body, "iat", received) if signed else None
    expired = _offset(body, "exp", received)
    kind = classify_refusal(
        exc.status,
        signed,
        offset,
        -expired if expired is not None else None,
        deployment in record.deployments,
        limits,
    )
    try:
        record_launch_health(
            session, record.id, deployment, kind, utcnow(), offset=offset, reason=exc.reason
        )
        session.commit()
    except SQLAlchemyError:  # a diagnostic counter must never change the answer
        session.rollback()
        log.exception("could not count a refused launch")
