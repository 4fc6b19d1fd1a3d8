"""The doctor's rules on plain data: which launches mean what, and what to tell the admin."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cohorts.platforms.facts import (
    AGS_NEEDED,
    CLOCK_AHEAD,
    EXPIRED,
    LAUNCHED,
    MESSAGE,
    OTHER,
    SIGNATURE,
    UNKNOWN_DEPLOYMENT,
    HealthRow,
    KeyFacts,
    Limits,
    RegistrationFacts,
)
from cohorts.platforms.rules import classify_refusal, diagnose

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LIMITS = Limits()
REG = RegistrationFacts(
    1,
    "https://lms.example.edu",
    "client-1",
    "https://lms.example.edu/auth",
    "https://lms.example.edu/token",
    "https://lms.example.edu/jwks",
    None,
    ("1",),
)
FRESH_KEY = [KeyFacts("kid-1", "active", NOW - timedelta(days=10))]


def launched(**overrides) -> HealthRow:
    values = {
        "deployment_id": "1",
        "outcome": LAUNCHED,
        "day": NOW.date(),
        "launches": 5,
        "last_at": NOW - timedelta(minutes=5),
        "cookie_launches": 5,
        "nrps_launches": 5,
        "ags_launches": 5,
        "ags_scopes": " ".join(AGS_NEEDED),
        "last_offset": -0.4,
        "worst_offset": -1.0,
    }
    return HealthRow(**{**values, **overrides})


def refused(outcome: str, **overrides) -> HealthRow:
    values = {
        "deployment_id": "1",
        "outcome": outcome,
        "day": NOW.date(),
        "launches": 2,
        "last_at": NOW - timedelta(minutes=1),
        "last_reason": "why",
    }
    return HealthRow(**{**values, **overrides})


def lines(rows, keys=FRESH_KEY, limits=LIMITS) -> list[str]:
    return [f"{f.level}: {f.line}" for f in diagnose(REG, rows, keys, NOW, limits).findings]


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        ((401, False, None, None, True), SIGNATURE),
        ((401, True, 95.0, None, True), CLOCK_AHEAD),
        ((401, True, -30.0, 90.0, True), EXPIRED),
        ((401, True, -700.0, None, True), EXPIRED),
        ((403, True, 0.0, -290.0, False), UNKNOWN_DEPLOYMENT),
        ((400, True, 0.0, -290.0, True), MESSAGE),
        ((401, True, 0.0, -290.0, True), OTHER),
        ((401, True, 95.0, None, False), CLOCK_AHEAD),  # the clock check comes first, as at launch
    ],
)
def test_refusals_are_named_in_the_order_the_launch_checks_run(args, kind):
    assert classify_refusal(*args, LIMITS) == kind


def test_healthy_registration_has_nothing_to_fix():
    report = diagnose(REG, [launched()], FRESH_KEY, NOW, LIMITS)
    assert report.findings == ()
    assert not report.needs_fixing
    assert (report.launches, report.nrps_launches, report.cookie_launches) == (5, 5, 5)
    assert report.last_offset == -0.4


def test_unregistered_deployment_gets_the_add_deployment_command():
    found = lines([launched(), refused(UNKNOWN_DEPLOYMENT, deployment_id="dep-x")])
    assert found == [
        "fix: Launches arrive with deployment id 'dep-x', which is not registered (2 launches "
        "refused since 2026-11-19): run `flask --app lti_app platform add-deployment --issuer "
        "https://lms.example.edu --client-id client-1 --deployment-id dep-x`"
    ]


def test_deployment_registered_since_the_refusals_needs_no_fix():
    reg = replace(REG, deployments=("1", "dep-x"))
    rows = [
        launched(),
        launched(deployment_id="dep-x"),
        refused(UNKNOWN_DEPLOYMENT, deployment_id="dep-x"),
    ]
    assert not diagnose(reg, rows, FRESH_KEY, NOW, LIMITS).needs_fixing


def test_clock_ahead_within_leeway_warns_above_thirty_seconds():
    assert lines([launched(last_offset=50.0, worst_offset=50.0)]) == [
        "warning: The platform's clock is 50 s ahead; launches beyond 60 s are refused: ask the "
        "LMS admin to sync its clock (NTP)"
    ]
    assert lines([launched(last_offset=20.0, worst_offset=20.0)]) == []


def test_clock_ahead_beyond_leeway_is_a_fix_with_the_refusal_count():
    found = lines([launched(), refused(CLOCK_AHEAD, last_offset=95.0, worst_offset=95.0)])
    assert found == [
        "fix: The platform's clock is 95 s ahead: 2 launches refused since 2026-11-19; launches "
        "beyond 60 s are refused: ask the LMS admin to sync its clock (NTP)"
    ]


def test_clock_refusals_followed_by_accepted_launches_are_only_a_note():
    old = refused(CLOCK_AHEAD, worst_offset=95.0, last_at=NOW - timedelta(hours=2))
    assert [f.split(":")[0] for f in lines([launched(), old])] == ["note"]


def test_clock_far_behind_warns():
    assert lines([launched(last_offset=-200.0)])[0].startswith(
        "warning: The platform's clock is 200 s behind"
    )


def test_launches_without_roster_or_grade_claims_say_which_service_to_enable():
    found = lines([launched(nrps_launches=0, ags_launches=0, ags_scopes=None)])
    assert found[0].startswith(
        "fix: The last launches granted no roster (NRPS) access: enable "
        "the Names and Role Provisioning service for the tool"
    )
    assert found[1].startswith("fix: The last launches granted no grade (AGS) access")


def test_missing_score_scope_is_named():
    found = lines([launched(ags_scopes=AGS_NEEDED[0])])
    assert found == [
        "fix: The last launch's grade (AGS) claim lacks the scope(s) score: let the "
        "tool manage line items and post scores in its AGS setting"
    ]


def test_some_launches_without_roster_access_are_a_note():
    assert lines([launched(nrps_launches=3)]) == [
        "note: 2 of 5 launches came without roster (NRPS) access; placements may differ"
    ]


def test_old_single_signing_key_should_be_rotated():
    old = [KeyFacts("kid-1", "active", NOW - timedelta(days=200))]
    assert lines([launched()], keys=old) == [
        "warning: Only one signing key has been used for 200 days: rotate with `flask --app "
        "lti_app keys rotate`, then `flask --app lti_app keys retire` a day later"
    ]


def test_previous_key_published_long_after_rotation_should_be_retired():
    keys = [*FRESH_KEY, KeyFacts("kid-0", "previous", NOW - timedelta(days=300))]
    assert lines([launched()], keys=keys) == [
        "note: 1 previous key(s) still published 10 days after the rotation: run "
        "`flask --app lti_app keys retire`"
    ]


def test_no_signing_key_is_a_fix():
    assert lines([launched()], keys=[]) == [
        "fix: The tool has no signing key: run `flask --app lti_app keys rotate`"
    ]


def test_bad_signatures_point_at_the_key_set_url():
    found = lines([refused(SIGNATURE, deployment_id="")])
    assert "https://lms.example.edu/jwks" in found[0] and found[0].startswith("fix:")


def test_no_traffic_at_all_is_a_note_not_a_failure():
    report = diagnose(REG, [], FRESH_KEY, NOW, LIMITS)
    assert [f.level for f in report.findings] == ["note"]
    assert not report.needs_fixing


def test_rows_older_than_the_window_are_ignored():
    old = refused(UNKNOWN_DEPLOYMENT, deployment_id="dep-x", day=NOW.date() - timedelta(days=8))
    assert not diagnose(REG, [launched(), old], FRESH_KEY, NOW, LIMITS).needs_fixing


def test_worst_offset_is_the_one_furthest_from_zero():
    report = diagnose(
        REG,
        [launched(worst_offset=-3.0), refused(CLOCK_AHEAD, worst_offset=70.0, deployment_id="1")],
        FRESH_KEY,
        NOW,
        LIMITS,
    )
    assert report.worst_offset == 70.0


def test_platform_storage_launches_are_explained_as_working():
    found = lines([launched(cookie_launches=3, storage_launches=2)])
    assert found == [
        "note: 2 of 5 launches came through platform storage because the browser "
        "withheld the login cookie; that works, nothing to fix"
    ]
