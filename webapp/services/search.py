"""Text search conditions shared by the list pages."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func

from webapp.names import name_key


def contains(column: ColumnElement, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text`` in any case; % and _ in ``text`` match only themselves."""
    return func.lower(column).like(_pattern(text.strip().lower()), escape="\\")


def key_contains(column: ColumnElement, text: str) -> ColumnElement[bool]:
    """``column``, a name key (webapp.names.name_key), contains the key of ``text``: any
    case and spelling, and no function on the column, so an index on it can serve."""
    return column.like(_pattern(name_key(text)), escape="\\")


def _pattern(text: str) -> str:
    """``%text%`` with LIKE's own characters in ``text`` escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return f"%{escaped}%"
