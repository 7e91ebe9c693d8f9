"""The notification channel form. The URL is a password-type field: never filled in on
a page; left blank on an edit, the stored URL stays."""

from __future__ import annotations

from flask import request
from wtforms import (
    BooleanField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import Length

from webapp.ids import parse_id
from webapp.services.notification_channels import ChannelChanges
from webapp.services.notifications import EVENTS
from webapp.web.connectors.forms import MultiCheckboxField
from webapp.web.forms import BaseForm

URL_HELP = (
    "An Apprise URL: discord://webhook_id/webhook_token, slack://TokenA/TokenB/TokenC, "
    "workflows://… (Microsoft Teams), matrix://user:password@host/#room, "
    "mailto://user:password@example.com, json://host/path (any webhook)."
)
ALL, CHOSEN = "all", "chosen"


class ChannelForm(BaseForm):
    name = StringField("Name", render_kw={"maxlength": 100})
    url = PasswordField(
        "Apprise URL",
        description=URL_HELP,
        validators=[Length(max=2000)],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    events = MultiCheckboxField(
        "Events",
        choices=[SelectChoice(event, label) for event, label in EVENTS.items()],
        validate_choice=False,
    )
    connectors = RadioField(
        "Connectors",
        choices=[
            SelectChoice(ALL, "All connectors, including future ones"),
            SelectChoice(CHOSEN, "Only these connectors"),
        ],
        default=ALL,
    )
    enabled = BooleanField("Enabled", default=True)
    # Drawn by hand in the template (ticked chosen ones, the "add" select and its search);
    # declared so that their input is checked like every other field's.
    connector_ids = SelectMultipleField("Chosen connectors", choices=[], validate_choice=False)
    connector_q = StringField("Search connectors")

    def chosen_ids(self) -> list[int]:
        """The chosen connectors: ticked ones, plus the one picked in "Add a connector"."""
        if self.connector_ids.errors:
            return []
        ids = (parse_id(value) for value in request.form.getlist("connector_ids"))
        return list(dict.fromkeys(i for i in ids if i is not None))

    def changes(self, editing: bool) -> ChannelChanges:
        return ChannelChanges(
            name=self.name.data or "",
            # Blank on an edit: keep the stored URL.
            url=(self.url.data or "").strip() or (None if editing else ""),
            events=list(self.events.data or []),
            all_connectors=self.connectors.data != CHOSEN,
            connector_ids=self.chosen_ids(),
            enabled=bool(self.enabled.data),
        )

    def add_errors(self, errors: dict[str, list[str]]) -> None:
        for key, messages in errors.items():
            field = {"connector_ids": "connectors", "all_connectors": "connectors"}.get(key, key)
            if field in self._fields:
                self[field].errors = [*self[field].errors, *messages]
            else:
                self.form_errors.extend(messages)
