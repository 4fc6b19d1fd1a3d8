"""Platform key sets, cached per process and re-fetched when a token names an unknown kid."""

import threading
import time
from dataclasses import dataclass, field

import jwt
import requests

from .http import TIMEOUT_SECONDS, http

CACHE_SECONDS = 3600
#: An unknown kid triggers at most one re-fetch per key set in this many seconds,
#: so tokens with made-up kids cannot turn the tool into a request amplifier.
REFETCH_INTERVAL_SECONDS = 5


class KeySetError(Exception):
    """The platform's key set could not be used to check this token."""


@dataclass
class _Entry:
    fetched_at: float = 0.0
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)


_cache: dict[str, _Entry] = {}
_lock = threading.Lock()


def _fetch(url: str) -> dict[str, jwt.PyJWK]:
    try:
        response = http.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        data = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise KeySetError(f"the platform's key set at {url} could not be read") from exc
    keys: dict[str, jwt.PyJWK] = {}
    for jwk in data.get("keys", []) if isinstance(data, dict) else []:
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        if not kid or jwk.get("kty") != "RSA" or jwk.get("alg", "RS256") != "RS256":
            continue
        try:
            keys[kid] = jwt.PyJWK(jwk, algorithm="RS256")
        except jwt.PyJWTError:
            continue
    return keys


def signing_key(url: str, kid: str, now: float | None = None) -> jwt.PyJWK:
    """Return the platform's RS256 key named ``kid``, fetching the set when needed."""
    now = time.monotonic() if now is None else now
    with _lock:
        entry = _cache.get(url)
    fresh = entry is not None and now - entry.fetched_at < CACHE_SECONDS
    if entry is not None and fresh and kid in entry.keys:
        return entry.keys[kid]
    if entry is None or not fresh or now - entry.fetched_at >= REFETCH_INTERVAL_SECONDS:
        entry = _Entry(fetched_at=now, keys=_fetch(url))
        with _lock:
            _cache[url] = entry
    if kid not in entry.keys:
        raise KeySetError(f"no RS256 key with kid {kid!r} in the platform's key set")
    return entry.keys[kid]


def forget(url: str | None = None) -> None:
    """Drop cached key sets (all of them, or one)."""
    with _lock:
        if url is None:
            _cache.clear()
        else:
            _cache.pop(url, None)
