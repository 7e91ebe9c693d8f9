"""Validators shared by several forms."""

from wtforms.validators import DataRequired, Email, Length

from webapp.services.users import MIN_PASSWORD_LENGTH

EMAIL_VALIDATORS = [DataRequired(), Length(max=254), Email("Enter a valid e-mail address.")]
NEW_PASSWORD_VALIDATORS = [
    DataRequired(),
    Length(
        min=MIN_PASSWORD_LENGTH,
        max=1024,
        message=f"Use between {MIN_PASSWORD_LENGTH} and 1024 characters.",
    ),
]
