"""Refused launches: the 1EdTech known-bad payloads and the Security Framework checks.

Each answers a clear page with a 4xx status and writes no course, person or enrolment.
"""

import time

import jwt
import pytest
from sqlalchemy import func, select

from cohorts.models import Course, Enrolment, Person
from lti_app.extensions import db
from tests.conftest import DELETE

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
NOW = time.time


def ago(seconds: int):
    """A timestamp ``seconds`` before the moment the test runs (not when it is collected)."""
    return lambda: int(NOW()) - seconds


def nothing_written() -> bool:
    return all(
        db.session.scalar(select(func.count()).select_from(m)) == 0
        for m in (Course, Person, Enrolment)
    )


def assert_refused(response, status: int, reason: str) -> None:
    html = response.get_data(as_text=True)
    assert response.status_code == status, html
    assert "Communitas could not start" in html
    assert reason in html
    assert nothing_written()


BAD_CLAIMS = [
    # 1EdTech certification "known bad payloads"
    ("wrong LTI version", {LTI + "version": "1.2.0"}, 400, "Incorrect version"),
    ("no LTI version", {LTI + "version": DELETE}, 400, "Incorrect version"),
    ("no message type", {LTI + "message_type": DELETE}, 400, "message type"),
    ("unknown message type", {LTI + "message_type": "LtiFooRequest"}, 400, "message type"),
    ("no roles claim", {LTI + "roles": DELETE}, 400, "Roles"),
    ("roles not a list", {LTI + "roles": "Learner"}, 400, "roles claim must be a list"),
    ("no deployment id", {LTI + "deployment_id": DELETE}, 400, "deployment_id"),
    ("no resource link id", {LTI + "resource_link": {"title": "x"}}, 400, "Resource Link Id"),
    ("no user (sub)", {"sub": DELETE}, 401, "sub"),
    ("empty user (sub)", {"sub": ""}, 400, "Must have a user"),
    ("context not an object", {LTI + "context": "course-1"}, 400, "context has no usable id"),
    ("context id too long", {LTI + "context": {"id": "c" * 256}}, 400, "over 255 characters"),
    ("user (sub) too long", {"sub": "u" * 256}, 400, "over 255 characters"),
    ("NUL in the name", {"name": "Ana\x00 Souza"}, 400, "NUL character"),
    ("NUL in the email", {"email": "ana@example.edu\x00"}, 400, "NUL character"),
    ("NUL in the user id", {"sub": "learner\x00-1"}, 400, "NUL character"),
    (
        "NUL in the course title",
        {LTI + "context": {"id": "c-1", "title": "Data\x00 101"}},
        400,
        "NUL character",
    ),
    (
        "NUL in the link title",
        {LTI + "resource_link": {"id": "l-1", "title": "Link\x00"}},
        400,
        "NUL character",
    ),
    (
        "foreign target_link_uri",
        {LTI + "target_link_uri": "https://evil.example/x"},
        400,
        "target_link_uri",
    ),
    ("no target_link_uri", {LTI + "target_link_uri": DELETE}, 400, "target_link_uri"),
    # Security Framework ID-token checks
    ("expired", {"exp": ago(3600), "iat": ago(4000)}, 401, "expired"),
    ("no exp", {"exp": DELETE}, 401, "exp"),
    ("no iat", {"iat": DELETE}, 401, "iat"),
    ("issued in the future beyond leeway", {"iat": ago(-300)}, 401, "future"),
    ("issued long ago", {"iat": ago(7200), "exp": ago(-60)}, 401, "too long ago"),
    ("wrong audience", {"aud": "someone-else"}, 403, "not registered"),
    ("audience list without azp", {"aud": ["communitas-sandbox", "other"]}, 401, "azp"),
    (
        "azp naming another client",
        {"aud": ["communitas-sandbox", "other"], "azp": "other"},
        403,
        "not registered",
    ),
    ("unknown issuer", {"iss": "https://unknown.example"}, 403, "not registered"),
    ("unknown deployment", {LTI + "deployment_id": "not-ours"}, 403, "Unable to find deployment"),
    ("nonce differs from login", {"nonce": "made-up"}, 401, "nonce does not match"),
    ("no nonce", {"nonce": DELETE}, 401, "nonce"),
]


@pytest.mark.parametrize(
    ("case", "claims", "status", "reason"), BAD_CLAIMS, ids=[c[0] for c in BAD_CLAIMS]
)
def test_bad_payload_is_refused_and_writes_nothing(launcher, case, claims, status, reason):
    claims = {name: value() if callable(value) else value for name, value in claims.items()}
    assert_refused(launcher.launch("learner-1", claims=claims), status, reason)


DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


@pytest.mark.parametrize("settings", ["https://lms.example/return", ["a", "b"], None])
def test_deep_linking_settings_that_are_not_an_object_are_refused(launcher, settings):
    response = launcher.launch("instructor-1", "deeplink", claims={DL_SETTINGS: settings})
    assert_refused(response, 400, "deep linking settings must be a JSON object")


def test_bad_signature_is_refused(launcher, test_platform):
    def tamper(body):
        token = test_platform.sign(body)
        head, payload, sig = token.split(".")
        return f"{head}.{payload}.{sig[:-6]}AAAAAA"

    assert_refused(launcher.launch(sign=tamper), 401, "Signature verification failed")


def test_token_signed_by_a_stranger_with_our_kid_is_refused(launcher, test_platform):
    from sandbox.platform import SigningKey

    stranger = SigningKey.generate()
    stranger.kid = test_platform.key.kid
    response = launcher.launch(sign=lambda body: test_platform.sign(body, key=stranger))
    assert_refused(response, 401, "Signature verification failed")


