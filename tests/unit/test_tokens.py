"""id_tokens decode exactly as PyJWT decodes them, malformed segments refused alike."""

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from lti_app.lti import tokens

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLAIMS = {"iss": "https://lms.example", "sub": "learner-1", "name": "Ada ~ Lovelace ✓"}


def signed(claims=CLAIMS) -> str:
    return jwt.encode(claims, KEY, algorithm="RS256", headers={"kid": "k1"})


def both(token: str):
    """What PyJWT and the tool's decoder make of a token: claims, or the error's type."""
    found = []
    for decode in (jwt.decode, tokens.decode):
        try:
            found.append(decode(token, KEY.public_key(), algorithms=["RS256"]))
        except jwt.PyJWTError as error:
            found.append(type(error))
    return found


def test_a_signed_token_decodes_to_its_claims():
    assert both(signed()) == [CLAIMS, CLAIMS]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t.replace(".", "!.", 1),  # a character outside base64url
        lambda t: t.replace(".", "=.", 1),  # padding where none fits
        lambda t: t.replace(".", "===.", 1),  # too much padding
        lambda t: t[:-1] + "+",  # standard base64, not base64url
        lambda t: t.replace(".", "A.", 1),  # a segment one character too long
        lambda t: t[:-2],  # a cut signature
    ],
)
def test_malformed_segments_are_refused_as_pyjwt_refuses_them(tamper):
    outcome, ours = both(tamper(signed()))
    assert isinstance(outcome, type) and outcome is ours
