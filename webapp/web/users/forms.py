from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

from webapp.models.user import ROLES
from webapp.web.forms import EMAIL_VALIDATORS, NEW_PASSWORD_VALIDATORS


class NewUserForm(FlaskForm):
    email = EmailField("E-mail", validators=EMAIL_VALIDATORS)
    role = SelectField(
        "Role",
        choices=[SelectChoice(role, role.capitalize()) for role in ROLES],
        default="admin",
        description="Viewers can see connectors, run tests and create tickets, but not change "
        "settings.",
    )
    password = PasswordField(
        "Initial password",
        validators=NEW_PASSWORD_VALIDATORS,
        description="Give it to the person over a safe channel; they can change it on their "
        "account page.",
    )
    submit = SubmitField("Add user")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    password = PasswordField("New password", validators=NEW_PASSWORD_VALIDATORS)
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )
    submit = SubmitField("Change password")


class ConfirmForm(FlaskForm):
    """An empty form: only its CSRF token matters, for buttons that change state."""
