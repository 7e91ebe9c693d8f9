"""The ticket form: common fields plus the system's ticket fields, generated like the
connector form (and validated by the ticket service, not here)."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from wtforms import Field as WTField
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)

from webapp.ids import parse_id
from webapp.models import Connector
from webapp.models.ticket import TITLE_MAX_LENGTH
from webapp.schema.fields import Field
from webapp.services.comments import COMMENT_MAX
from webapp.services.required_fields import TRACKER_FIELDS, AskedFields
from webapp.services.tickets import TicketRequest
from webapp.trackers.system import System
from webapp.web.connectors.forms import form_field_for, form_value
from webapp.web.forms import BaseForm

PUBLIC, INTERNAL = "public", "internal"


class CommentForm(BaseForm):
    """ "Add comment": the text, and public or internal where the tracker has both
    (checked by the comment service, which also says what is wrong with the text)."""

    body = TextAreaField(
        "Comment",
        render_kw={"rows": 4, "maxlength": COMMENT_MAX},
        description="Posted to the issue on the tracker, with a short reference line so a "
        "retry never posts it twice.",
    )
    visibility = RadioField("Send as", choices=[SelectChoice(PUBLIC, "Comment")], default=PUBLIC)

    def offer(self, system: System) -> None:
        """The choices the ticket's tracker has: RT's reply or comment, GitLab's note or
        internal note; a tracker without internal comments gets no choice."""
        self.visibility.choices = [SelectChoice(PUBLIC, system.comment_label)]
        if system.has_internal_comments:
            self.visibility.choices.append(SelectChoice(INTERNAL, system.internal_comment_label))

    @property
    def internal(self) -> bool:
        return self.visibility.data == INTERNAL

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        for key, messages in errors.items():
            target = self.visibility if key == "internal" else self._fields.get(key)
            if target is not None:
                target.errors = [*target.errors, *messages]
            else:
                self.form_errors.extend(messages)


#: Form names of the tracker's own fields: ``tf__customfield_10010``.
TRACKER_PREFIX = "tf__"


class TicketForm(BaseForm):
    connector_id = HiddenField()
    submission_token = HiddenField()
    title = StringField("Title", render_kw={"maxlength": TITLE_MAX_LENGTH, "data-title-input": ""})
    description = TextAreaField(
        "Description",
        description="Markdown. A reference line is added at the end so a retry "
        "can find the issue instead of creating a second one.",
        render_kw={"rows": 8},
    )
    category = SelectField(
        "Category", validate_choice=False, choices=[], render_kw={"data-category-input": ""}
    )

    schema: System  # set on each generated subclass
    #: The tracker's own required fields (``with_tracker_fields``), and why none if it
    #: could not say.
    tracker_specs: tuple[Field, ...] = ()
    tracker_note: str | None = None

    @property
    def ticket_specs(self) -> tuple[Field, ...]:
        return self.schema.fields

    def set_categories(self, connector: Connector) -> None:
        self.category.choices = [SelectChoice("", "— none —")] + [
            SelectChoice(c.name, f"{c.name} (label {c.label})") for c in connector.categories
        ]

    def request(self) -> TicketRequest:
        return TicketRequest(
            connector_id=parse_id(self.connector_id.data or ""),
            title=self.title.data or "",
            description=self.description.data or "",
            category=self.category.data or "",
            fields={
                **{spec.name: self[spec.name].data for spec in self.schema.fields},
                **self.tracker_values(),
            },
            submission_token=self.submission_token.data or "",
        )

    def tracker_field(self, spec: Field) -> WTField:
        return self[TRACKER_PREFIX + spec.name]

    def tracker_values(self) -> dict[str, Any]:
        if not self.tracker_specs:
            return {}
        return {TRACKER_FIELDS: {s.name: self.tracker_field(s).data for s in self.tracker_specs}}

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        for key, messages in errors.items():
            name = key.removeprefix("fields.")
            if name.startswith(TRACKER_FIELDS + "."):
                name = TRACKER_PREFIX + name.removeprefix(TRACKER_FIELDS + ".")
            target = self._fields.get(name)
            if target is not None and key != "connector_id":
                target.errors = [*target.errors, *messages]
            else:
                self.form_errors.extend(messages)


@functools.cache
def ticket_form_class(schema: System) -> type[TicketForm]:
    attrs: dict[str, Any] = {"schema": schema}
    for spec in schema.fields:
        attrs[spec.name] = form_field_for(spec)
    return type(f"{schema.id.title()}TicketForm", (TicketForm,), attrs)


def with_tracker_fields(form_class: type[TicketForm], asked: AskedFields) -> type[TicketForm]:
    """``form_class`` plus the tracker's required fields (named ``tf__<field id>``)."""
    attrs: dict[str, Any] = {"tracker_specs": asked.fields, "tracker_note": asked.note}
    for spec in asked.fields:
        attrs[TRACKER_PREFIX + spec.name] = form_field_for(spec)
    return type(form_class.__name__, (form_class,), attrs)


def initial_fields(schema: System, values: Mapping[str, Any]) -> dict[str, Any]:
    """Form data for a ticket's fields, the tracker's own included."""
    typed = values.get(TRACKER_FIELDS)
    return {
        **{
            spec.name: form_value(spec, values[spec.name])
            for spec in schema.fields
            if spec.name in values
        },
        **{TRACKER_PREFIX + k: v for k, v in (typed if isinstance(typed, Mapping) else {}).items()},
    }
