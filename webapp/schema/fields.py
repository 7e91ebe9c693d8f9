"""Typed parameter declarations: one ``Field`` per connector parameter.

A system lists its fields once; the HTML form, server-side validation, the
JSON Schema and the API are all derived from that list, so they cannot drift
apart (the Redash ``configuration_schema`` idea, with types instead of dicts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from enum import StrEnum
from types import MappingProxyType
from typing import Any


class FieldKind(StrEnum):
    """What a parameter holds; decides the widget, the coercion and the schema."""

    STRING = "string"
    TEXT = "text"
    URL = "url"
    HOST = "host"
    SECRET = "secret"  # noqa: S105 - a kind name, not a password
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    BOOL = "bool"
    INT = "int"
    KEYVALUE = "keyvalue"


#: Kinds whose value is free text, so ``max_length`` and ``pattern`` apply.
TEXT_KINDS = frozenset(
    {FieldKind.STRING, FieldKind.TEXT, FieldKind.URL, FieldKind.HOST, FieldKind.SECRET}
)
DEFAULT_MAX_LENGTH = 255
TEXT_MAX_LENGTH = 10_000


def condition_value(value: Any) -> str:
    """Spell a submitted or default value the way ``shown_when`` conditions are written.

    Forms send strings and JSON sends typed values; comparing their string
    forms lets one condition work for both.
    """
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value).strip()


@dataclass(frozen=True)
class Field:
    """One connector parameter, named exactly as SD Elements names it.

    ``shown_when`` maps other field names to the values that make this field
    relevant (e.g. ``{"issue_tracker_auth_mode": ("basic",)}``); a field that
    is not shown is neither validated nor stored.  ``validator`` is an extra
    check run on the coerced value; it returns an error message or ``None``.
    """

    name: str
    label: str
    kind: FieldKind = FieldKind.STRING
    required: bool = False
    default: Any = dataclass_field(default=None, hash=False)
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    placeholder: str = ""
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str = "Enter a valid value."
    group: str | None = None
    shown_when: Mapping[str, tuple[str, ...]] | None = dataclass_field(default=None, hash=False)
    validator: Callable[[Any], str | None] | None = dataclass_field(
        default=None, hash=False, compare=False, repr=False
    )
    #: Choices the tracker can list for this field ("projects", "issue_types", …): the
    #: form offers them as one types (the tracker client's ``list_choices``); typing a
    #: value by hand always works.
    picker: str | None = None
    #: With a picker: a comma-separated list, so a picked value is added, not swapped in.
    picker_adds: bool = False

    def __post_init__(self) -> None:
        kind = FieldKind(self.kind)
        object.__setattr__(self, "kind", kind)
        if self.max_length is None and kind in TEXT_KINDS:
            limit = TEXT_MAX_LENGTH if kind is FieldKind.TEXT else DEFAULT_MAX_LENGTH
            object.__setattr__(self, "max_length", limit)
        if kind in (FieldKind.CHOICE, FieldKind.MULTICHOICE) and not self.choices:
            raise ValueError(f"Field {self.name!r} is a {kind} field without choices.")
        if kind is FieldKind.SECRET and self.default is not None:
            raise ValueError(f"Secret field {self.name!r} cannot have a default.")
        if self.shown_when is not None:
            conditions = {
                name: (allowed,) if isinstance(allowed, str) else tuple(allowed)
                for name, allowed in self.shown_when.items()
            }
            object.__setattr__(self, "shown_when", MappingProxyType(conditions))

    @property
    def secret(self) -> bool:
        """Secrets are write-only: stored encrypted, never echoed back."""
        return self.kind is FieldKind.SECRET

    @property
    def choice_values(self) -> tuple[str, ...]:
        """The machine values of ``choices``, in declared order."""
        return tuple(value for value, _label in self.choices)

    def display_value(self, value: Any) -> str:
        """A stored value as the form labels it: choice labels, yes/no, a comma list."""
        labels = dict(self.choices)
        if self.kind is FieldKind.BOOL:
            return "yes" if value else "no"
        if self.kind is FieldKind.CHOICE:
            return labels.get(condition_value(value), str(value))
        if self.kind is FieldKind.MULTICHOICE:
            parts = value.split(",") if isinstance(value, str) else list(value or ())
            return ", ".join(labels.get(str(part).strip(), str(part).strip()) for part in parts)
        return str(value)

    @property
    def conditional(self) -> bool:
        """Whether the field only applies for some values of other fields."""
        return bool(self.shown_when)

    def is_shown(
        self, values: Mapping[str, Any], defaults: Mapping[str, Any] | None = None
    ) -> bool:
        """True when every ``shown_when`` condition holds for ``values``.

        A referenced field that is missing (or empty) counts as its default, so
        a body that omits ``issue_tracker_auth_mode`` behaves like one that
        sends the default mode.  ``System.shown_fields`` passes the defaults.
        """
        if not self.shown_when:
            return True
        defaults = defaults or {}
        for name, allowed in self.shown_when.items():
            current = condition_value(values.get(name))
            if current == "":
                current = condition_value(defaults.get(name))
            if current not in allowed:
                return False
        return True


@dataclass(frozen=True)
class FieldGroup:
    """A titled section of the connector form (a fieldset)."""

    id: str
    label: str
    description: str = ""
    collapsed: bool = False
