"""Whole numbers from URLs, query strings and filters, kept in the range the database holds.

Ids beyond an INTEGER column (PostgreSQL errors on them, SQLite cannot bind them) exist
nowhere: they are "not found", never a server error.
"""

from __future__ import annotations

import re

from werkzeug.exceptions import NotFound
from werkzeug.routing import BaseConverter

#: The largest value of an INTEGER column on PostgreSQL.
MAX_ID = 2**31 - 1
# ASCII only: str.isdigit() also accepts "²", which int() refuses.
_INTEGER = re.compile(r"-?[0-9]{1,20}")


def parse_int(text: str, minimum: int, maximum: int) -> int | None:
    """``text`` as a whole number from ``minimum`` to ``maximum``, else None."""
    text = text.strip()
    if not _INTEGER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def parse_id(text: str) -> int | None:
    """``text`` as a row id (1 to MAX_ID), else None."""
    return parse_int(text, 1, MAX_ID)


class IdConverter(BaseConverter):
    """``<id:name>`` in URL rules: a row id; anything past MAX_ID is a 404."""

    regex = r"[0-9]+"
    weight = 50  # as Werkzeug's int converter: the rules keep their order

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            # Not ValidationError: Werkzeug would answer 405 where another rule has the
            # same path with other methods (the API's GET/PATCH/DELETE of one item).
            raise NotFound()
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))
