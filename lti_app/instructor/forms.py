"""Staff forms: formation and exchange settings, moves, renames and merges; shape only."""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    NumberRange,
)

from cohorts.limits import COHORT_NAME, COHORT_SIZE, REPORT_THRESHOLD, WEEKLY_CAP, WEIGHT
from cohorts.models import ALERT_ACTIONS, ALERT_KINDS

from ..forms import IdField, NumberField, WholeNumberField, between, int_or_none, options, within


class SettingsForm(FlaskForm):
    """Cohort sizes and how much each criterion counts."""

    target = WholeNumberField(
        "Target cohort size",
        validators=[
            InputRequired(message="Give a target size."),
            between(COHORT_SIZE, "Sizes go from {low} to {high}."),
        ],
    )
    minimum = WholeNumberField(
        "Smallest cohort allowed",
        validators=[
            InputRequired(message="Give a minimum size."),
            between(COHORT_SIZE, "Sizes go from {low} to {high}."),
        ],
    )
    maximum = WholeNumberField(
        "Largest cohort allowed",
        validators=[
            InputRequired(message="Give a maximum size."),
            between(COHORT_SIZE, "Sizes go from {low} to {high}."),
        ],
    )
    weight_preference = WholeNumberField(
        "Weight of learners' challenge picks",
        validators=[InputRequired(), between(WEIGHT, "Weights go from {low} to {high}.")],
    )
    weight_availability = WholeNumberField(
        "Weight of shared free hours",
        validators=[InputRequired(), between(WEIGHT, "Weights go from {low} to {high}.")],
    )
    weight_complement = WholeNumberField(
        "Weight of offers matching needs",
        validators=[InputRequired(), between(WEIGHT, "Weights go from {low} to {high}.")],
    )
    show_emails = BooleanField("Show members each other's email (when the platform sends it)")

    def validate(self, extra_validators: Any = None) -> bool:
        """Add the cross-field rules so the message sits next to the right field."""
        if not super().validate(extra_validators):
            return False
        if not self.minimum.data <= self.target.data <= self.maximum.data:
            self.target.errors = [
                f"The target must lie between the smallest ({self.minimum.data}) and the "
                f"largest ({self.maximum.data}) cohort size."
            ]
            return False
        weights = (self.weight_preference, self.weight_availability, self.weight_complement)
        if not any(w.data for w in weights):
            self.weight_preference.errors = ["At least one weight must be above 0."]
            return False
        return True


class MoveForm(FlaskForm):
    """Move one learner into a draft cohort."""

    person_id = SelectField(
        "Learner", coerce=int_or_none, validators=[InputRequired(message="Choose a learner.")]
    )
    cohort_id = SelectField(
        "Into draft cohort",
        coerce=int_or_none,
        validators=[InputRequired(message="Choose a cohort.")],
    )


class RenameForm(FlaskForm):
    """A cohort's new name."""

    name = StringField(
        "New name",
        validators=[
            DataRequired(message="Give the cohort a name."),
            within(COHORT_NAME, "Use {low} to {high} characters."),
        ],
    )


class MergeChallengeForm(FlaskForm):
    """Fold one challenge into an active one."""

    target_id = SelectField(
        "Merge into", coerce=int_or_none, validators=[InputRequired(message="Choose a challenge.")]
    )


class MergeCohortForm(FlaskForm):
    """Accept a suggested merge of a small cohort."""

    target_id = IdField(validators=[DataRequired()])


class ExchangeSettingsForm(FlaskForm):
    """How the course runs its exchange."""

    course_wide = BooleanField("Learners may offer and ask to the whole course")
    weekly_cap = WholeNumberField(
        "Most gifts one person may take up per week",
        validators=[
            InputRequired(message="Give a weekly cap."),
            between(WEEKLY_CAP, "Choose {low} to {high}."),
        ],
    )
    report_threshold = WholeNumberField(
        "Reports from distinct members that hide an item",
        validators=[
            InputRequired(message="Give a number."),
            between(REPORT_THRESHOLD, "Choose {low} to {high}."),
        ],
    )


class ActivitySettingsForm(FlaskForm):
    """How much each engagement signal counts, and when a learner counts as inactive."""

    weight_sessions = NumberField("Visits", validators=[InputRequired(), NumberRange(0, 3)])
    weight_cohort = NumberField(
        "Cohort space activity (views and posts)", validators=[InputRequired(), NumberRange(0, 3)]
    )
    weight_given = NumberField("Gifts given", validators=[InputRequired(), NumberRange(0, 3)])
    weight_received = NumberField("Gifts received", validators=[InputRequired(), NumberRange(0, 3)])
    weight_answered = NumberField("Asks answered", validators=[InputRequired(), NumberRange(0, 3)])
    inactive_days = WholeNumberField(
        "Alert when a learner has not been active for this many days",
        validators=[InputRequired(), NumberRange(3, 60, "Choose 3 to 60 days.")],
    )


class AlertForm(FlaskForm):
    """Staff answer one alert: they contacted the learner, or dismiss it."""

    kind = SelectField(choices=options((k, k) for k in ALERT_KINDS), validators=[DataRequired()])
    subject_id = IdField(validators=[DataRequired()])
    action = SelectField(
        choices=options((a, a) for a in ALERT_ACTIONS), validators=[DataRequired()]
    )
