"""Forms of the gift exchange: shape and length only; the rules live in the domain."""

from datetime import UTC, date, datetime, time

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from cohorts.exchange.rules import KIND_LABELS

from .cohort_forms import options

KINDS = options(KIND_LABELS.items())
TITLE = [
    DataRequired(message="Give it a short title."),
    Length(min=3, max=120, message="Use 3 to 120 characters for the title."),
]
BODY = [Length(max=4000, message="Keep the text under 4000 characters.")]
TAGS = [Length(max=300, message="Keep the tags under 300 characters.")]


def end_of_day(day: date | None) -> datetime | None:
    """Read a chosen date as the end of that day, UTC."""
    return datetime.combine(day, time(23, 59), UTC) if day else None


class OfferForm(FlaskForm):
    """Something a learner offers to their cohort or course."""

    kind = SelectField("What kind of help", choices=KINDS, default="explanation")
    title = StringField("Title", validators=TITLE)
    body = TextAreaField("Details", validators=BODY)
    tags = StringField("Tags (comma separated)", validators=TAGS)
    capacity = IntegerField(
        "How many people can take it up",
        validators=[Optional(), NumberRange(min=1, max=50, message="Choose 1 to 50 places.")],
    )
    ends_on = DateField("Open until", validators=[Optional()])
    course_wide = BooleanField("Offer it to the whole course, not only my cohort")


class AskForm(FlaskForm):
    """Help a learner asks for."""

    kind = SelectField("What kind of help", choices=KINDS, default="explanation")
    title = StringField("What you need", validators=TITLE)
    body = TextAreaField("Details", validators=BODY)
    tags = StringField("Tags (comma separated)", validators=TAGS)
    needed_by = DateField("Needed by", validators=[Optional()])
    anonymous = BooleanField("Ask anonymously (classmates see “a classmate”; staff see you)")
    course_wide = BooleanField("Ask the whole course, not only my cohort")


class EditForm(FlaskForm):
    """A new title and text for a gift; the old ones are kept."""

    title = StringField("Title", validators=TITLE)
    body = TextAreaField("Details", validators=BODY)


HELPFULNESS = [
    ("", "I'd rather not say"),
    ("5", "5 – very helpful"),
    ("4", "4"),
    ("3", "3"),
    ("2", "2"),
    ("1", "1 – not really helpful"),
]


class ThanksForm(FlaskForm):
    """Confirm receipt, with an optional thank-you note and helpfulness."""

    note = StringField(
        "Thank-you note (optional)",
        validators=[Length(max=280, message="Keep your note under 280 characters.")],
    )
    helpfulness = SelectField(
        "How helpful was it? (only you, them and staff see this)",
        choices=options(HELPFULNESS),
        default="",
    )

    def helpfulness_value(self) -> int | None:
        return int(self.helpfulness.data) if self.helpfulness.data else None


class ReportForm(FlaskForm):
    """Why something should not be here."""

    reason = TextAreaField(
        "What is wrong with it",
        validators=[
            DataRequired(message="Tell staff what is wrong."),
            Length(min=3, max=300, message="Use 3 to 300 characters."),
        ],
    )


class ExchangeSettingsForm(FlaskForm):
    """How the course runs its exchange."""

    course_wide = BooleanField("Learners may offer and ask to the whole course")
    weekly_cap = IntegerField(
        "Most gifts one person may take up per week",
        validators=[
            InputRequired(message="Give a weekly cap."),
            NumberRange(min=1, max=100, message="Choose 1 to 100."),
        ],
    )
    report_threshold = IntegerField(
        "Reports from distinct members that hide an item",
        validators=[
            InputRequired(message="Give a number."),
            NumberRange(min=1, max=20, message="Choose 1 to 20."),
        ],
    )
