"""The admin doctor after real signed launches: page, command, and who may see them."""

import re
import time

import pytest
from sqlalchemy import func, select

from cohorts.models import LaunchHealth, Platform
from cohorts.platforms.facts import CLOCK_AHEAD, UNKNOWN_DEPLOYMENT
from lti_app.admin import doctor
from lti_app.extensions import db
from tests.conftest import DELETE

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


@pytest.fixture
def platform_id(app) -> int:
    return db.session.scalar(select(Platform.id))


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def report():
    [found] = doctor.reports()
    return found


def page(client, platform_id) -> str:
    response = client.get(f"/admin/doctor/{platform_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_healthy_registration_shows_services_cookies_and_a_clock_near_zero(
    launch_as, client, platform_id
):
    launch_as("learner-1")
    launch_as("instructor-1")
    launch_as("admin-1")
    found = report()
    assert (found.launches, found.cookie_launches, found.storage_launches) == (3, 3, 0)
    assert (found.nrps_launches, found.ags_launches) == (3, 3)
    assert abs(found.last_offset) < 3
    html = page(client, platform_id)
    assert "Nothing to fix." in html
    assert "3 with the login cookie, 0 through platform storage" in html
    assert "Granted</span> in 3 of 3 launches" in html
    assert "lineitem, score" in html


def test_unregistered_deployment_is_listed_with_the_command_that_fixes_it(
    launcher, launch_as, client, platform_id, runner, test_platform
):
    refused = launcher.launch("learner-1", claims={LTI + "deployment_id": "dep-x"})
    assert refused.status_code == 403
    [row] = db.session.scalars(select(LaunchHealth).where(LaunchHealth.deployment_id == "dep-x"))
    assert (row.outcome, row.launches) == (UNKNOWN_DEPLOYMENT, 1)
    launch_as("admin-1")
    html = page(client, platform_id)
    assert "<code>dep-x</code>" in html and "Not registered" in html
    command = (
        f"flask --app lti_app platform add-deployment --issuer {test_platform.issuer} "
        f"--client-id {test_platform.client_id} --deployment-id dep-x"
    )
    assert f"<code>{command}</code>" in html
    added = runner.invoke(args=command.split()[3:])
    assert added.exit_code == 0, added.output
    assert launcher.launch("learner-1", claims={LTI + "deployment_id": "dep-x"}).status_code == 200
    assert not report().needs_fixing


def test_clock_fifty_seconds_ahead_is_accepted_with_a_warning(
    launcher, launch_as, client, platform_id
):
    ahead = int(time.time()) + 50
    assert launcher.launch("admin-1", claims={"iat": ahead, "exp": ahead + 300}).status_code == 200
    assert 47 <= report().last_offset <= 51
    html = page(client, platform_id)
    assert re.search(
        r"The platform&#39;s clock is (49|50) s ahead; launches beyond 60 s are "
        r"refused: ask the LMS admin to sync its clock",
        html,
    )
    assert "Warning" in html


def test_clock_three_hundred_seconds_ahead_is_refused_and_counted(
    launcher, launch_as, client, platform_id
):
    launch_as("admin-1")
    ahead = int(time.time()) + 300
    response = launcher.launch("learner-1", claims={"iat": ahead, "exp": ahead + 300})
    assert response.status_code == 401
    [refusals] = report().refusals
    assert (refusals.kind, refusals.count) == (CLOCK_AHEAD, 1)
    assert report().worst_offset >= 297
    html = page(client, platform_id)  # the admin's session outlives the refused launch
    assert "1</strong> token issued in the future (platform clock ahead)" in html
    assert "1 launch refused since" in html
    assert "ask the LMS admin to sync its clock (NTP)" in html


def test_clock_refusals_followed_by_good_launches_become_a_note(launcher, launch_as):
    ahead = int(time.time()) + 300
    launcher.launch("learner-1", claims={"iat": ahead, "exp": ahead + 300})
    launch_as("learner-2")
    [finding] = report().findings
    assert finding.level == "note" and "later launches were accepted" in finding.problem


def test_launches_without_roster_and_grade_claims_say_which_services_to_enable(
    launcher, client, platform_id
):
    response = launcher.launch("admin-1", claims={NRPS: DELETE, AGS: DELETE})
    assert response.status_code == 200
    html = page(client, platform_id)
    assert (
        "The last launches granted no roster (NRPS) access: enable the Names and Role "
        "Provisioning service for the tool" in html
    )
    assert "The last launches granted no grade (AGS) access" in html
    assert "Not granted</span> in 0 of 1 launches" in html


