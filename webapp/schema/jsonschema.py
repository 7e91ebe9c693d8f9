"""JSON Schema (draft 2020-12) for a system's params, derived from its fields.

Published for API clients and used in tests to prove the schema and
``validate_params`` agree.  The schema is the strict JSON contract; the
validator additionally accepts HTML-form spellings ("on", "a=b" lines).

Conditional fields follow ``validate_params``: a field referenced by
``shown_when`` that is absent counts as its default.  So the ``if`` of a
condition lists the controlling field under ``required`` only when its
default does not satisfy the condition.
"""

from __future__ import annotations

from typing import Any

from webapp.schema.declaration import Declaration
from webapp.schema.fields import Field, FieldKind

DIALECT = "https://json-schema.org/draft/2020-12/schema"
# Rejects "https://host" early; the full host check is in validate_params.
_HOST_PATTERN = r"^(?![A-Za-z][A-Za-z0-9+.-]*://)\S+$"
_DIGITS_PATTERN = r"^\s*[+-]?[0-9]+\s*$"
_REGEX_SPECIALS = set("\\^$.|?*+()[]{}")


def params_schema(system: Declaration, *, secrets_optional: bool = False) -> dict[str, Any]:
    """The schema of ``params`` for ``system``.

    ``secrets_optional`` drops secrets from ``required``: use it for updates,
    where leaving a secret out keeps the stored one.
    """
    schema: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": f"urn:connector-desk:systems:{system.id}:params",
        "title": f"{system.name} connector parameters",
        "description": system.description,
        "type": "object",
        "properties": {field.name: field_schema(field) for field in system.fields},
        "additionalProperties": False,
    }

    def needed(field: Field) -> bool:
        # A required field with a default may be left out: the default applies.
        return _must_be_given(field) and not (secrets_optional and field.secret)

    required = [f.name for f in system.fields if needed(f) and not f.conditional]
    if required:
        schema["required"] = required
    conditions = _conditions(system, [f for f in system.fields if needed(f) and f.conditional])
    if conditions:
        schema["allOf"] = conditions
    return schema


def field_schema(field: Field) -> dict[str, Any]:
    """The property schema of one field."""
    schema: dict[str, Any] = {"title": field.label}
    if field.help:
        schema["description"] = field.help
    if field.default is not None:
        schema["default"] = field.default
    schema.update(_TYPE_SCHEMAS[field.kind](field))
    return schema


def _text_schema(field: Field) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "maxLength": field.max_length}
    if _must_be_given(field) and not field.conditional:
        schema["minLength"] = 1
    if field.kind is FieldKind.HOST:
        schema["pattern"] = _HOST_PATTERN
    elif field.kind is FieldKind.URL:
        schema["format"] = "uri"
    elif field.secret:
        schema.update(writeOnly=True, format="password")
    if field.pattern is not None:
        schema["pattern"] = _anchored(field.pattern)
    return schema


def _choice_schema(field: Field) -> dict[str, Any]:
    return {"type": "string", "enum": list(field.choice_values)}


def _multichoice_schema(field: Field) -> dict[str, Any]:
    # SD Elements sends "none,partial,pass,fail"; JSON clients may prefer arrays.
    one = "(" + "|".join(_escape(value) for value in field.choice_values) + ")"
    comma_list = rf"^\s*({one}\s*(,\s*{one}\s*)*)?$"
    return {
        "anyOf": [
            {"type": "string", "pattern": comma_list},
            {"type": "array", "items": {"enum": list(field.choice_values)}, "uniqueItems": True},
        ]
    }


def _int_schema(field: Field) -> dict[str, Any]:
    # SD Elements sends numbers as strings ("sde_min_priority": "7").
    number: dict[str, Any] = {"type": "integer"}
    if field.min is not None:
        number["minimum"] = field.min
    if field.max is not None:
        number["maximum"] = field.max
    return {"anyOf": [number, {"type": "string", "pattern": _DIGITS_PATTERN}]}


def _bool_schema(field: Field) -> dict[str, Any]:
    return {"type": "boolean"}


def _keyvalue_schema(field: Field) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": {"type": "string"}}


_TYPE_SCHEMAS = {
    FieldKind.STRING: _text_schema,
    FieldKind.TEXT: _text_schema,
    FieldKind.URL: _text_schema,
    FieldKind.HOST: _text_schema,
    FieldKind.SECRET: _text_schema,
    FieldKind.CHOICE: _choice_schema,
    FieldKind.MULTICHOICE: _multichoice_schema,
    FieldKind.INT: _int_schema,
    FieldKind.BOOL: _bool_schema,
    FieldKind.KEYVALUE: _keyvalue_schema,
}


def _conditions(system: Declaration, fields: list[Field]) -> list[dict[str, Any]]:
    """One ``if``/``then`` per distinct ``shown_when``, requiring its fields."""
    grouped: dict[tuple[tuple[str, tuple[str, ...]], ...], list[str]] = {}
    for field in fields:
        key = tuple(sorted((field.shown_when or {}).items()))
        grouped.setdefault(key, []).append(field.name)
    conditions = []
    for key, names in grouped.items():
        properties = {name: {"enum": list(allowed)} for name, allowed in key}
        when_absent_fails = [
            name for name, allowed in key if not _default_matches(system.field(name), allowed)
        ]
        condition: dict[str, Any] = {"properties": properties}
        if when_absent_fails:
            condition["required"] = when_absent_fails
        conditions.append({"if": condition, "then": {"required": names}})
    return conditions


def _must_be_given(field: Field) -> bool:
    return field.required and field.default is None


def _default_matches(field: Field, allowed: tuple[str, ...]) -> bool:
    default = field.default
    if isinstance(default, bool):
        default = "true" if default else "false"
    return default is not None and str(default) in allowed


def _anchored(pattern: str) -> str:
    # JSON Schema patterns search anywhere; validate_params uses fullmatch.
    if pattern.startswith("^") and pattern.endswith("$"):
        return pattern
    return f"^(?:{pattern})$"


def _escape(value: str) -> str:
    # re.escape also escapes "-", which is an invalid escape in ECMA-262 unicode mode.
    return "".join("\\" + char if char in _REGEX_SPECIALS else char for char in value)
