"""Service endpoints captured from launches, access tokens, and background jobs."""

import pytest
from sqlalchemy import select

from cohorts.models import Course, ResourceLink
from lti_app import jobs
from lti_app.extensions import db
from lti_app.lti.services import token
from lti_app.lti.services.client import ServiceCallFailed, call
from sandbox.views import SCOPE_NRPS

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


def sandbox_registration(test_platform):
    return token.registration_of(db.session, test_platform.issuer, test_platform.client_id)


def test_a_launch_keeps_the_roster_and_grades_endpoints(launcher, test_platform):
    assert launcher.launch("learner-1").status_code == 200
    course = db.session.scalars(select(Course)).one()
    link = db.session.scalars(select(ResourceLink)).one()
    assert course.nrps_url == f"{test_platform.issuer}/nrps/demo-course-101"
    assert course.nrps_versions == "2.0"
    assert link.ags_lineitems_url == f"{test_platform.issuer}/ags/demo-course-101/lineitems"
    assert link.ags_lineitem_url is None
    assert link.ags_scopes.split() == [
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    ]


@pytest.mark.parametrize(
    "nrps, ags",
    [
        ("not an object", ["a", "list"]),
        ({"context_memberships_url": 42}, {"lineitems": {"x": 1}, "scope": "one string"}),
        ({"context_memberships_url": "javascript:alert(1)"}, {"lineitem": "ftp://x/y"}),
        ({"context_memberships_url": "https://lms/" + "x" * 2000}, {"scope": [1, 2]}),
    ],
)
def test_malformed_service_claims_are_ignored_and_the_launch_still_works(launcher, nrps, ags):
    response = launcher.launch("learner-1", claims={NRPS_CLAIM: nrps, AGS_CLAIM: ags})
    assert response.status_code == 200
    course = db.session.scalars(select(Course)).one()
    link = db.session.scalars(select(ResourceLink)).one()
    assert (course.nrps_url, course.nrps_versions) == (None, None)
    assert (link.ags_lineitems_url, link.ags_lineitem_url, link.ags_scopes) == (None, None, None)


def test_a_later_launch_without_the_claim_keeps_the_known_endpoint(launcher):
    assert launcher.launch("learner-1").status_code == 200
    assert launcher.launch("learner-2", claims={NRPS_CLAIM: None}).status_code == 200
    assert db.session.scalars(select(Course.nrps_url)).one()


def test_one_token_request_serves_several_calls(app, test_platform, tool_server):
    token.forget()
    registration = sandbox_registration(test_platform)
    before = test_platform.tokens_issued
    url = f"{test_platform.issuer}/nrps/demo-course-101"
    for _ in range(3):
        bearer = token.access_token(registration, [SCOPE_NRPS])
        reply = call("GET", url, token=bearer, accept=NRPS_TYPE)
        assert reply.status == 200
    assert test_platform.tokens_issued == before + 1
    token.access_token(registration, [SCOPE_NRPS, SCOPE_NRPS])  # same set of scopes
    assert test_platform.tokens_issued == before + 1


def test_a_refused_call_says_why_in_words(app, test_platform, tool_server):
    url = f"{test_platform.issuer}/nrps/demo-course-101"
    with pytest.raises(ServiceCallFailed) as failed:
        call("GET", url, token="not-a-token", accept=NRPS_TYPE, what="roster")
    assert failed.value.status == 401
    assert str(failed.value).startswith("roster: the platform refused Communitas's access")


def test_a_token_the_platform_refuses_is_reported_not_cached(app, test_platform):
    token.forget()
    registration = sandbox_registration(test_platform)
    test_platform.tool_jwks_url = test_platform.issuer + "/jwks"  # the wrong key set
    try:
        with pytest.raises(ServiceCallFailed) as failed:
            token.access_token(registration, [SCOPE_NRPS])
    finally:
        test_platform.tool_jwks_url = ""
    assert "access token" in str(failed.value) and failed.value.status == 400


ran: list[str] = []


def remember(word: str) -> None:
    ran.append(word)


def test_a_job_runs_after_the_commit_and_not_after_a_rollback(app):
    ran.clear()
    db.session.execute(select(1))
    jobs.submit(remember, "rolled back")
    db.session.rollback()
    db.session.execute(select(1))
    jobs.submit(remember, "committed")
    assert ran == []
    db.session.commit()
    assert ran == ["committed"]


def test_jobs_take_module_functions_and_plain_arguments_only(app):
    with pytest.raises(jobs.JobRefused):
        jobs.submit(lambda: None)
    with pytest.raises(jobs.JobRefused):
        jobs.submit(remember, object())


def test_a_return_launch_that_newly_offers_the_services_records_them(launcher, test_platform):
    # The admin turned the roster and grade services on after the learner's first visit.
    first = launcher.launch("learner-1", claims={NRPS_CLAIM: None, AGS_CLAIM: None})
    assert first.status_code == 200
    assert launcher.launch("learner-1").status_code == 200
    db.session.expire_all()
    assert db.session.scalars(select(Course.nrps_url)).one()
    assert db.session.scalars(select(ResourceLink.ags_lineitems_url)).one()
