"""The pure rules of the gift rules."""

from datetime import UTC, datetime, timedelta

import pytest

from cohorts.errors import DomainError, Forbidden
from cohorts.exchange import rules, wording
from cohorts.exchange.rules import GiftClosed, GiftToSelf, IllegalStep, WeeklyCapReached

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # a Wednesday


@pytest.mark.parametrize(
    ("status", "ends_at", "taken", "capacity", "expected"),
    [
        ("open", None, 0, None, "open"),
        ("open", None, 2, 2, "full"),
        ("open", NOW, 0, 1, "expired"),
        ("open", NOW + timedelta(days=1), 0, 1, "open"),
        ("withdrawn", None, 0, 1, "withdrawn"),
        ("withdrawn", NOW, 1, 1, "withdrawn"),
    ],
)
def test_a_gift_state_follows_status_end_date_and_places(
    status, ends_at, taken, capacity, expected
):
    assert rules.gift_state(status, ends_at, taken, capacity, NOW) == expected


@pytest.mark.parametrize(
    ("state", "error"), [("withdrawn", GiftClosed), ("expired", GiftClosed), ("full", GiftClosed)]
)
def test_closed_gifts_cannot_be_taken_up(state, error):
    with pytest.raises(error):
        rules.check_take_up(2, 1, state, "offer")


def test_nobody_claims_their_own_offer_or_answers_their_own_ask():
    for direction in ("offer", "ask"):
        with pytest.raises(GiftToSelf):
            rules.check_take_up(1, 1, "open", direction)
    rules.check_take_up(2, 1, "open", "offer")


@pytest.mark.parametrize(
    ("status", "action", "role", "expected"),
    [
        ("claimed", "give", "giver", "given"),
        ("given", "receive", "receiver", "received"),
        ("received", "thank", "receiver", "thanked"),
        ("claimed", "withdraw", "receiver", "withdrawn"),
    ],
)
def test_allowed_steps_lead_to_the_next_status(status, action, role, expected):
    assert rules.next_status(status, action, role, "open") == expected


@pytest.mark.parametrize(
    ("status", "action", "role", "error"),
    [
        ("claimed", "give", "receiver", IllegalStep),
        ("given", "receive", "giver", IllegalStep),
        ("received", "thank", "giver", GiftToSelf),
        ("claimed", "receive", "receiver", IllegalStep),
        ("given", "give", "giver", IllegalStep),
        ("thanked", "thank", "receiver", IllegalStep),
        ("withdrawn", "give", "giver", IllegalStep),
        ("claimed", "give", "stranger", Forbidden),
        ("claimed", "thank", "receiver", IllegalStep),
    ],
)
def test_illegal_steps_are_refused(status, action, role, error):
    with pytest.raises(error):
        rules.next_status(status, action, role, "open")


@pytest.mark.parametrize("state", ["withdrawn", "expired"])
def test_nothing_is_given_on_a_withdrawn_or_expired_gift(state):
    with pytest.raises(GiftClosed):
        rules.next_status("claimed", "give", "giver", state)


def test_a_gift_given_before_it_ended_can_still_be_received():
    assert rules.next_status("given", "receive", "receiver", "expired") == "received"


def test_the_week_starts_on_monday_and_is_labelled_iso():
    assert rules.week_start(NOW) == datetime(2026, 3, 2, tzinfo=UTC)
    assert rules.iso_week(NOW) == "2026-W10"
    assert rules.iso_week(datetime(2027, 1, 1, tzinfo=UTC)) == "2026-W53"


def test_the_weekly_cap_refuses_at_the_limit():
    rules.check_weekly_cap(9, 10)
    with pytest.raises(WeeklyCapReached):
        rules.check_weekly_cap(10, 10)


def test_declared_offers_count_double_and_past_gifts_once():
    assert rules.match_score(["stats", "r"], ["stats"], ["r", "python"]) == 3
    assert rules.match_score(["essay"], ["stats"], []) == 0
    assert rules.audience_tier(3, False) == 0
    assert rules.audience_tier(0, True) == 1 and rules.audience_tier(0, False) == 2


def test_reciprocity_sorts_members_by_giving_and_receiving():
    balance = rules.reciprocity([1, 2, 3, 4], [(1, 2), (2, 1), (3, 1), (9, 4)])
    assert balance.both == {1, 2} and balance.only_give == {3}
    assert balance.only_take == {4} and balance.neither == frozenset()
    assert balance.share_both == 0.5
    assert rules.reciprocity([], []).share_both == 0.0


def test_nudges_name_who_has_not_received_and_what_they_asked():
    balance = rules.reciprocity([1, 2, 3], [(1, 2)])
    notes = wording.nudges({1: "Ana", 2: "Ben", 3: "Chen"}, balance, {1: ["statistics"]})
    assert notes == [
        "Ana hasn't received anything yet; their ask is about statistics.",
        "Chen hasn't received anything yet.",
    ]


def test_the_median_handles_odd_even_and_empty_lists():
    assert rules.median([3, 1, 2]) == 2
    assert rules.median([4, 1, 2, 3]) == 2.5
    assert rules.median([]) is None


def test_the_circle_layout_places_people_evenly_starting_at_the_top():
    nodes = rules.circle_layout([(1, "A"), (2, "B"), (3, "C"), (4, "D")], size=200, margin=20)
    assert [(n.x, n.y) for n in nodes] == [(100, 20), (180, 100), (100, 180), (20, 100)]
    assert rules.circle_layout([(1, "A")], size=200)[0].x == 100
    assert rules.circle_layout([]) == []


def test_staff_hide_at_once_and_members_at_the_threshold():
    assert rules.should_hide(True, 1, 5)
    assert not rules.should_hide(False, 1, 2)
    assert rules.should_hide(False, 2, 2)


def test_posting_is_refused_at_the_rate_limit():
    rules.check_rate(19, 20, 10)
    with pytest.raises(DomainError, match="wait"):
        rules.check_rate(20, 20, 10)


def test_the_rules_load_without_sqlalchemy_or_flask():
    import subprocess
    import sys

    code = (
        "import sys, cohorts.exchange; "
        "assert not {'sqlalchemy', 'flask'} & set(sys.modules), sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_only_classmates_are_kept_from_the_name_of_an_anonymous_asker():
    asker, helper, staff_member = 1, 2, 3
    assert rules.hides_asker(True, asker, asker, helper)
    assert not rules.hides_asker(True, asker, asker, asker)
    assert not rules.hides_asker(True, asker, asker, staff_member, staff=True)
    assert not rules.hides_asker(True, asker, helper, asker)
    assert not rules.hides_asker(False, asker, asker, helper)
