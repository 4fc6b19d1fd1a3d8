"""Dynamic registration's admission rules, and one-time invites under concurrency."""

from sqlalchemy import select

from cohorts.models import Platform, RegistrationInvite
from cohorts.platforms import admission
from cohorts.platforms.admission import ACTIVE, PENDING, Proposal

from .cohort_factories import NOW
from .test_cohort_concurrency import race

LMS = "https://lms.example.edu"


def proposal(client_id: str = "new", key_set: str = LMS + "/jwks") -> Proposal:
    return Proposal(LMS, client_id, "d-1", LMS + "/auth", LMS + "/token", key_set)


def known(key_set: str = LMS + "/jwks") -> Platform:
    return Platform(
        issuer=LMS,
        client_id="old",
        auth_login_url=LMS + "/auth",
        auth_token_url=LMS + "/token",
        key_set_url=key_set,
        status=ACTIVE,
    )


def test_open_mode_admits_new_issuers_and_same_keys_but_holds_other_keys() -> None:
    assert admission.status_for(proposal(), [], "open", invited=False) == ACTIVE
    assert admission.status_for(proposal(), [known()], "open", invited=False) == ACTIVE
    evil = proposal(key_set="https://evil.example/jwks")
    assert admission.status_for(evil, [known()], "open", invited=False) == PENDING


def test_approve_mode_holds_all_but_invited_registrations() -> None:
    assert admission.status_for(proposal(), [], "approve", invited=False) == PENDING
    assert admission.status_for(proposal(), [known()], "approve", invited=True) == ACTIVE


def test_an_invite_is_spent_by_exactly_one_of_several_racing_registrations(engine, session) -> None:
    token = admission.create_invite(session, NOW, days=7)
    session.commit()
    if engine.dialect.name == "postgresql":
        outcomes = race(engine, lambda own: admission.use_invite(own, token, NOW), count=6)
    else:
        outcomes = [admission.use_invite(session, token, NOW) for _ in range(6)]
        session.commit()
    assert sorted(outcomes) == [False] * 5 + [True]
    session.expire_all()
    invite = session.scalars(select(RegistrationInvite)).one()
    assert invite.used_at is not None and invite.token_hash != token  # only the hash is kept
    assert not admission.invite_open(session, token, NOW)
