"""Staff forms of the participation column: its switch and rule, publish, retry; shape only."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, FloatField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from cohorts.grades.rules import MAX_MAXIMUM, MAX_TARGET, MIN_MAXIMUM


def _target(label: str) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            InputRequired(),
            NumberRange(0, MAX_TARGET, f"Choose 0 (not counted) to {MAX_TARGET}."),
        ],
    )


class GradeSettingsForm(FlaskForm):
    """Whether the course gets the column, out of how many points, and what counts."""

    enabled = BooleanField("Send a “Community participation” column to the LMS gradebook")
    score_maximum = FloatField(
        "Points in the column",
        validators=[
            InputRequired(),
            NumberRange(MIN_MAXIMUM, MAX_MAXIMUM, f"Choose {MIN_MAXIMUM:g} to {MAX_MAXIMUM:g}."),
        ],
    )
    target_active_weeks = _target("Weeks with a visit")
    target_cohort_actions = _target("Actions in the cohort space (views and posts)")
    target_gifts_given = _target("Gifts given")
    target_gifts_received = _target("Gifts received")
    target_asks_answered = _target("Asks answered")


class PublishForm(FlaskForm):
    """Publish the participation scores now (the form carries only its CSRF token)."""


class RetryForm(FlaskForm):
    """Try the scores the platform refused again, after fixing what the reason says."""
