"""The admin commands: platform add/list/remove and keys, with one-line errors."""

import pytest

ADD = [
    "platform",
    "add",
    "--issuer",
    "https://moodle.example.edu",
    "--client-id",
    "abc123",
    "--auth-login-url",
    "https://moodle.example.edu/mod/lti/auth.php",
    "--auth-token-url",
    "https://moodle.example.edu/mod/lti/token.php",
    "--key-set-url",
    "https://moodle.example.edu/mod/lti/certs.php",
    "--deployment-id",
    "1",
    "--deployment-id",
    "7",
]


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_admin_registers_lists_and_removes_a_platform(runner):
    added = runner.invoke(args=ADD)
    assert added.exit_code == 0, added.output
    assert "2 deployment(s)" in added.output
    listing = runner.invoke(args=["platform", "list"]).output
    assert "https://moodle.example.edu\tclient id abc123\tactive\tdeployments: 1, 7" in listing
    removed = runner.invoke(
        args=[
            "platform",
            "remove",
            "--issuer",
            "https://moodle.example.edu",
            "--client-id",
            "abc123",
        ]
    )
    assert removed.exit_code == 0
    assert "moodle.example.edu" not in runner.invoke(args=["platform", "list"]).output


def test_one_issuer_can_hold_several_client_ids(runner):
    canvas = [a.replace("moodle.example.edu", "canvas.instructure.com") for a in ADD]
    assert runner.invoke(args=canvas).exit_code == 0
    second = [("other-client" if a == "abc123" else a) for a in canvas]
    assert runner.invoke(args=second).exit_code == 0
    assert runner.invoke(args=["platform", "list"]).output.count("canvas.instructure.com") == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([a if a != "https://moodle.example.edu" else "moodle" for a in ADD], "not an http(s) URL"),
        ([a for a in ADD if a not in ("--deployment-id", "1", "7")], "Missing option"),
        ([a if a != "abc123" else "  " for a in ADD], "must not be empty"),
    ],
)
def test_bad_platform_input_gets_one_line_error_and_nonzero_exit(runner, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_registering_twice_is_refused(runner):
    runner.invoke(args=ADD)
    again = runner.invoke(args=ADD)
    assert again.exit_code == 1
    assert "already registered" in again.output


def test_removing_an_unknown_platform_is_an_error(runner):
    result = runner.invoke(
        args=["platform", "remove", "--issuer", "https://x.example", "--client-id", "nope"]
    )
    assert result.exit_code == 1
    assert "no platform https://x.example" in result.output


def test_removed_platform_can_no_longer_launch(runner, client, test_platform):
    from sandbox.demo import USERS

    runner.invoke(
        args=[
            "platform",
            "remove",
            "--issuer",
            test_platform.issuer,
            "--client-id",
            test_platform.client_id,
        ]
    )
    response = client.post("/lti/login", data=test_platform.login_initiation(USERS["learner-1"]))
    assert response.status_code == 403


def test_info_prints_the_urls_an_lms_admin_needs(runner):
    output = runner.invoke(args=["info"]).output
    for path in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert "http://localhost" + path in output