def test_unknown_kid_is_refused(launcher, test_platform):
    response = launcher.launch(sign=lambda b: test_platform.sign(b, headers={"kid": "nope"}))
    assert_refused(response, 401, "no RS256 key with kid")


def test_missing_kid_is_refused(launcher, test_platform):
    def no_kid(body):
        return jwt.encode(body, test_platform.key.private, algorithm="RS256")

    assert_refused(launcher.launch(sign=no_kid), 401, "names no key")


def test_unsigned_alg_none_token_is_refused(launcher):
    def unsigned(body):
        return jwt.encode(body, None, algorithm="none", headers={"kid": "x"})

    assert_refused(launcher.launch(sign=unsigned), 401, "only RS256")


def test_hs256_token_using_public_key_as_secret_is_refused(launcher, test_platform):
    def hmac(body):
        import base64
        import hashlib
        import hmac as h
        import json

        def b64(data: bytes) -> str:
            return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

        head = b64(json.dumps({"alg": "HS256", "kid": test_platform.key.kid}).encode())
        payload = b64(json.dumps(body).encode())
        secret = json.dumps(test_platform.key.public_jwk()).encode()
        sig = h.new(secret, f"{head}.{payload}".encode(), hashlib.sha256).digest()
        return f"{head}.{payload}.{b64(sig)}"

    assert_refused(launcher.launch(sign=hmac), 401, "only RS256")


def test_jku_header_is_ignored_and_key_comes_from_registration(launcher, test_platform):
    from sandbox.platform import SigningKey

    attacker = SigningKey.generate()

    def with_jku(body):
        return test_platform.sign(
            body,
            key=attacker,
            headers={"jku": "https://evil.example/jwks", "jwk": attacker.public_jwk()},
        )

    assert_refused(launcher.launch(sign=with_jku), 401, "no RS256 key with kid")


def test_garbage_token_is_refused(launcher):
    assert_refused(launcher.launch(sign=lambda body: "not-a-jwt"), 400, "3 parts")


def test_missing_id_token_is_refused(launcher, client):
    auth = launcher.login()
    response = client.post("/lti/launch", data={"state": auth["state"]})
    assert_refused(response, 400, "id_token")


def test_launch_without_login_state_cookie_offers_a_new_window(app, launcher, test_platform):
    auth = launcher.login()
    body = test_platform.launch_claims(
        __import__("sandbox.demo").demo.USERS["learner-1"], auth["nonce"]
    )
    stranger = app.test_client()  # another browser, without the state cookie
    response = stranger.post(
        "/lti/launch", data={"id_token": test_platform.sign(body), "state": auth["state"]}
    )
    assert response.status_code == 401
    assert "Open Communitas in a new window" in response.get_data(as_text=True)
    assert nothing_written()


def test_replayed_launch_is_refused(launcher, client, test_platform):
    auth = launcher.login()
    from sandbox.demo import USERS

    form = {
        "id_token": test_platform.sign(
            test_platform.launch_claims(USERS["learner-1"], auth["nonce"])
        ),
        "state": auth["state"],
    }
    assert client.post("/lti/launch", data=form).status_code == 200
    replay = client.post("/lti/launch", data=form)
    assert replay.status_code == 401
    assert "already used" in replay.get_data(as_text=True)


def test_platform_clock_a_little_ahead_is_accepted(launcher):
    ahead = int(NOW()) + 30
    response = launcher.launch(claims={"iat": ahead, "exp": ahead + 300})
    assert response.status_code == 200


def test_token_expired_within_leeway_is_accepted(launcher):
    response = launcher.launch(claims={"iat": int(NOW()) - 400, "exp": int(NOW()) - 20})
    assert response.status_code == 200


def test_audience_list_with_our_azp_is_accepted(launcher):
    claims = {"aud": ["other", "communitas-sandbox"], "azp": "communitas-sandbox"}
    assert launcher.launch(claims=claims).status_code == 200


@pytest.mark.parametrize(
    ("field", "value", "status", "reason"),
    [
        ("iss", "https://unknown.example", 403, "not registered"),
        ("client_id", "unknown-client", 403, "not registered"),
        ("login_hint", "", 400, "login hint"),
        ("target_link_uri", "https://evil.example/phish", 400, "target_link_uri"),
        ("target_link_uri", "", 400, "target_link_uri"),
    ],
)
def test_bad_login_request_is_refused_without_redirect(
    client, test_platform, field, value, status, reason
):
    from sandbox.demo import USERS

    data = test_platform.login_initiation(USERS["learner-1"])
    data[field] = value
    response = client.post("/lti/login", data=data)
    assert response.status_code == status
    assert "Location" not in response.headers
    assert reason in response.get_data(as_text=True)


def test_login_by_get_works_too(client, test_platform):
    from sandbox.demo import USERS

    response = client.get(
        "/lti/login",
        query_string=test_platform.login_initiation(USERS["learner-1"]),
        headers={"Sec-Fetch-Dest": "document"},
    )
    assert response.status_code == 302
    assert response.location.startswith(test_platform.issuer + "/auth?")


def test_login_redirect_carries_fresh_state_nonce_and_exact_redirect_uri(launcher):
    first, second = launcher.login(), launcher.login()
    assert first["redirect_uri"] == "http://localhost/lti/launch"
    assert first["lti_message_hint"] == "resource"
    assert (first["response_type"], first["response_mode"], first["prompt"], first["scope"]) == (
        "id_token",
        "form_post",
        "none",
        "openid",
    )
    assert first["state"] != second["state"] and first["nonce"] != second["nonce"]
