"""Forms of the import page and the Argus export page."""

from __future__ import annotations

from collections.abc import Mapping

from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    HiddenField,
    PasswordField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from webapp.services.secrets import SecretsUnreadable, open_sealed_text, seal_text
from webapp.services.settings_snippets import MAX_SETTINGS_LENGTH
from webapp.web.forms import BaseForm

#: How long a dry run's settings stay usable for "Create connector".
SEALED_MAX_AGE = 30 * 60


def uploaded_or_pasted(upload, pasted) -> str:
    """The uploaded file's text if one was chosen, else the pasted text."""
    if upload.data and getattr(upload.data, "filename", ""):
        raw = upload.data.read(MAX_SETTINGS_LENGTH * 4 + 1)
        return raw.decode("utf-8", "replace")
    return pasted.data or ""


def spread_errors(form: BaseForm, errors: Mapping[str, list[str]], text_field) -> None:
    """Service errors beside the field they concern: ``name`` and ``password`` on theirs,
    settings and bundle keys on the text field (naming the key), the rest above the form."""
    for key, messages in errors.items():
        field = getattr(form, key, None) if "." not in key else None
        for message in messages:
            if field is not None and hasattr(field, "errors"):
                field.errors = [*field.errors, message]
            elif key.split(".")[0] in ("settings", "bundle", "connectors"):
                where = key.partition(".")[2]
                text_field.errors = [
                    *text_field.errors,
                    f"{where}: {message}" if where else message,
                ]
            else:
                form.form_errors.append(f"{key}: {message}")


class ArgusImportForm(BaseForm):
    name = StringField(
        "Connector name", validators=[DataRequired(), Length(max=100)], render_kw={"maxlength": 100}
    )
    settings = TextAreaField(
        "Argus settings",
        validators=[Optional(), Length(max=MAX_SETTINGS_LENGTH)],
        description="TICKET_PLUGIN, TICKET_ENDPOINT, TICKET_AUTHENTICATION_SECRET and "
        "TICKET_INFORMATION as Python lines (NAME = value) or a JSON object. They are read, "
        "never run: values must be written out, not computed.",
        render_kw={"rows": 12, "spellcheck": "false", "class": "font-monospace"},
    )
    settings_file = FileField("…or upload the settings file")
    #: The previewed settings, encrypted: they hold secrets, which never go into a page.
    sealed = HiddenField()
    preview = SubmitField("Dry run")
    create = SubmitField("Create connector")

    def settings_text(self) -> str:
        """Uploaded, else pasted, else the ones of the dry run before ("" if expired)."""
        text = uploaded_or_pasted(self.settings_file, self.settings)
        if text.strip() or not self.sealed.data:
            return text
        try:
            return open_sealed_text(self.sealed.data, SEALED_MAX_AGE)
        except SecretsUnreadable:
            return ""

    def keep_sealed(self, text: str) -> None:
        """Carry ``text`` to the next submit without showing it."""
        self.sealed.data = seal_text(text)
        self.settings.data = ""


class BundleImportForm(BaseForm):
    bundle = TextAreaField(
        "Bundle (JSON)",
        validators=[Optional()],
        render_kw={"rows": 6, "spellcheck": "false", "class": "font-monospace"},
    )
    bundle_file = FileField("…or upload the bundle file")
    passphrase = PasswordField(
        "Passphrase",
        validators=[Optional(), Length(max=1024)],
        description="Only for a bundle exported with its secrets.",
    )
    preview = SubmitField("Preview")
    apply = SubmitField("Import")

    def bundle_text(self) -> str:
        return uploaded_or_pasted(self.bundle_file, self.bundle)


class BundleExportForm(BaseForm):
    include_secrets = BooleanField("Include secrets, encrypted with a passphrase")
    passphrase = PasswordField(
        "Passphrase",
        validators=[Optional(), Length(max=1024)],
        description="At least 12 characters; needed again to import the secrets.",
    )
    password = PasswordField(
        "Your password", validators=[Optional()], description="Needed to include secrets."
    )


class SecretsPasswordForm(BaseForm):
    password = PasswordField("Your password", validators=[DataRequired()])
