from wtforms import BooleanField, EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.web.forms import EMAIL_VALIDATORS, NEW_PASSWORD_VALIDATORS, BaseForm


class LoginForm(BaseForm):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField("Remember me on this computer")
    submit = SubmitField("Log in")


class SetupForm(BaseForm):
    email = EmailField(
        "Administrator e-mail",
        validators=EMAIL_VALIDATORS,
        description="You will log in with this address.",
    )
    password = PasswordField("Password", validators=NEW_PASSWORD_VALIDATORS)
    confirm = PasswordField(
        "Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")]
    )
    submit = SubmitField("Create administrator")
