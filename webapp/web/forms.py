"""The base of every form, and validators shared by several forms."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, Form, FormField, HiddenField
from wtforms.validators import DataRequired, Email, Length, StopValidation

from webapp.http.request_input import form_refused_input, unstorable_text_message
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
HIDDEN_FIELD_TYPES = ("HiddenField", "CSRFTokenField")


def refuse_unstorable_text(form: Form, field: Field) -> None:
    """Stop at a submitted value no database can store (a NUL character)."""
    for value in getattr(field, "raw_data", None) or ():
        problem = isinstance(value, str) and unstorable_text_message(value)
        if problem:
            form_refused_input()
            if field.type in HIDDEN_FIELD_TYPES:
                # Nowhere beside a hidden field to show it: say it above the form.
                form.form_errors.append(f"{field.label.text}: {problem}")
            raise StopValidation(problem)


class RefuseUnstorableText:
    """Form options: every field checks for unstorable text before its own validators."""

    def bind_field(self, form, unbound_field, options):
        field = super().bind_field(form, unbound_field, options)  # type: ignore[misc]
        field.validators = [refuse_unstorable_text, *field.validators]
        return field


class BaseForm(FlaskForm):
    """The base of every page's form (CSRF, and input checked as above)."""

    Meta = RefuseUnstorableText

    def error_lines(self) -> list[tuple[str, str, str]]:
        """(field name, label, message) for every field error, nested forms included."""
        return list(_error_lines(self))


def _error_lines(fields: Iterable[Field]) -> Iterator[tuple[str, str, str]]:
    for field in fields:
        if isinstance(field, FieldList | FormField):
            yield from _error_lines(field)
        else:
            yield from ((field.name, field.label.text, message) for message in field.errors)


class BaseSubform(Form):
    """The base of forms nested in a BaseForm (``FormField``): no CSRF token of their own."""

    Meta = RefuseUnstorableText


class ConfirmForm(BaseForm):
    """An empty form: only its CSRF token matters, for buttons that change state."""


class AvailabilityForm(ConfirmForm):
    """Enable / Disable: the state the button asks for ("1" disabled, "0" enabled; empty
    toggles), and where to go back to."""

    disabled = HiddenField("Disabled")
    next = HiddenField("Return to")