def test_unknown_issuer_leaves_no_trace(launcher):
    response = launcher.launch("learner-1", claims={"iss": "https://unknown.example"})
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(LaunchHealth)) == 0


def test_tampered_signature_is_counted_without_its_claimed_deployment(launcher, test_platform):
    def tamper(body):
        head, payload, sig = test_platform.sign(body).split(".")
        return f"{head}.{payload}.{sig[:-6]}AAAAAA"

    claims = {LTI + "deployment_id": "made-up"}
    assert launcher.launch("learner-1", claims=claims, sign=tamper).status_code == 401
    [row] = db.session.scalars(select(LaunchHealth))
    assert (row.outcome, row.deployment_id) == ("signature", "")


def test_doctor_command_prints_the_report_and_exits_zero_when_healthy(
    launch_as, runner, test_platform
):
    launch_as("learner-1")
    result = runner.invoke(args=["doctor"])
    assert result.exit_code == 0, result.output
    assert f"{test_platform.issuer} (client id {test_platform.client_id})" in result.output
    assert (
        "Launches accepted since" in result.output
        and ": 1 (1 with the login cookie" in result.output
    )
    assert result.output.rstrip().endswith("Nothing to fix.")


def test_doctor_command_exits_one_with_the_fix_line(launcher, runner, test_platform):
    launcher.launch("learner-1", claims={LTI + "deployment_id": "dep-x"})
    result = runner.invoke(
        args=["doctor", "--issuer", test_platform.issuer, "--client-id", test_platform.client_id]
    )
    assert result.exit_code == 1
    assert (
        "FIX      Launches arrive with deployment id 'dep-x', which is not registered"
        in result.output
    )
    assert "platform add-deployment" in result.output


def test_doctor_command_names_an_unknown_registration(runner):
    result = runner.invoke(args=["doctor", "--issuer", "https://x.example", "--client-id", "n"])
    assert result.exit_code == 1
    assert "no matching platform registration" in result.output


def test_adding_a_deployment_twice_or_to_an_unknown_platform_is_refused(runner, test_platform):
    args = [
        "platform",
        "add-deployment",
        "--issuer",
        test_platform.issuer,
        "--client-id",
        test_platform.client_id,
        "--deployment-id",
        test_platform.deployment_id,
    ]
    assert "already registered" in runner.invoke(args=args).output
    args[3] = "https://x.example"
    assert "no platform https://x.example" in runner.invoke(args=args).output


@pytest.mark.parametrize("path", ["/admin/doctor", "/admin/doctor/{id}"])
@pytest.mark.parametrize(
    ("user", "status"), [(None, 401), ("learner-1", 403), ("instructor-1", 403), ("admin-1", 200)]
)
def test_only_an_lms_administrator_sees_the_doctor(
    launch_as, client, platform_id, path, user, status
):
    if user:
        launch_as(user)
    assert client.get(path.format(id=platform_id)).status_code == status


def test_unknown_registration_is_not_found(launch_as, client, platform_id):
    launch_as("admin-1")
    assert client.get(f"/admin/doctor/{platform_id + 1000}").status_code == 404


def test_list_links_each_registration_and_home_links_the_list_for_admins_only(
    launch_as, client, platform_id, test_platform
):
    assert "Check the platform registrations" not in launch_as("instructor-1").get_data(
        as_text=True
    )
    home = launch_as("admin-1").get_data(as_text=True)
    assert 'href="/admin/doctor' in home  # the launch token may follow, for cookieless frames
    listing = client.get("/admin/doctor").get_data(as_text=True)
    assert f'href="/admin/doctor/{platform_id}' in listing
    assert test_platform.issuer in listing and "Healthy" in listing


def test_an_lms_administrator_sees_only_their_own_registration(
    launch_as, client, runner, platform_id, test_platform
):
    other = Platform(
        issuer="https://other-tenant.example",
        client_id="tenant-2",
        auth_login_url="https://other-tenant.example/auth",
        auth_token_url="https://other-tenant.example/token",
        key_set_url="https://other-tenant.example/jwks",
    )
    db.session.add(other)
    db.session.commit()
    launch_as("admin-1")
    listing = client.get("/admin/doctor").get_data(as_text=True)
    assert test_platform.issuer in listing
    assert "other-tenant" not in listing and "tenant-2" not in listing
    assert client.get(f"/admin/doctor/{other.id}").status_code == 404
    assert client.get(f"/admin/doctor/{platform_id}").status_code == 200
    full = runner.invoke(args=["doctor"]).output  # the tool's own administrator sees all
    assert "other-tenant.example" in full and test_platform.issuer in full
