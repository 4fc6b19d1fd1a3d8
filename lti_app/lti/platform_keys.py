"""Platform key sets, cached per process and re-fetched when a token names an unknown kid.

A new kid is looked for at once (a platform that rotates its key signs with the new one right
away), but at most once a second per key set, and a kid a fresh fetch did not have is not
looked for again for a while, so made-up kids cannot turn the tool into a request amplifier.
A key set that could not be read is not asked again for a few seconds: a broken or slow
platform costs one fetch, not one per launch, and concurrent launches share one fetch.
"""

import threading
import time
from dataclasses import dataclass, field

import jwt
import requests

from .http import DEADLINE_SECONDS, OutboundBusy, http

CACHE_SECONDS = 3600
#: An unknown kid re-fetches the key set when the last fetch is at least this old.
REFETCH_INTERVAL_SECONDS = 1.0
#: A kid a fresh fetch did not have is refused without fetching for this long.
UNKNOWN_KID_SECONDS = 30.0
#: A key set that could not be read is refused without fetching for this long.
FAILURE_SECONDS = 10.0
MAX_UNKNOWN_KIDS = 256


class KeySetError(Exception):
    """The platform's key set could not be used to check this token."""


class KeySetBusy(KeySetError):
    """The tool is already waiting on this platform; nothing is wrong with its key set yet."""


@dataclass
class _Entry:
    fetched_at: float = 0.0
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    #: kid -> when a fetch found it missing.
    unknown: dict[str, float] = field(default_factory=dict)


_cache: dict[str, _Entry] = {}
_failures: dict[str, float] = {}
_fetching: dict[str, threading.Lock] = {}
_lock = threading.Lock()


def _fetch(url: str) -> dict[str, jwt.PyJWK]:
    try:
        response = http.get(url)
        response.raise_for_status()
        data = response.json()
    except OutboundBusy as exc:
        raise KeySetBusy(f"the platform's key set at {url} is slow to answer") from exc
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


def _may_fetch(url: str, kid: str, now: float) -> bool:
    """Tell whether looking ``kid`` up justifies a request to the platform now."""
    entry, failed_at = _cache.get(url), _failures.get(url)
    if failed_at is not None and now - failed_at < FAILURE_SECONDS:
        raise KeySetError(f"the platform's key set at {url} could not be read a moment ago")
    if entry is None or now - entry.fetched_at >= CACHE_SECONDS:
        return True
    seen_missing = entry.unknown.get(kid)
    if seen_missing is not None and now - seen_missing < UNKNOWN_KID_SECONDS:
        return False
    return now - entry.fetched_at >= REFETCH_INTERVAL_SECONDS


def _refresh(url: str, now: float) -> None:
    """Fetch the key set once, however many launches ask at the same moment."""
    with _lock:
        gate = _fetching.setdefault(url, threading.Lock())
        before = _cache.get(url)
    if not gate.acquire(timeout=DEADLINE_SECONDS + 1):
        raise KeySetError(f"the platform's key set at {url} is slow to answer")
    try:
        with _lock:
            failed_at = _failures.get(url)
            if _cache.get(url) is not before or (
                failed_at is not None and now - failed_at < FAILURE_SECONDS
            ):
                return  # another launch fetched (or failed) while this one waited
        try:
            keys = _fetch(url)
        except KeySetBusy:
            raise
        except KeySetError:
            with _lock:
                _failures[url] = now
            raise
        with _lock:
            _cache[url] = _Entry(fetched_at=now, keys=keys)
            _failures.pop(url, None)
    finally:
        gate.release()


def signing_key(url: str, kid: str, now: float | None = None) -> jwt.PyJWK:
    """Return the platform's RS256 key named ``kid``, fetching the set when needed."""
    now = time.monotonic() if now is None else now
    with _lock:
        entry = _cache.get(url)
        if entry is not None and now - entry.fetched_at < CACHE_SECONDS and kid in entry.keys:
            return entry.keys[kid]
        fetch = _may_fetch(url, kid, now)
    if fetch:
        _refresh(url, now)
    with _lock:
        entry = _cache.get(url)
        if entry is not None and kid in entry.keys:
            return entry.keys[kid]
        if entry is not None and fetch and len(entry.unknown) < MAX_UNKNOWN_KIDS:
            entry.unknown[kid] = now
    raise KeySetError(f"no RS256 key with kid {kid!r} in the platform's key set")


def forget(url: str | None = None) -> None:
    """Drop cached key sets and remembered failures (all of them, or one URL's)."""
    with _lock:
        if url is None:
            _cache.clear()
            _failures.clear()
        else:
            _cache.pop(url, None)
            _failures.pop(url, None)
