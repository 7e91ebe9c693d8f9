from wtforms import (
    BooleanField,
    EmailField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from webapp.models.user import ROLES
from webapp.services.tokens import MAX_EXPIRY_DAYS
from webapp.services.tokens import NAME_MAX_LENGTH as TOKEN_NAME_MAX_LENGTH
from webapp.web.forms import EMAIL_VALIDATORS, NEW_PASSWORD_VALIDATORS, BaseForm


class NewUserForm(BaseForm):
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


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        "Current password", validators=[DataRequired(), Length(max=1024)]
    )
    password = PasswordField("New password", validators=NEW_PASSWORD_VALIDATORS)
    confirm = PasswordField(
        "Repeat new password",
        validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
    )
    revoke_tokens = BooleanField(
        "Also revoke my API tokens",
        description="API tokens keep working after a password change unless revoked.",
    )
    submit = SubmitField("Change password")


class ApiTokenForm(BaseForm):
    name = StringField(
        "Token name",
        validators=[DataRequired(), Length(max=TOKEN_NAME_MAX_LENGTH)],
        description="Say where it is used, e.g. “CI pipeline”.",
    )
    expires_in_days = IntegerField(
        "Expires after (days)",
        validators=[Optional(), NumberRange(min=1, max=MAX_EXPIRY_DAYS)],
        description="Leave empty for a token that works until revoked.",
    )
    submit = SubmitField("Create token")
