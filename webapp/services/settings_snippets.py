"""Reading and writing settings as a Python snippet (``NAME = literal`` lines) or JSON.

A pasted Django settings snippet is never executed: it is parsed with ``ast`` and each
value read with ``ast.literal_eval``, so ``os.environ[...]``, calls, names and imports
are refused with the line they are on.
"""

from __future__ import annotations

import ast
import json
import pprint
from collections.abc import Mapping
from typing import Any

from webapp.services.errors import ValidationFailed

#: Settings text longer than this is not a settings snippet.
MAX_SETTINGS_LENGTH = 100_000


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed({field: [message]})


def parse_settings(settings: Any, field: str = "settings") -> dict[str, Any]:
    """Settings given as a mapping, JSON text or a Python snippet, as a dict.

    Raises ValidationFailed naming ``field`` (and the line, for text) when they are none
    of these.
    """
    if isinstance(settings, Mapping):
        return dict(settings)
    if not isinstance(settings, str):
        raise _refuse(field, "Give the settings as text (Python or JSON) or a JSON object.")
    if len(settings) > MAX_SETTINGS_LENGTH:
        raise _refuse(field, f"Settings text is limited to {MAX_SETTINGS_LENGTH} characters.")
    text = settings.strip().lstrip("\ufeff")
    if not text:
        raise _refuse(field, "Paste the settings (TICKET_PLUGIN = … and so on) or a JSON object.")
    if text.startswith("{"):
        return _parse_json(text, field)
    return _parse_python(text, field)


def _parse_json(text: str, field: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        message = f"Line {error.lineno}, column {error.colno}: not valid JSON ({error.msg})."
        raise _refuse(field, message) from None
    if not isinstance(value, dict):
        raise _refuse(field, "The JSON must be an object of settings.")
    return value


def _parse_python(text: str, field: str) -> dict[str, Any]:
    try:
        module = ast.parse(text)
    except SyntaxError as error:
        raise _refuse(field, f"Line {error.lineno}: not valid Python ({error.msg}).") from None
    values: dict[str, Any] = {}
    for statement in module.body:
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant):
            continue  # a docstring or a bare string: harmless
        target, value = _assignment(statement)
        if target is None:
            raise _refuse(
                field,
                f"Line {statement.lineno}: only assignments like NAME = value are read "
                "(settings are never run, so imports and other statements are refused).",
            )
        try:
            values[target] = ast.literal_eval(value)
        except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
            raise _refuse(
                field,
                f"Line {statement.lineno}: {target} is not a literal value. Settings are "
                "read, never run: replace code such as os.environ[…] or function calls "
                "with the value itself.",
            ) from None
    if not values:
        raise _refuse(field, 'No settings found: expected lines like TICKET_PLUGIN = "…".')
    return values


def _assignment(statement: ast.stmt) -> tuple[str | None, ast.expr | None]:
    """``(name, value)`` of ``NAME = value`` or ``NAME: type = value``; else (None, None)."""
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id, statement.value
    if (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.value is not None
    ):
        return statement.target.id, statement.value
    return None, None


def python_snippet(settings: Mapping[str, Any]) -> str:
    """``NAME = value`` lines of Python literals, which ``parse_settings`` reads back."""
    lines = [
        f"{name} = {pprint.pformat(value, sort_dicts=False, width=88)}"
        for name, value in settings.items()
    ]
    return "\n".join(lines) + "\n"


def json_text(settings: Mapping[str, Any]) -> str:
    """The settings as an indented JSON object."""
    return json.dumps(dict(settings), indent=2, ensure_ascii=False) + "\n"
