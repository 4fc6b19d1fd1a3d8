"""id_token decoding with PyJWT, its check of each segment's characters done in one regex.

PyJWT checks every byte of a token against the base64url alphabet in a Python loop: about
0.3 ms for a launch's 2.5 KB id_token, more than checking its RS256 signature. The same rule
as a regular expression costs microseconds; everything else is PyJWT's own code.
"""

import binascii
import re
from typing import Any

import jwt
from jwt.api_jws import PyJWS
from jwt.utils import base64url_decode, base64url_encode

_ALPHABET = re.compile(rb"[A-Za-z0-9_-]*")


class _SegmentCheckedJws(PyJWS):
    """PyJWS with the same segment rule: base64url, at most two padding characters."""

    @staticmethod
    def _decode_base64url_segment(segment: bytes, name: str) -> bytes:
        stripped = segment.rstrip(b"=")
        padding = len(segment) - len(stripped)
        if padding > 2 or (padding and len(segment) % 4 != 0):
            raise jwt.DecodeError(f"Invalid {name} padding")
        if len(stripped) % 4 == 1 or _ALPHABET.fullmatch(stripped) is None:
            raise jwt.DecodeError(f"Invalid {name} padding")
        try:
            decoded = base64url_decode(stripped)
        except (TypeError, binascii.Error) as err:
            raise jwt.DecodeError(f"Invalid {name} padding") from err
        if base64url_encode(decoded) != stripped:
            raise jwt.DecodeError(f"Invalid {name} padding")
        return decoded


def _decoder() -> jwt.PyJWT:
    decoder = jwt.PyJWT()
    jws = getattr(decoder, "_jws", None)
    # Only where PyJWT has the slow check, and decodes through its own PyJWS.
    if isinstance(jws, PyJWS) and hasattr(PyJWS, "_decode_base64url_segment"):
        decoder._jws = _SegmentCheckedJws(options=jws.options)
    return decoder


_DECODER = _decoder()


def decode(token: str, key: Any, **kwargs: Any) -> dict[str, Any]:
    """``jwt.decode``, with the same checks."""
    return _DECODER.decode(token, key, **kwargs)  # type: ignore[no-any-return]
