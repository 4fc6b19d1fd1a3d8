"""Forms for challenges, picks, profiles, settings and cohorts: shape only, rules in the domain."""

from collections.abc import Iterable
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from cohorts.profiles import DAY_PARTS, format_offset


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into select options."""
    return [SelectChoice(value, label) for value, label in pairs]


KINDS = [
    ("challenge", "Challenge (something hard we face)"),
    ("opportunity", "Opportunity (something we want to make the most of)"),
]
OFFSETS = [("", "I'd rather not say")] + [(str(m), format_offset(m)) for m in range(-720, 841, 15)]
RANKS = ("first", "second", "third")


def _int_or_none(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class ChallengeForm(FlaskForm):
    """A challenge as staff write it, or as a learner suggests it."""

    title = StringField(
        "Title",
        validators=[
            DataRequired(message="Give the challenge a title."),
            Length(min=3, max=120, message="Use 3 to 120 characters for the title."),
        ],
    )
    description = TextAreaField(
        "Short description",
        validators=[Length(max=500, message="Keep the description under 500 characters.")],
    )
    kind = SelectField("Kind", choices=options(KINDS), default="challenge")


class PickForm(FlaskForm):
    """Up to three ranked picks, no challenge twice."""

    first = SelectField("First choice", coerce=_int_or_none)
    second = SelectField("Second choice (optional)", coerce=_int_or_none)
    third = SelectField("Third choice (optional)", coerce=_int_or_none)

    def set_challenges(self, challenges: list[tuple[int, str]]) -> None:
        """Offer the course's active challenges in every select."""
        for name in RANKS:
            getattr(self, name).choices = options([(None, "No choice"), *challenges])

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the first is set and nothing repeats, with a message on the right select."""
        ok = super().validate(extra_validators)
        if self.first.data is None:
            self.first.errors = [*self.first.errors, "Pick your first choice."]
            ok = False
        seen: dict[int, str] = {}
        for name in RANKS:
            field = getattr(self, name)
            if field.data is None:
                continue
            if field.data in seen:
                field.errors = [
                    *field.errors,
                    f"You already picked this as your {seen[field.data]} choice.",
                ]
                ok = False
            seen.setdefault(field.data, name)
        return ok

    def picks(self) -> list[int | None]:
        return [getattr(self, name).data for name in RANKS]


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes sharing one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    """The optional profile that helps forming cohorts whose hours and skills fit."""

    utc_offset = SelectField(
        "Your time zone",
        choices=options(OFFSETS),
        default="",
        coerce=_int_or_none,
        validate_choice=False,
    )
    availability = MultiCheckboxField(
        "When you are usually free (your local time)", choices=options(DAY_PARTS)
    )
    offers = StringField("What you can offer others", validators=[Length(max=400)])
    needs = StringField("What you would like help with", validators=[Length(max=400)])

    def validate_utc_offset(self, field: SelectField) -> None:
        allowed = {value for value, _ in OFFSETS}
        if str(field.data if field.data is not None else "") not in allowed:
            raise ValidationError("Choose a time zone from the list.")


class SettingsForm(FlaskForm):
    """Cohort sizes and how much each criterion counts."""

    target = IntegerField(
        "Target cohort size",
        validators=[
            InputRequired(message="Give a target size."),
            NumberRange(min=2, max=20, message="Sizes go from 2 to 20."),
        ],
    )
    minimum = IntegerField(
        "Smallest cohort allowed",
        validators=[
            InputRequired(message="Give a minimum size."),
            NumberRange(min=2, max=20, message="Sizes go from 2 to 20."),
        ],
    )
    maximum = IntegerField(
        "Largest cohort allowed",
        validators=[
            InputRequired(message="Give a maximum size."),
            NumberRange(min=2, max=20, message="Sizes go from 2 to 20."),
        ],
    )
    weight_preference = IntegerField(
        "Weight of learners' challenge picks",
        validators=[InputRequired(), NumberRange(min=0, max=3, message="Weights go from 0 to 3.")],
    )
    weight_availability = IntegerField(
        "Weight of shared free hours",
        validators=[InputRequired(), NumberRange(min=0, max=3, message="Weights go from 0 to 3.")],
    )
    weight_complement = IntegerField(
        "Weight of offers matching needs",
        validators=[InputRequired(), NumberRange(min=0, max=3, message="Weights go from 0 to 3.")],
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
        "Learner", coerce=_int_or_none, validators=[InputRequired(message="Choose a learner.")]
    )
    cohort_id = SelectField(
        "Into draft cohort",
        coerce=_int_or_none,
        validators=[InputRequired(message="Choose a cohort.")],
    )


class RenameForm(FlaskForm):
    """A cohort's new name."""

    name = StringField(
        "New name",
        validators=[
            DataRequired(message="Give the cohort a name."),
            Length(min=2, max=80, message="Use 2 to 80 characters."),
        ],
    )


class MergeChallengeForm(FlaskForm):
    """Fold one challenge into an active one."""

    target_id = SelectField(
        "Merge into", coerce=_int_or_none, validators=[InputRequired(message="Choose a challenge.")]
    )


class MergeCohortForm(FlaskForm):
    """Accept a suggested merge of a small cohort."""

    target_id = HiddenField(validators=[DataRequired()])


class PostForm(FlaskForm):
    """A message on the cohort board, or a reply to one."""

    body = TextAreaField(
        "Your message",
        validators=[
            DataRequired(message="Write something before posting."),
            Length(max=2000, message="Keep messages under 2000 characters."),
        ],
    )
    parent_id = HiddenField(validators=[Optional()])
