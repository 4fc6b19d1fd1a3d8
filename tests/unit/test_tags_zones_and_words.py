"""Tags that meet across spellings, named time zones through summer time, words for the reader."""

from datetime import UTC, datetime

import pytest

from cohorts import free_hours, profiles, timezones
from cohorts.errors import DomainError
from cohorts.exchange import rules, tags, wording

WINTER = datetime(2026, 1, 14, 12, tzinfo=UTC)
SUMMER = datetime(2026, 7, 15, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "meets"),
    [
        ("stats", "statistics"),
        ("Statistics", "stat"),
        ("maths", "Math"),
        ("mathematics", "maths"),
        ("essays", "essay"),
        ("Study  Skills", "study skill"),
        ("time-management", "time management"),
        ("libraries", "library"),
        ("matches", "match"),
    ],
)
def test_simple_variants_of_a_tag_meet(typed, meets):
    assert tags.canonical(typed) == tags.canonical(meets)


@pytest.mark.parametrize(("word"), ["physics", "class", "focus", "analysis", "gis"])
def test_words_that_only_look_plural_are_left_alone(word):
    assert tags.canonical(word) == word


def test_an_ask_for_stats_matches_an_offer_of_statistics_and_says_why():
    assert rules.match_score(["stats"], ["statistics", "r"], []) == 2
    assert rules.match_score(["essay"], [], ["essays"]) == 1
    assert tags.explain_match(["stats", "r"], ["statistics", "R"], []) == (
        "you offered statistics and R"
    )
    assert tags.explain_match(["essay"], ["charts"], ["essays"]) == (
        "you already helped with essays"
    )
    assert tags.explain_match(["python"], ["charts"], []) == ""


def test_suggestions_keep_one_spelling_per_topic_the_one_used_most():
    texts = ["statistics,r", "stats", "statistics, python", "Essays", "essay,essays"]
    assert tags.suggestions(texts) == ["essays", "python", "r", "statistics"]


def test_a_zone_is_checked_against_the_zone_database():
    assert timezones.check_zone(" Europe/Lisbon ") == "Europe/Lisbon"
    assert timezones.check_zone("") is None
    for bad in ("Europe/Atlantis", "UTC+1", "../etc/passwd", "x" * 300):
        with pytest.raises(DomainError, match="not a time zone we know"):
            timezones.check_zone(bad)
    names = timezones.zone_names()
    assert "Europe/Lisbon" in names and "America/Bogota" in names and names[-1] == "UTC"
    assert not any(n.startswith(("Etc/", "US/", "posix/")) for n in names)


def test_lisbon_evenings_follow_summer_time_and_bogota_stays_put():
    # Monday 18:00-22:00 in Lisbon: UTC+0 in winter, UTC+1 in summer.
    assert profiles.availability_windows(["mon-evening"], "Europe/Lisbon", WINTER) == (
        (18 * 60, 22 * 60),
    )
    assert profiles.availability_windows(["mon-evening"], "Europe/Lisbon", SUMMER) == (
        (17 * 60, 21 * 60),
    )
    for at in (WINTER, SUMMER):  # Bogotá has no summer time: UTC−5 all year
        assert profiles.availability_windows(["mon-evening"], "America/Bogota", at) == (
            (23 * 60, 27 * 60),
        )
    assert timezones.zone_label("Europe/Lisbon", SUMMER) == "Europe/Lisbon (UTC+01:00 now)"
    assert timezones.zone_label("Etc/GMT-1", SUMMER) == "UTC+01:00, all year (no summer time)"
    assert timezones.show(SUMMER, "Europe/Lisbon") == "15 Jul 13:00"
    assert timezones.show(SUMMER, None) == "15 Jul 12:00 UTC"


def test_the_week_a_clock_change_falls_in_uses_the_rules_of_each_day():
    # Portugal moves to summer time on Sunday 29 March 2026 at 01:00 UTC.
    change_week = datetime(2026, 3, 25, 12, tzinfo=UTC)
    windows = profiles.availability_windows(
        ["sat-evening", "sun-evening"], "Europe/Lisbon", change_week
    )
    saturday, sunday = 5 * 1440, 6 * 1440
    assert windows == (
        (saturday + 18 * 60, saturday + 22 * 60),
        (sunday + 17 * 60, sunday + 21 * 60),
    )


def test_members_free_together_are_told_in_their_own_zone():
    monday_evening_utc = ((18 * 60, 20 * 60),)
    lisbon = free_hours.free_together(monday_evening_utc, 3, 4, "Europe/Lisbon", SUMMER)
    assert lisbon == (
        "All 3 of you who gave your hours are free together 2 hours a week: "
        "Mon 19:00–21:00 (your time, Europe/Lisbon). 1 of you has not said when they are free yet.",
    )
    bogota = free_hours.free_together(monday_evening_utc, 3, 3, "America/Bogota", SUMMER)
    assert "Mon 13:00–15:00 (your time, America/Bogota)" in bogota[0]
    wrapped = free_hours.free_together(((0, 60), (10_020, 10_080)), 2, 2, "Europe/Lisbon", WINTER)
    assert "Sun 23:00–Mon 01:00" in wrapped[0]
    assert "no hour in the week" in free_hours.free_together((), 3, 3, None, SUMMER)[0]
    assert "fewer than two of you" in free_hours.free_together((), 1, 4, None, SUMMER)[0]


def test_status_words_speak_to_each_side_and_finished_gifts_say_so():
    assert wording.exchange_status("given", giving=False) == (
        "Marked as given: confirm you received it"
    )
    assert wording.exchange_status("given", giving=True) == (
        "Marked as given: waiting for them to confirm"
    )
    assert wording.exchange_heading("claimed", True) == "You give"
    assert wording.exchange_heading("thanked", True) == "You gave"
    assert wording.exchange_heading("received", False) == "You received"
    assert wording.gift_finished("full", ["thanked", "received"])
    assert not wording.gift_finished("full", ["thanked", "claimed"])
    assert not wording.gift_finished("open", [])
    assert wording.gift_status("ask", "full", finished=True) == "Answered"


def test_nudges_speak_to_the_reader_about_themselves():
    balance = rules.reciprocity([1, 2], [])
    notes = wording.nudges({1: "Ana", 2: "Ben"}, balance, {1: ["statistics"]}, viewer_id=1)
    assert notes[0] == "You haven't received anything yet; your ask about statistics is open."
    assert notes[1] == "Ben hasn't received anything yet."
    assert not any("Ana" in n for n in notes)
