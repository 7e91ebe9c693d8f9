"""Text search conditions shared by the list pages."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func


def contains(column: ColumnElement, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text`` in any case; % and _ in ``text`` match only themselves."""
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")
