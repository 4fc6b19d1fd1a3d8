"""The persistence rules: weeks, standardized scores, the Kaplan-Meier curve and alert words."""

from datetime import UTC, datetime

from cohorts.activity import rules
from cohorts.activity.rules import LearnerFacts, SignalStats, Weights


def facts(**overrides):
    values = dict(
        person_id=1,
        name="Ada",
        cohort_id=None,
        cohort_name=None,
        first_week=100,
        last_day=700,
        active_weeks=1,
        streak=1,
        active_this_week=True,
        joined_day=None,
        gifts=0,
        cohort_actions=0,
        early_rate=0.0,
        recent_rate=0.0,
        score=0.0,
    )
    return LearnerFacts(**(values | overrides))


def test_weeks_start_on_monday():
    monday = rules.day_of(datetime(2026, 3, 2, 0, 30, tzinfo=UTC))
    sunday = rules.day_of(datetime(2026, 3, 8, 23, 59, tzinfo=UTC))
    assert rules.week_of(monday) == rules.week_of(sunday)
    assert rules.week_of(sunday + 1) == rules.week_of(monday) + 1
    assert rules.week_start(rules.week_of(monday)).isoformat() == "2026-03-02"


def test_a_learner_above_the_mean_scores_above_zero_and_the_weights_show_why():
    stats = {s: SignalStats(mean=2.0, spread=1.0) for s in rules.SIGNALS}
    weights = Weights(sessions=2.0, asks_answered=0.0)
    parts = rules.contributions({"sessions": 4, "gifts_given": 2}, stats, weights)
    by_label = {label: points for label, _, points in parts}
    assert by_label["visits"] == 4.0  # two above the mean, weighted twice
    assert by_label["gifts given"] == 0.0
    assert by_label["asks answered"] == 0.0  # weight 0 silences a signal
    coefficients, offset = rules.linear_score(stats, weights)
    counts = {"sessions": 4, "gifts_given": 2}
    linear = sum(coefficients[s] * counts.get(s, 0) for s in rules.SIGNALS) + offset
    assert linear == sum(by_label.values())


def test_inactive_learners_count_as_zeros_in_the_spread():
    stats = rules.signal_stats(total=10, total_squares=100, learners=10)  # one learner did 10
    assert stats.mean == 1.0 and stats.spread == 3.0
    assert rules.signal_stats(0, 0, 10).spread == 1.0  # nobody did anything: no division by 0


def test_the_curve_follows_only_learners_whose_window_has_reached_each_week():
    # 4 stopped after week 1, 2 stopped after week 2, 4 are still active after 2 weeks.
    points = rules.persistence_curve([(1, True, 4), (2, True, 2), (2, False, 4)], weeks=3)
    assert [p.at_risk for p in points] == [10, 6, 0]
    assert round(points[0].still_active, 2) == 0.6
    assert round(points[1].still_active, 2) == 0.4  # 0.6 * (1 - 2/6)
    assert points[1].censored == 4


def test_never_launched_learners_get_only_that_alert():
    alerts = rules.learner_alerts(facts(last_day=None), today=720, inactive_days=10)
    assert [a.kind for a in alerts] == ["never_launched"]


def test_inactive_and_lonely_are_explained_in_words():
    learner = facts(last_day=700, joined_day=690, early_rate=8.0, recent_rate=1.0)
    alerts = {a.kind: a.reason for a in rules.learner_alerts(learner, today=712, inactive_days=10)}
    assert alerts["inactive"] == "not active for 12 days (rule: 10)."
    assert "no gift given or received" in alerts["lonely"]
    assert "falling" not in alerts  # an inactive learner is already flagged as such


def test_falling_activity_is_measured_against_their_own_first_weeks():
    learner = facts(last_day=711, gifts=2, early_rate=8.0, recent_rate=1.0)
    (alert,) = rules.learner_alerts(learner, today=712, inactive_days=10)
    assert alert.kind == "falling"
    assert alert.reason == (
        "about 1 action a week in the last two full weeks, against 8 a week in their first two."
    )
    steady = facts(last_day=711, early_rate=8.0, recent_rate=5.0)
    assert rules.learner_alerts(steady, today=712, inactive_days=10) == []


def test_a_learner_who_gave_a_gift_is_not_lonely():
    learner = facts(last_day=711, joined_day=690, gifts=1)
    assert rules.learner_alerts(learner, today=712, inactive_days=10) == []


def test_a_cohort_is_quiet_after_a_week_without_anyone():
    assert rules.quiet_cohort_alert(last_day=705, today=711) is None
    assert rules.quiet_cohort_alert(last_day=704, today=711).reason == (
        "no member active for 7 days."
    )
