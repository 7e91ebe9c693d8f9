"""The connector form, generated from a system's field declarations.

Each system's form class is built once and cached. The form does no validation of
its own beyond CSRF: the connector service validates params, so the form, the API
and the CLI give the same messages.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import Any

from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import Field as WTField
from wtforms.widgets import CheckboxInput, ListWidget, PasswordInput

from webapp.ids import parse_id
from webapp.models import Connector
from webapp.schema.fields import Field, FieldKind, condition_value
from webapp.services import secret_wording
from webapp.services.connectors import DESTINATION_PARAMS, ConnectorChanges, destination
from webapp.trackers.system import System
from webapp.web.forms import BaseForm, BaseSubform

CLEAR_PREFIX = "clear__"


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MarkRequired:
    """Marks a field as required (asterisk, ``required`` attribute) without checking it.

    The connector service checks required values, so the form, the API and the CLI
    give the same message; this only lets the form say so up front.
    """

    field_flags = {"required": True}

    def __call__(self, form: Form, field: WTField) -> None:
        """Nothing to check here (see the class docstring)."""


CATEGORY_COLUMNS = ("name", "label", "colour")


class CategoryRow(BaseSubform):
    """One ticket category on the connector form."""

    name = StringField("Category")
    label = StringField("Label")
    colour = StringField("Colour")

    def is_blank(self) -> bool:
        """True when nothing was typed in any column."""
        return not any((self[column].data or "").strip() for column in CATEGORY_COLUMNS)


class ConnectorForm(BaseForm):
    """Fields every connector has; the system's params are added per system."""

    name = StringField(
        "Name", description="Shown in lists and menus; must be unique.", validators=[MarkRequired()]
    )
    inaccessible = BooleanField(
        "Not reachable from Connector Desk",
        description="Keep the settings but never contact the tracker (as in SD Elements).",
    )
    version = HiddenField()

    categories = FieldList(FormField(CategoryRow), label="Ticket categories")

    system: System  # set on each generated subclass
    secrets_kept = False  # typed secrets are rendered back (see keep_typed_secrets)

    def pad_categories(self) -> None:
        """Show the rows that hold something, then exactly one empty row to add a category.

        Blank rows are dropped first, so a page shown again after a failed submit has
        the same rows as the one that was submitted rather than ever more empty ones.
        """
        self.categories.entries = [
            entry for entry in self.categories.entries if not entry.form.is_blank()
        ]
        self.categories.append_entry()

    def keep_typed_secrets(self) -> None:
        """Render secret inputs with the value just submitted (never a stored one), for
        pages whose next step is saving the same values: the test result without JS."""
        self.secrets_kept = True
        for spec in self.system.fields:
            if spec.secret:
                self[spec.name].widget = PasswordInput(hide_value=False)

    @property
    def param_specs(self) -> tuple[Field, ...]:
        return self.system.fields

    def param_field(self, spec: Field) -> WTField:
        return self[spec.name]

    def shown_when_json(self, spec: Field) -> str:
        """The field's visibility rule for static/app.js (fields hide without a reload)."""
        return json.dumps({name: list(values) for name, values in (spec.shown_when or {}).items()})

    def kept_while_json(self, connector: Connector) -> str:
        """The stored server, method and authentication, for static/app.js.

        While the form still shows these, a blank secret keeps the stored one (the rule
        the service enforces), so the page can say "enter it again" as soon as one changes.
        """
        stored = destination(self.system, connector.params or {})
        return json.dumps(
            {
                name: condition_value(value)
                for name, value in zip(DESTINATION_PARAMS, stored, strict=True)
                if self.system.has_field(name)
            }
        )

    def clear_field(self, spec: Field) -> WTField | None:
        return self._fields.get(CLEAR_PREFIX + spec.name)

    def raw_params(self) -> dict[str, Any]:
        """Submitted params as the service expects them (blank secrets left blank)."""
        return {spec.name: self[spec.name].data for spec in self.system.fields}

    def changes(self) -> ConnectorChanges:
        cleared = [
            spec.name
            for spec in self.system.fields
            if spec.secret and self.clear_field(spec) is not None and self.clear_field(spec).data
        ]
        return ConnectorChanges(
            categories=[
                {key: row.get(key) or "" for key in CATEGORY_COLUMNS}
                for row in self.categories.data
            ],
            name=self.name.data or "",
            params=self.raw_params(),
            inaccessible=self.inaccessible.data,
            clear_secrets=cleared,
            expected_version=parse_id(self.version.data or ""),
        )

    def add_errors(self, errors: Mapping[str, list[str]]) -> None:
        """Put service errors next to their fields (``params.x`` → field x)."""
        for key, messages in errors.items():
            name = key.removeprefix("params.")
            target = self._fields.get(name)
            if key.startswith("categories."):
                _, index, column = key.split(".")
                target = self.categories[int(index)][column]
            if target is not None:
                target.errors = [*target.errors, *messages]
            else:
                self.form_errors.extend(f"{name}: {message}" for message in messages)


