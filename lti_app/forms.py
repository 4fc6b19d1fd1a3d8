"""WTForms checking the shape of input; the domain checks the rules."""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length


class DeepLinkForm(FlaskForm):
    """What the instructor names the Communitas link placed in the course."""

    title = StringField(
        "Link title shown in the course",
        default="Communitas: learning community",
        validators=[DataRequired(message="Give the link a title."), Length(max=120)],
    )
