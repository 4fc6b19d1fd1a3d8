"""The participation rule, in points and in words, and how a score's delivery is judged."""

from datetime import UTC, datetime, timedelta

from cohorts.grades import delivery
from cohorts.grades.rules import (
    SIGNALS,
    GradeRule,
    LearnerCounts,
    describe,
    learner_scores,
    participation_score,
    rule_problem,
)

NOW = datetime(2026, 12, 2, 9, 30, 15, 400000, tzinfo=UTC)
RULE = GradeRule(10.0, {"active_weeks": 6, "gifts_given": 3, "gifts_received": 3})


def test_each_counted_signal_earns_an_equal_share_capped_at_its_target():
    full = {"active_weeks": 9, "gifts_given": 3, "gifts_received": 12}
    assert participation_score(full, RULE) == 10.0
    assert participation_score({"active_weeks": 3}, RULE) == round(10 / 3 / 2, 2)
    assert participation_score({"cohort_actions": 50}, RULE) == 0.0  # not counted


def test_only_learners_get_scores_never_instructors_or_guests():
    people = [
        LearnerCounts(1, "learner-1", "learner", {"active_weeks": 6}),
        LearnerCounts(2, "instructor-1", "staff", {"active_weeks": 6}),
        LearnerCounts(3, "mentor-1", "guest", {"active_weeks": 6}),
    ]
    assert [s.user_id for s in learner_scores(people, RULE)] == ["learner-1"]


def test_the_rule_is_said_in_words_with_its_numbers():
    words = " ".join(describe(RULE))
    assert "Out of 10 points" in words
    assert "6 weeks with a visit (3.33 points)" in words
    assert "3 gifts given" in words and "3 gifts received" in words
    assert "instructors and other staff never do" in words


def test_a_rule_that_cannot_give_a_score_is_refused_in_words():
    assert rule_problem(GradeRule(10, dict.fromkeys(SIGNALS, 0))).startswith("Count at least one")
    assert "maximum" in rule_problem(GradeRule(0, RULE.targets))
    assert "0 (not counted) to 100" in rule_problem(GradeRule(10, {"active_weeks": 101}))
    assert rule_problem(RULE) is None


def test_timestamps_are_whole_seconds_and_always_move_forward():
    first = delivery.next_timestamp(NOW, None)
    assert first == NOW.replace(microsecond=0)
    second = delivery.next_timestamp(NOW, first)  # same second: one second later
    assert second == first + timedelta(seconds=1)
    assert delivery.next_timestamp(NOW - timedelta(hours=1), second) > second


def test_retries_back_off_exponentially_and_honour_retry_after():
    waits = [delivery.retry_delay(n, None, base=10) for n in (1, 2, 3, 4)]
    assert waits == [10, 20, 40, 80]
    assert delivery.retry_delay(1, 120, base=10) == 120
    assert delivery.retry_delay(3, 5, base=10) == 40
    assert delivery.retry_delay(40, None) == delivery.MAX_DELAY_SECONDS


def test_retry_after_reads_seconds_and_http_dates():
    assert delivery.parse_retry_after("30", NOW) == 30
    later = "Wed, 02 Dec 2026 09:31:15 GMT"
    assert round(delivery.parse_retry_after(later, NOW)) == 60
    assert delivery.parse_retry_after("soon", NOW) is None


def test_busy_and_broken_platforms_are_retried_refusals_are_kept_with_the_reason():
    assert delivery.answer_outcome(204, "No Content", b"", None).kind == "sent"
    busy = delivery.answer_outcome(429, "Too Many Requests", b"", 30.0)
    assert (busy.kind, busy.retry_after) == ("retry", 30.0)
    assert delivery.answer_outcome(503, "Service Unavailable", b"", None).kind == "retry"
    moodle = delivery.answer_outcome(
        409, "Refusing score with an earlier timestamp for item 5 and user 7", b"", None
    )
    assert moodle.kind == "failed"
    assert "newer grade for this learner" in moodle.reason
    assert "Refusing score with an earlier timestamp" in moodle.reason
    canvas = delivery.answer_outcome(
        400, "Bad Request", b'{"error": "User not found in course or is not a student"}', None
    )
    assert canvas.kind == "failed" and "not a student" in canvas.reason


def test_calls_without_an_answer_are_retried_and_waiting_for_a_slot_is_no_attempt():
    assert delivery.error_outcome("timeout", "took too long").kind == "retry"
    assert delivery.error_outcome("connection", "refused").kind == "retry"
    assert delivery.error_outcome("busy", "2 in flight").kind == "busy"
    assert delivery.error_outcome("refused", "private address").kind == "failed"
