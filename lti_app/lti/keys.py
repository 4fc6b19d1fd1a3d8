"""The tool's RSA signing keys: stored in the database, parsed once per process."""

import json
import secrets
from functools import lru_cache

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import select
from sqlalchemy.orm import Session

from cohorts.models import ToolKey

ACTIVE, PREVIOUS, RETIRED = "active", "previous", "retired"


def new_tool_key() -> ToolKey:
    """Generate a 2048-bit key with a random kid."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_urlsafe(16)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey(kid=kid, private_pem=pem, public_jwk=json.dumps(jwk), status=ACTIVE)


@lru_cache(maxsize=16)
def load_private_key(kid: str, pem: str) -> rsa.RSAPrivateKey:
    """Parse a PEM once: parsing costs tens of milliseconds, signing well under one."""
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def active_key(session: Session) -> ToolKey | None:
    """Return the key that signs today."""
    query = select(ToolKey).where(ToolKey.status == ACTIVE)
    return session.scalars(query.order_by(ToolKey.created_at.desc(), ToolKey.kid)).first()


def ensure_active_key(session: Session) -> ToolKey:
    """Create (and commit) the first signing key on first start."""
    key = active_key(session)
    if key is None:
        key = new_tool_key()
        session.add(key)
        session.commit()
    return key


def rotate(session: Session) -> ToolKey:
    """Make a new active key; the old one stays published as ``previous`` until retired."""
    for key in session.scalars(select(ToolKey).where(ToolKey.status == ACTIVE)):
        key.status = PREVIOUS
    key = new_tool_key()
    session.add(key)
    session.flush()
    return key


def retire(session: Session) -> list[str]:
    """Stop publishing previous keys; return their kids."""
    keys = list(session.scalars(select(ToolKey).where(ToolKey.status == PREVIOUS)))
    for key in keys:
        key.status = RETIRED
    session.flush()
    return [key.kid for key in keys]


def published_jwks(session: Session) -> dict[str, list[dict[str, str]]]:
    """Return the JWKS: the active key and any previous key not yet retired."""
    rows = session.scalars(
        select(ToolKey.public_jwk)
        .where(ToolKey.status.in_((ACTIVE, PREVIOUS)))
        .order_by(ToolKey.created_at.desc())
    )
    return {"keys": [json.loads(row) for row in rows]}
