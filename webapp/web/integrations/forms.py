"""The Discord settings form and the server/channel mapping form."""

from __future__ import annotations

from wtforms import (
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from webapp.models import DiscordIntegration
from webapp.services.discord.settings import KIND_LABELS, DiscordChanges
from webapp.web.forms import BaseForm


class DiscordSettingsForm(BaseForm):
    application_id = StringField(
        "Application ID", render_kw={"maxlength": 20, "autocomplete": "off"}
    )
    public_key = StringField(
        "Public key",
        description="64 hexadecimal digits, from the application's General Information.",
        render_kw={"maxlength": 64, "autocomplete": "off", "spellcheck": "false"},
    )
    bot_token = PasswordField(
        "Bot token",
        description="Needed to register the commands. Leave blank to keep the stored token.",
        render_kw={"autocomplete": "new-password", "maxlength": 200},
    )
    allowed_role_ids = TextAreaField(
        "Allowed role ids",
        description="Discord role ids, separated by commas or lines. Only members with one "
        "of these roles may use the commands; with none set, nobody may.",
        render_kw={"rows": 3},
    )
    #: Drawn by the connector picker (a <select name="connector">), never a full list.
    connector = IntegerField("Default connector", validators=[Optional()])

    @classmethod
    def for_integration(cls, row: DiscordIntegration) -> DiscordSettingsForm:
        return cls(
            data={
                "application_id": row.application_id,
                "public_key": row.public_key,
                "allowed_role_ids": "\n".join(row.allowed_role_ids or []),
                "connector": row.default_connector_id,
            }
        )

    def changes(self) -> DiscordChanges:
        return DiscordChanges(
            application_id=self.application_id.data or "",
            public_key=self.public_key.data or "",
            default_connector_id=self.connector.data,
            allowed_role_ids=self.allowed_role_ids.data or "",
            bot_token=self.bot_token.data or "",
        )


class DiscordRouteForm(BaseForm):
    kind = SelectField(
        "Where", choices=[SelectChoice(value, label) for value, label in KIND_LABELS.items()]
    )
    discord_id = StringField(
        "Server or channel id",
        description="In Discord, with Developer Mode on: right-click → Copy Server ID / "
        "Copy Channel ID. A channel's mapping wins over its server's.",
        render_kw={"maxlength": 20, "autocomplete": "off"},
    )
    connector = IntegerField("Connector", validators=[Optional()])


#: Form field names by the service's error keys.
FIELD_FOR_ERROR = {"default_connector_id": "connector", "connector_id": "connector"}


def add_errors(form: BaseForm, errors: dict[str, list[str]]) -> None:
    for key, messages in errors.items():
        field = form._fields.get(FIELD_FOR_ERROR.get(key, key))
        if field is not None:
            field.errors = [*field.errors, *messages]
        else:
            form.form_errors.extend(messages)
