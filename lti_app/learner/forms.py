"""Learner forms: picks, profile, board posts and the gift exchange; shape only."""

from datetime import UTC, date, datetime, time
from functools import lru_cache
from typing import Any

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from cohorts import timezones
from cohorts.errors import DomainError
from cohorts.exchange.rules import CATEGORY_LABELS, KIND_LABELS
from cohorts.limits import (
    DISPLAY_NAME,
    GIFT_BODY_MAX,
    MESSAGE_BODY_MAX,
    POST_BODY_MAX,
    REPORT_DETAILS_MAX,
    TAGS_MAX,
    THANKS_NOTE_MAX,
    TITLE,
)
from cohorts.profiles import DAY_PARTS

from ..forms import (
    DayField,
    IdField,
    ListedOnceSelect,
    TextAreaField,
    WholeNumberField,
    at_most,
    int_or_none,
    options,
    within,
)

GIFT_KINDS = options(KIND_LABELS.items())
TITLE = [
    DataRequired(message="Give it a short title."),
    within(TITLE, "Use {low} to {high} characters for the title."),
]
BODY = [at_most(GIFT_BODY_MAX, "Keep the text under {high} characters.")]
TAGS = [at_most(TAGS_MAX, "Keep the tags under {high} characters.")]


def end_of_day(day: date | None) -> datetime | None:
    """Read a chosen date as the end of that day, UTC."""
    return datetime.combine(day, time(23, 59), UTC) if day else None


class GiftForm(FlaskForm):
    """What an offer and an ask both say; field order and labels stay with each form."""

    def shared(self) -> dict[str, Any]:
        """The fields both services take, as keyword arguments."""
        return {
            "kind": self.kind.data,
            "title": self.title.data,
            "body": self.body.data or "",
            "tags": self.tags.data or "",
            "course_wide": self.course_wide.data,
        }


class OfferForm(GiftForm):
    """Something a learner offers to their cohort or course."""

    kind = SelectField("What kind of help", choices=GIFT_KINDS, default="explanation")
    title = StringField("Title", validators=TITLE)
    body = TextAreaField("Details", validators=BODY)
    tags = StringField("Tags (comma separated)", validators=TAGS)
    capacity = WholeNumberField(
        "How many people can take it up",
        validators=[Optional(), NumberRange(min=1, max=50, message="Choose 1 to 50 places.")],
    )
    ends_on = DayField("Open until", validators=[Optional()])
    course_wide = BooleanField("Offer it to the whole course, not only my cohort")


class AskForm(GiftForm):
    """Help a learner asks for."""

    kind = SelectField("What kind of help", choices=GIFT_KINDS, default="explanation")
    title = StringField("What you need", validators=TITLE)
    body = TextAreaField("Details", validators=BODY)
    tags = StringField("Tags (comma separated)", validators=TAGS)
    needed_by = DayField("Needed by", validators=[Optional()])
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
        validators=[at_most(THANKS_NOTE_MAX, "Keep your note under {high} characters.")],
    )
    helpfulness = SelectField(
        "How helpful was it? (only you, them and staff see this)",
        choices=options(HELPFULNESS),
        default="",
    )

    help_text = TextAreaField(
        "Your help (optional)",
        validators=[at_most(MESSAGE_BODY_MAX, "Keep your message under {high} characters.")],
    )

    def helpfulness_value(self) -> int | None:
        return int(self.helpfulness.data) if self.helpfulness.data else None


class MessageForm(FlaskForm):
    """A message in an exchange's conversation."""

    body = TextAreaField(
        "Your message",
        validators=[
            DataRequired(message="Write a message before sending."),
            at_most(MESSAGE_BODY_MAX, "Keep your message under {high} characters."),
        ],
    )


class ReportForm(FlaskForm):
    """Why something should not be here: a kind of problem, and details for staff."""

    category = SelectField(
        "What is wrong with it",
        choices=options([("", "Choose one"), *CATEGORY_LABELS.items()]),
        validators=[DataRequired(message="Choose what is wrong with it.")],
    )
    details = TextAreaField(
        "Anything staff should know (optional)",
        validators=[at_most(REPORT_DETAILS_MAX, "Keep the details under {high} characters.")],
    )


@lru_cache(maxsize=2)
def _zone_labels(hour: datetime) -> tuple[tuple[str, str], ...]:
    """Every city zone labelled with its offset in that hour (clocks change on the hour)."""
    return tuple((z, timezones.zone_label(z, hour)) for z in timezones.zone_names())


def zone_choices(at: datetime, keep: str | None = None) -> list[tuple[str, str]]:
    """Every city zone with its offset now; a stored zone off the list (a fixed offset kept
    from before zones were named) stays choosable."""
    hour = at.replace(minute=0, second=0, microsecond=0)
    extra = (
        []
        if not keep or keep in timezones.zone_names()
        else [(keep, timezones.zone_label(keep, at))]
    )
    return [("", "I'd rather not say"), *extra, *_zone_labels(hour)]


RANKS = ("first", "second", "third")


class NameForm(FlaskForm):
    """The name classmates see, for people whose course site shares none."""

    name = StringField(
        "Your name in Communitas",
        validators=[
            DataRequired(message="Write the name classmates should see."),
            within(DISPLAY_NAME, "Use {low} to {high} characters."),
        ],
    )


class PickMoveForm(FlaskForm):
    """One step on a challenge card or in the list of picks: add at a rank, move, remove."""

    rank = IntegerField(validators=[Optional(), NumberRange(min=1, max=3)])


class PickForm(FlaskForm):
    """Up to three ranked picks, no challenge twice."""

    first = SelectField("First choice", coerce=int_or_none)
    second = SelectField("Second choice (optional)", coerce=int_or_none)
    third = SelectField("Third choice (optional)", coerce=int_or_none)

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

    time_zone = SelectField(
        "Your time zone", default="", validate_choice=False, widget=ListedOnceSelect()
    )
    availability = MultiCheckboxField(
        "When you are usually free (your local time)", choices=options(DAY_PARTS)
    )
    offers = StringField(
        "What you can offer others",
        validators=[at_most(400, "Keep what you offer under {high} characters.")],
    )
    needs = StringField(
        "What you would like help with",
        validators=[at_most(400, "Keep what you need under {high} characters.")],
    )

    def set_zones(self, at: datetime, stored: str | None) -> None:
        """Offer every zone, labelled with its offset at ``at``."""
        self.time_zone.choices = zone_choices(at, stored)

    def validate_time_zone(self, field: SelectField) -> None:
        try:
            timezones.check_zone(field.data)
        except DomainError as error:
            raise ValidationError(str(error)) from error


class PostForm(FlaskForm):
    """A message on the cohort board, or a reply to one."""

    body = TextAreaField(
        "Your message",
        validators=[
            DataRequired(message="Write something before posting."),
            at_most(POST_BODY_MAX, "Keep messages under {high} characters."),
        ],
    )
    parent_id = IdField(validators=[Optional()])
