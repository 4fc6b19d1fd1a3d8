"""Forms shared by every audience: buttons, challenges, the deep link; shape only."""

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import wtforms
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, SelectField, StringField
from wtforms.fields.choices import Choice, SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, ValidationError
from wtforms.widgets import Select, html_params

from cohorts.limits import CHALLENGE_DESCRIPTION_MAX, TITLE, Span


def options(pairs: Iterable[tuple[Any, str]]) -> list[SelectChoice]:
    """Turn (value, label) pairs into select options."""
    return [SelectChoice(value, label) for value, label in pairs]


@lru_cache(maxsize=4096)
def _option(value: str, label: str) -> str:
    """One unselected option's HTML, as WTForms writes it."""
    return str(Select.render_option(Choice(value, label, False, None)))


class ListedOnceSelect(Select):
    """A select whose unselected options come from a cache instead of being written anew.

    WTForms writes each option through ``html_params`` on every page; for the ~500 time zones
    of the profile page that was most of the page's time. The HTML is the same: the chosen
    option is written as WTForms writes it, the others are looked up by value and label.
    """

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for key in dir(flags):
            if key in self.validation_attrs and key not in kwargs:
                kwargs[key] = getattr(flags, key)
        html = [f"<select {html_params(name=field.name, **kwargs)}>"]
        for choice in field.choices or ():
            value, label = (
                (choice.value, choice.label) if isinstance(choice, SelectChoice) else choice
            )
            value = str(value)
            if field.coerce(value) == field.data:
                html.append(str(Select.render_option(Choice(value, label, True, None))))
            else:
                html.append(_option(value, label))
        html.append("</select>")
        return Markup("".join(html))


KINDS = [
    ("challenge", "Challenge (something hard we face)"),
    ("opportunity", "Opportunity (something we want to make the most of)"),
]


def within(span: Span, message: str) -> Length:
    """Check a text's length against a domain span, naming the span in the message."""
    return Length(span.low, span.high, message.format(low=span.low, high=span.high))


def at_most(high: int, message: str) -> Length:
    """Check a text is no longer than a domain limit."""
    return Length(max=high, message=message.format(high=high))


def between(span: Span, message: str) -> NumberRange:
    """Check a number against a domain span, naming the span in the message."""
    return NumberRange(
        min=span.low, max=span.high, message=message.format(low=span.low, high=span.high)
    )


def int_or_none(value: Any) -> int | None:
    """Read an optional whole number from a select or hidden field."""
    return int(value) if value not in (None, "", "None") else None


class TextAreaField(wtforms.TextAreaField):
    """Several lines of text; a browser's two-character line break counts once, as on screen."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)
        if isinstance(self.data, str):
            self.data = self.data.replace("\r\n", "\n")


class SaysHow:
    """Refuse a value that cannot be read with the format to use, not WTForms' own words."""

    how = ""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)  # type: ignore[misc]
        except ValueError as error:
            raise ValueError(self.how) from error


class DayField(SaysHow, wtforms.DateField):
    """A calendar day."""

    how = "Use a date like 2026-12-05 (year, month, day)."


class WholeNumberField(SaysHow, wtforms.IntegerField):
    """A whole number."""

    how = "Use a whole number, like 5."


class NumberField(SaysHow, wtforms.FloatField):
    """A number that may have decimals."""

    how = "Use a number, like 1 or 1.5."


class IdField(HiddenField):
    """A row id sent back by a page: digits only, within the database's integer range."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.raw = str(valuelist[0]) if valuelist else ""
        self.data = (
            int(self.raw)
            if self.raw.isascii() and self.raw.isdigit() and len(self.raw) <= 9
            else None
        )

    def pre_validate(self, form: Any) -> None:
        if getattr(self, "raw", "") and self.data is None:
            raise ValidationError("That choice is no longer on the page; go back and choose again.")


class ActionForm(FlaskForm):
    """A button that changes something: only the CSRF token travels."""


class ChallengeForm(FlaskForm):
    """A challenge as staff write it, or as a learner suggests it."""

    title = StringField(
        "Title",
        validators=[
            DataRequired(message="Give the challenge a title."),
            within(TITLE, "Use {low} to {high} characters for the title."),
        ],
    )
    description = TextAreaField(
        "Short description",
        validators=[
            at_most(CHALLENGE_DESCRIPTION_MAX, "Keep the description under {high} characters.")
        ],
    )
    kind = SelectField("Kind", choices=options(KINDS), default="challenge")


class DeepLinkForm(FlaskForm):
    """What the instructor names the Communitas link placed in the course."""

    title = StringField(
        "Link title shown in the course",
        default="Communitas: learning community",
        validators=[
            DataRequired(message="Give the link a title."),
            at_most(TITLE.high, "Keep the title under {high} characters."),
        ],
    )
