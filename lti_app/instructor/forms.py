"""Staff forms: formation and exchange settings, moves, renames and merges; shape only."""

from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
)

from cohorts.limits import COHORT_NAME, COHORT_SIZE, REPORT_THRESHOLD, WEEKLY_CAP, WEIGHT

from ..forms import IdField, between, int_or_none, within


class SettingsForm(FlaskForm):
    """Cohort sizes and how much each criterion counts."""

    target = IntegerField(
        "Target cohort size",
        validators=[
            InputRequired(message="Give a target size."),
            between(COHORT_SIZE, "Sizes go from {low} to {high}."),
        ],
    )
    minimum = IntegerField(
        "Smallest cohort allowed",
        validators=[
            InputRequired(message="Give a minimum size."),
            between(COHORT_SIZE, "Sizes go from {low} to {high}."),
        ],
    )
    maximum = IntegerField(
        "Largest cohort allowed",
        validators=[
            InputRequired(message="Give a maximum size."),
            between(COHORT_SIZE, "Sizes go from {low} to {high}."),
        ],
    )
    weight_preference = IntegerField(
        "Weight of learners' challenge picks",
        validators=[InputRequired(), between(WEIGHT, "Weights go from {low} to {high}.")],
    )
    weight_availability = IntegerField(
        "Weight of shared free hours",
        validators=[InputRequired(), between(WEIGHT, "Weights go from {low} to {high}.")],
    )
    weight_complement = IntegerField(
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
    weekly_cap = IntegerField(
        "Most gifts one person may take up per week",
        validators=[
            InputRequired(message="Give a weekly cap."),
            between(WEEKLY_CAP, "Choose {low} to {high}."),
        ],
    )
    report_threshold = IntegerField(
        "Reports from distinct members that hide an item",
        validators=[
            InputRequired(message="Give a number."),
            between(REPORT_THRESHOLD, "Choose {low} to {high}."),
        ],
    )