def form_field_for(spec: Field) -> WTField:
    options: dict[str, Any] = {
        "label": spec.label,
        "description": spec.help,
        "render_kw": {"placeholder": spec.placeholder} if spec.placeholder else {},
        "validators": [MarkRequired()] if spec.required else [],
    }
    if spec.kind is FieldKind.SECRET:
        options["render_kw"]["autocomplete"] = "new-password"
        return PasswordField(**options)
    if spec.kind is FieldKind.BOOL:
        return BooleanField(default=bool(spec.default), **options)
    if spec.kind is FieldKind.CHOICE:
        choices = [SelectChoice(value, label) for value, label in spec.choices]
        return SelectField(choices=choices, default=spec.default, validate_choice=False, **options)
    if spec.kind is FieldKind.MULTICHOICE:
        choices = [SelectChoice(value, label) for value, label in spec.choices]
        return MultiCheckboxField(
            choices=choices, default=split_multi(spec.default), validate_choice=False, **options
        )
    if spec.kind in (FieldKind.TEXT, FieldKind.KEYVALUE):
        return TextAreaField(default=form_value(spec, spec.default), **options)
    if spec.kind is FieldKind.INT:
        options["render_kw"]["inputmode"] = "numeric"
    return StringField(default=form_value(spec, spec.default), **options)


def split_multi(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return list(value)


def form_value(spec: Field, value: Any) -> Any:
    """A stored param as its form widget shows it."""
    if value is None:
        return None
    if spec.kind is FieldKind.KEYVALUE and isinstance(value, Mapping):
        return "\n".join(f"{key}={item}" for key, item in value.items())
    if spec.kind is FieldKind.MULTICHOICE:
        return split_multi(value)
    if spec.kind is FieldKind.INT:
        return str(value)
    return value


@functools.cache
def connector_form_class(system: System) -> type[ConnectorForm]:
    """The form class for ``system``, built once."""
    attrs: dict[str, Any] = {"system": system}
    for spec in system.fields:
        attrs[spec.name] = form_field_for(spec)
        if spec.secret:
            attrs[CLEAR_PREFIX + spec.name] = BooleanField(secret_wording.CLEAR_LABEL)
    return type(f"{system.id.title()}ConnectorForm", (ConnectorForm,), attrs)


def initial_data(connector: Connector, system: System, name: str | None = None) -> dict[str, Any]:
    """Form data for editing (or cloning) ``connector``; secrets are never included."""
    data: dict[str, Any] = {
        "name": connector.name if name is None else name,
        "inaccessible": connector.inaccessible,
        "version": str(connector.version),
        "categories": [
            {"name": c.name, "label": c.label, "colour": c.colour} for c in connector.categories
        ],
    }
    for spec in system.fields:
        if not spec.secret and spec.name in (connector.params or {}):
            data[spec.name] = form_value(spec, connector.params[spec.name])
    return data


def restore_data(values: Mapping[str, Any], connector: Connector, system: System) -> dict[str, Any]:
    """Form data restoring a version (webapp.services.connector_history.form_values) onto
    ``connector``: the version's values, the connector's current version for stale edits."""
    data: dict[str, Any] = {
        "name": values["name"],
        "inaccessible": values["inaccessible"],
        "version": str(connector.version),
        "categories": values["categories"],
    }
    for spec in system.fields:
        if not spec.secret and spec.name in values["params"]:
            data[spec.name] = form_value(spec, values["params"][spec.name])
    return data


class RestoreForm(BaseForm):
    """Confirm a restore; ``version`` is the connector version the page showed."""

    version = HiddenField()
